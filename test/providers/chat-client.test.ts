import {afterEach, expect, test} from 'vitest';
import {createChatClient} from '../../source/providers/chat-client.js';
import {rejectionOf, startRawServer} from './helpers.js';

let server: Awaited<ReturnType<typeof startRawServer>> | undefined;
afterEach(async () => server?.close());

const ask = {model: 'm', system: 'Be brief.', prompt: 'Hi', maxTokens: 8, temperature: 0.5};
const answer = (status: number, body: string, contentType = 'application/json') => {
	server = undefined;
	return startRawServer((_request, response) => {
		response.writeHead(status, {'content-type': contentType});
		response.end(body);
	}).then(started => {
		server = started;
		return createChatClient({dialect: 'openai', baseURL: `${started.url}/v1`, apiKey: 'k-123'});
	});
};

test('sends model, system + user messages, max_tokens and temperature, and no retries', async () => {
	const seen: Array<{url?: string; headers: Record<string, unknown>; body: any}> = [];
	server = await startRawServer((request, response) => {
		let body = '';
		request.on('data', chunk => body += chunk);
		request.on('end', () => {
			seen.push({url: request.url, headers: request.headers, body: JSON.parse(body)});
			response.writeHead(500, {'content-type': 'application/json'});
			response.end('{}');
		});
	});
	const client = createChatClient({dialect: 'azure', endpoint: `${server.url}/res/`, apiVersion: '2024-10-21', apiKey: 'k-123'});
	await rejectionOf(client.complete({...ask, model: 'my dep'}, {timeoutMs: 5000}));
	expect(seen).toHaveLength(1);
	expect(seen[0]!.url).toBe('/res/openai/deployments/my%20dep/chat/completions?api-version=2024-10-21');
	expect(seen[0]!.headers['api-key']).toBe('k-123');
	expect(seen[0]!.headers.authorization).toBeUndefined();
	expect(seen[0]!.body).toEqual({model: 'my dep', messages: [{role: 'system', content: 'Be brief.'}, {role: 'user', content: 'Hi'}], max_tokens: 8, temperature: 0.5});
});

test('a 200 without choices is a transient malformed response', async () => {
	const client = await answer(200, '{"id": "x", "object": "chat.completion"}');
	expect(await rejectionOf(client.complete(ask, {timeoutMs: 5000}))).toMatchObject({errorClass: 'transient', message: 'malformed response from provider (no answer text)'});
});

test('a 200 with null content is a transient malformed response', async () => {
	const client = await answer(200, '{"choices": [{"message": {"role": "assistant", "content": null}}]}');
	expect(await rejectionOf(client.complete(ask, {timeoutMs: 5000}))).toMatchObject({errorClass: 'transient'});
});

test('a 200 that is not JSON at all is a transient malformed response', async () => {
	const client = await answer(200, '<html>maintenance</html>', 'text/html');
	expect(await rejectionOf(client.complete(ask, {timeoutMs: 5000}))).toMatchObject({errorClass: 'transient'});
});

test('a 200 with broken JSON is a transient malformed response', async () => {
	const client = await answer(200, '{"choices": [');
	expect(await rejectionOf(client.complete(ask, {timeoutMs: 5000}))).toMatchObject({errorClass: 'transient'});
});

test('an empty answer is an answer', async () => {
	const client = await answer(200, '{"choices": [{"message": {"role": "assistant", "content": ""}, "finish_reason": "length"}]}');
	expect(await client.complete(ask, {timeoutMs: 5000})).toEqual({text: '', promptTokens: undefined, completionTokens: undefined});
});

test('an HTML 502 from a proxy is transient', async () => {
	const client = await answer(502, '<html>Bad gateway</html>', 'text/html');
	expect(await rejectionOf(client.complete(ask, {timeoutMs: 5000}))).toMatchObject({errorClass: 'transient', status: 502, message: 'HTTP 502 from provider: Bad Gateway'});
});

test.each([[403, 'auth'], [408, 'transient'], [409, 'transient'], [422, 'permanent'], [400, 'permanent']] as const)('HTTP %i is %s', async (status, errorClass) => {
	const client = await answer(status, '{"error": {"message": "nope"}}');
	expect(await rejectionOf(client.complete(ask, {timeoutMs: 5000}))).toMatchObject({errorClass, status});
});

test('a body that never finishes times out on our own deadline', async () => {
	server = await startRawServer((_request, response) => {
		// Headers at once, then silence: the SDK's own timeout stops at the headers.
		response.writeHead(200, {'content-type': 'application/json'});
		response.write('{"choices": [');
	});
	const client = createChatClient({dialect: 'openai', baseURL: `${server.url}/v1`, apiKey: 'k'});
	expect(await rejectionOf(client.complete(ask, {timeoutMs: 200}))).toMatchObject({errorClass: 'transient', message: 'timed out after 200 ms'});
});

test('an empty key is an auth error, not a crash', async () => {
	const client = createChatClient({dialect: 'openai', baseURL: 'http://127.0.0.1:9/v1', apiKey: ''});
	expect(await rejectionOf(client.complete(ask, {timeoutMs: 1000}))).toMatchObject({errorClass: 'auth', message: 'no API key set'});
});

test('OPENAI_BASE_URL in the environment changes nothing', async () => {
	const saved = process.env.OPENAI_BASE_URL;
	process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/elsewhere';
	try {
		const client = await answer(200, '{"choices": [{"message": {"role": "assistant", "content": "hi"}}]}');
		expect((await client.complete(ask, {timeoutMs: 5000})).text).toBe('hi');
		const azure = createChatClient({dialect: 'azure', endpoint: server!.url, apiVersion: 'v', apiKey: 'k'});
		expect((await azure.complete(ask, {timeoutMs: 5000})).text).toBe('hi');
	} finally {
		if (saved === undefined) delete process.env.OPENAI_BASE_URL;
		else process.env.OPENAI_BASE_URL = saved;
	}
});
