import {connect} from 'node:net';
import {afterEach, expect, test} from 'vitest';
import {createChatClient} from '../../source/providers/chat-client.js';
import {startSimulator, type Simulator} from '../../source/providers/simulator/index.js';
import {rejectionOf, spec, waitFor} from './helpers.js';

let simulator: Simulator | undefined;
afterEach(async () => simulator?.close());

const ask = {model: 'm', prompt: 'Uppercase: wait', maxTokens: 16, temperature: 0};

test('aborting requests frees their slots, logs them as 499, and the server keeps serving', async () => {
	simulator = await startSimulator([spec('p', ['m'], {maxConcurrent: 3, rps: 1000, latencyMs: 60_000, latencySigma: 0})]);
	const client = createChatClient(simulator.targets.get('p')!);
	const controller = new AbortController();
	const pending = [0, 1, 2].map(async () => rejectionOf(client.complete(ask, {timeoutMs: 60_000, signal: controller.signal})));
	await waitFor(() => simulator!.stats('p').inFlight === 3, 5000, 'three requests in flight');

	controller.abort();
	for (const error of await Promise.all(pending)) expect(error).toMatchObject({errorClass: 'transient', message: 'aborted'});
	await waitFor(() => simulator!.stats('p').inFlight === 0, 5000, 'the slots to be released');
	expect(simulator.log().map(entry => entry.status)).toEqual([499, 499, 499]);
	expect(simulator.stats('p')).toMatchObject({maxInFlight: 3, served: 0, errors: 0});

	// The freed slots are usable: a fast provider would answer now; here we only check admission.
	const again = new AbortController();
	const next = rejectionOf(client.complete(ask, {timeoutMs: 60_000, signal: again.signal}));
	await waitFor(() => simulator!.stats('p').inFlight === 1, 5000, 'a new request to get a slot');
	again.abort();
	await next;
});

test('a client that hangs up in the middle of its body does not hurt the server', async () => {
	simulator = await startSimulator([spec('p', ['m'], {latencyMs: 1})]);
	const {port} = new URL(simulator.url);
	const socket = connect(Number(port), '127.0.0.1');
	await new Promise(resolve => socket.once('connect', resolve));
	socket.write('POST /p/v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer lanes-simulator-key\r\nContent-Length: 500\r\n\r\n{"model": "m", ');
	await waitFor(() => simulator!.stats('p').requests === 1, 5000, 'the request to arrive');
	socket.destroy();

	const response = await createChatClient(simulator.targets.get('p')!).complete(ask, {timeoutMs: 5000});
	expect(response.text).toBeTruthy();
	expect(simulator.stats('p')).toMatchObject({inFlight: 0, served: 1});
});

test('an already aborted signal fails at once without a request', async () => {
	simulator = await startSimulator([spec('p', ['m'])]);
	const error = await rejectionOf(createChatClient(simulator.targets.get('p')!).complete(ask, {timeoutMs: 1000, signal: AbortSignal.abort()}));
	expect(error).toMatchObject({errorClass: 'transient', message: 'aborted'});
	expect(simulator.stats('p').requests).toBe(0);
});

test('close() ends promptly with requests in flight; their clients see a transient error', async () => {
	const sim = await startSimulator([spec('p', ['m'], {maxConcurrent: 5, rps: 1000, latencyMs: 600_000, latencySigma: 0})]);
	const client = createChatClient(sim.targets.get('p')!);
	const pending = Array.from({length: 5}, async () => rejectionOf(client.complete(ask, {timeoutMs: 600_000})));
	await waitFor(() => sim.stats('p').inFlight === 5, 5000, 'five requests in flight');

	const started = performance.now();
	await sim.close();
	expect(performance.now() - started).toBeLessThan(1000);
	for (const error of await Promise.all(pending)) expect(error.errorClass).toBe('transient');
	expect(sim.stats('p').inFlight).toBe(0);
});

test('resetStats zeroes the counts and the log', async () => {
	simulator = await startSimulator([spec('p', ['m'], {latencyMs: 1})]);
	await createChatClient(simulator.targets.get('p')!).complete(ask, {timeoutMs: 5000});
	simulator.resetStats();
	expect(simulator.stats('p')).toEqual({inFlight: 0, maxInFlight: 0, requests: 0, served: 0, rateLimited: 0, errors: 0, unauthorized: 0});
	expect(simulator.log()).toEqual([]);
	expect(() => simulator!.stats('nobody')).toThrow(/no simulated provider "nobody"/);
});
