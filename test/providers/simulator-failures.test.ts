import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createChatClient} from '../../source/providers/chat-client.js';
import {startSimulator, type Simulator} from '../../source/providers/simulator/index.js';
import {rejectionOf, spec, waitFor} from './helpers.js';

const ask = (model: string) => ({model, prompt: 'What is 2 + 2?', maxTokens: 16, temperature: 0});
let simulator: Simulator;

beforeAll(async () => {
	simulator = await startSimulator([
		spec('open', ['m'], {latencyMs: 20, rps: 1000, maxConcurrent: 50}),
		spec('azure', {m: 'dep'}, {dialect: 'azure', latencyMs: 20, rps: 1000, maxConcurrent: 50}),
		// The outage starts at once and lasts 1000 s (100 s real at this timeScale): longer than the test.
		spec('down', ['m'], {latencyMs: 20, outages: [{atSeconds: 0, forSeconds: 1000, status: 502}]}),
		spec('flaky', ['m'], {latencyMs: 20, rps: 1000, maxConcurrent: 50, errorRate: 1}),
		spec('slow', ['m'], {latencyMs: 600_000, latencySigma: 0}),
	], {timeScale: 0.1});
});
afterAll(async () => simulator.close());

const client = (provider: string, apiKey?: string) => {
	const target = simulator.targets.get(provider)!;
	return createChatClient(apiKey === undefined ? target : {...target, apiKey});
};

describe.each(['open', 'azure'])('%s dialect', provider => {
	const model = provider === 'azure' ? 'dep' : 'm';

	test('a wrong key gets 401: class auth, counted as unauthorized', async () => {
		const before = simulator.stats(provider).unauthorized;
		expect(await rejectionOf(client(provider, 'not-the-key').complete(ask(model), {timeoutMs: 5000}))).toMatchObject({errorClass: 'auth', status: 401});
		expect(simulator.stats(provider).unauthorized).toBe(before + 1);
	});

	test('an unknown model or deployment gets 404: class permanent, with the provider\'s reason', async () => {
		const error = await rejectionOf(client(provider).complete(ask('nope'), {timeoutMs: 5000}));
		expect(error).toMatchObject({errorClass: 'permanent', status: 404});
		expect(error.message).toMatch(/^HTTP 404 from provider: Not Found - /);
	});

	test('a malformed JSON body gets 400 in the dialect\'s shape', async () => {
		const target = simulator.targets.get(provider)!;
		const response = target.dialect === 'azure'
			? await fetch(`${target.endpoint}/openai/deployments/dep/chat/completions?api-version=1`, {method: 'POST', headers: {'api-key': target.apiKey}, body: '{"messages": ['})
			: await fetch(`${target.baseURL}/chat/completions`, {method: 'POST', headers: {authorization: `Bearer ${target.apiKey}`}, body: '{"messages": ['});
		expect(response.status).toBe(400);
		const body = await response.json() as {error: {message: string; code: unknown}};
		expect(body.error.message).toEqual(expect.any(String));
		expect(Object.keys(body.error).sort()).toEqual(target.dialect === 'azure' ? ['code', 'message'] : ['code', 'message', 'param', 'type']);
	});
});

test('Azure without api-version gets 400', async () => {
	const target = simulator.targets.get('azure')!;
	const response = await fetch(`${simulator.url}/azure/openai/deployments/dep/chat/completions`, {method: 'POST', headers: {'api-key': target.apiKey}, body: JSON.stringify({messages: [{role: 'user', content: 'hi'}]})});
	expect(response.status).toBe(400);
	expect(await response.json()).toMatchObject({error: {code: 'MissingApiVersionParameter'}});
});

test('a path of the other dialect, or of no provider, gets 404', async () => {
	const body = JSON.stringify({model: 'm', messages: [{role: 'user', content: 'hi'}]});
	expect((await fetch(`${simulator.url}/azure/v1/chat/completions`, {method: 'POST', body})).status).toBe(404);
	expect((await fetch(`${simulator.url}/nobody/v1/chat/completions`, {method: 'POST', body})).status).toBe(404);
	expect((await fetch(`${simulator.url}/open/v1/models`)).status).toBe(404);
});

test('during an outage every request gets its status: class transient', async () => {
	const error = await rejectionOf(client('down').complete(ask('m'), {timeoutMs: 5000}));
	expect(error).toMatchObject({errorClass: 'transient', status: 502, message: expect.stringMatching(/^HTTP 502 from provider: Bad Gateway/)});
	expect(simulator.stats('down')).toMatchObject({errors: 1, served: 0, inFlight: 0});
});

test('random errors (errorRate 1) are 5xx: class transient', async () => {
	for (let index = 0; index < 5; index++) {
		const error = await rejectionOf(client('flaky').complete(ask('m'), {timeoutMs: 5000}));
		expect(error.errorClass).toBe('transient');
		expect([500, 502, 503]).toContain(error.status);
	}

	expect(simulator.stats('flaky')).toMatchObject({errors: 5, inFlight: 0});
});

test('a request slower than its timeout: class transient, "timed out after N ms", slot released', async () => {
	const started = performance.now();
	const error = await rejectionOf(client('slow').complete(ask('m'), {timeoutMs: 150}));
	expect(error).toMatchObject({errorClass: 'transient', message: 'timed out after 150 ms'});
	expect(performance.now() - started).toBeLessThan(2000);
	expect(error.status).toBeUndefined();
	await waitFor(() => simulator.stats('slow').inFlight === 0, 5000, 'the slot to be released');
});
