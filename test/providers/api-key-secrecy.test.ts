import {afterAll, beforeAll, expect, test} from 'vitest';
import {type ClientTarget, createChatClient} from '../../source/providers/chat-client.js';
import {startSimulator, type Simulator} from '../../source/providers/simulator/index.js';
import {type ErrorClass, ProviderError} from '../../source/providers/types.js';
import {deadUrl, rejectionOf, spec, startRawServer} from './helpers.js';

const key = 'sk-SECRET-do-not-print-4f9a1c77e2';
let simulator: Simulator;
let echo: Awaited<ReturnType<typeof startRawServer>>;

beforeAll(async () => {
	const common = {apiKey: key, latencyMs: 20, rps: 1000, maxConcurrent: 50};
	simulator = await startSimulator([
		spec('open', ['m'], common),
		spec('azure', {m: 'dep'}, {...common, dialect: 'azure'}),
		// One token, then the next only after 10 s: the second request is refused however slow the machine.
		spec('tight', ['m'], {...common, rps: 0.01}),
		spec('down', ['m'], {...common, outages: [{atSeconds: 0, forSeconds: 1000}]}),
		spec('slow', ['m'], {...common, latencyMs: 600_000, latencySigma: 0}),
	], {timeScale: 0.1});
	// A provider that quotes the key back in every error body and header, as some gateways do.
	let calls = 0;
	echo = await startRawServer((_request, response) => {
		const status = [400, 401, 429, 500][calls++ % 4]!;
		response.writeHead(status, {'content-type': 'application/json', 'x-echo': key});
		response.end(JSON.stringify({error: {message: `Incorrect API key provided: ${key}. Bearer ${key}`, type: 'invalid_request_error'}}));
	});
});
afterAll(async () => {
	await simulator.close();
	await echo.close();
});

const ask = (model: string) => ({model, prompt: 'What is 3 + 4?', maxTokens: 16, temperature: 0});

test('no error message of any class contains the API key', async () => {
	const target = (name: string): ClientTarget => ({...simulator.targets.get(name)!, apiKey: key});
	const failures: Array<Promise<unknown>> = [
		createChatClient({...target('open'), apiKey: `${key}-wrong`}).complete(ask('m'), {timeoutMs: 5000}),
		createChatClient({...target('azure'), apiKey: `${key}-wrong`}).complete(ask('dep'), {timeoutMs: 5000}),
		createChatClient(target('open')).complete(ask('unknown'), {timeoutMs: 5000}),
		createChatClient(target('azure')).complete(ask('unknown'), {timeoutMs: 5000}),
		createChatClient(target('down')).complete(ask('m'), {timeoutMs: 5000}),
		createChatClient(target('slow')).complete(ask('m'), {timeoutMs: 100}),
		createChatClient(target('slow')).complete(ask('m'), {timeoutMs: 5000, signal: AbortSignal.timeout(50)}),
		createChatClient({dialect: 'openai', baseURL: `${await deadUrl()}/v1`, apiKey: key}).complete(ask('m'), {timeoutMs: 5000}),
	];
	const tight = createChatClient(target('tight'));
	failures.push(tight.complete(ask('m'), {timeoutMs: 5000}).then(async () => tight.complete(ask('m'), {timeoutMs: 5000})));
	const echoing = createChatClient({dialect: 'openai', baseURL: `${echo.url}/v1`, apiKey: key});
	for (let index = 0; index < 4; index++) failures.push(echoing.complete(ask('m'), {timeoutMs: 5000}));

	const errors = await Promise.all(failures.map(async failure => rejectionOf(failure)));
	const classes = new Set<ErrorClass>();
	for (const error of errors) {
		expect(error).toBeInstanceOf(ProviderError);
		classes.add(error.errorClass);
		for (const text of [error.message, String(error), JSON.stringify({...error, message: error.message})]) {
			expect(text).not.toContain(key);
			expect(text).not.toContain('SECRET');
		}
	}

	expect([...classes].sort()).toEqual(['auth', 'permanent', 'rate_limit', 'transient', 'unreachable']);
	expect(errors.map(error => error.message)).toEqual(expect.arrayContaining(['timed out after 100 ms', 'aborted', expect.stringMatching(/^cannot reach 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)$/)]));
});
