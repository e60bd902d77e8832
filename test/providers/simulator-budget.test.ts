import {afterEach, expect, test} from 'vitest';
import {createChatClient} from '../../source/providers/chat-client.js';
import {startSimulator, type Simulator, type SimRequestLog} from '../../source/providers/simulator/index.js';
import {ProviderError} from '../../source/providers/types.js';
import {spec, waitFor} from './helpers.js';

let simulator: Simulator | undefined;
afterEach(async () => simulator?.close());

const ask = (model: string) => ({model, prompt: 'What is 1 + 1?', maxTokens: 16, temperature: 0});
const outcome = async (promise: Promise<unknown>) => promise.then(() => 'ok' as const, (error: unknown) => error as ProviderError);

/** The most served requests that overlapped at any moment, from the log alone. */
function maxOverlap(entries: SimRequestLog[]): number {
	const edges = entries.flatMap(entry => [[entry.startedAt, 1], [entry.endedAt, -1]] as const);
	// Ends before starts at the same instant: a slot freed at t can be taken at t.
	edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
	let current = 0;
	let most = 0;
	for (const [, delta] of edges) most = Math.max(most, current += delta);
	return most;
}

test('one concurrency cap shared by all models of a provider; the excess gets rate_limit with a wait', async () => {
	const models = ['a', 'b', 'c'];
	simulator = await startSimulator([spec('shared', models, {maxConcurrent: 4, rps: 100_000, latencyMs: 1000, latencySigma: 0})], {timeScale: 0.2});
	const client = createChatClient(simulator.targets.get('shared')!);
	const results = await Promise.all(Array.from({length: 30}, async (_, index) => outcome(client.complete(ask(models[index % 3]!), {timeoutMs: 5000}))));

	const stats = simulator.stats('shared');
	expect(stats.maxInFlight).toBeLessThanOrEqual(4);
	expect(stats.maxInFlight).toBe(4);
	expect(stats.served + stats.rateLimited).toBe(30);
	expect(stats.rateLimited).toBeGreaterThan(0);
	expect(maxOverlap(simulator.log().filter(entry => entry.status === 200))).toBeLessThanOrEqual(4);
	const refusals = results.filter(result => result !== 'ok');
	expect(refusals).toHaveLength(stats.rateLimited);
	for (const error of refusals) {
		expect(error).toBeInstanceOf(ProviderError);
		expect(error).toMatchObject({errorClass: 'rate_limit', status: 429});
		// A slot frees about every median latency / slots: 1000 ms * 0.2 / 4.
		expect(error.retryAfterMs).toBe(50);
	}
});

test('the token bucket admits burst at once, then rps: its 429s say when the next token comes', async () => {
	simulator = await startSimulator([spec('bucket', ['m'], {maxConcurrent: 100, rps: 1, burst: 5, latencyMs: 10, latencySigma: 0})]);
	const client = createChatClient(simulator.targets.get('bucket')!);
	const results = await Promise.all(Array.from({length: 20}, async () => outcome(client.complete(ask('m'), {timeoutMs: 5000}))));
	expect(results.filter(result => result === 'ok')).toHaveLength(5);
	for (const error of results.filter(result => result !== 'ok')) {
		expect(error).toMatchObject({errorClass: 'rate_limit', status: 429});
		expect(error.retryAfterMs).toBeGreaterThan(0);
		expect(error.retryAfterMs).toBeLessThanOrEqual(1000);
	}

	// What the SDK turned into that error: OpenAI's headers and body.
	const response = await fetch(`${simulator.url}/bucket/v1/chat/completions`, {method: 'POST', headers: {authorization: 'Bearer lanes-simulator-key'}, body: JSON.stringify({model: 'm', messages: [{role: 'user', content: 'hi'}]})});
	expect(response.status).toBe(429);
	expect(response.headers.get('retry-after')).toBe('1');
	expect(Number(response.headers.get('retry-after-ms'))).toBeGreaterThan(0);
	expect(response.headers.get('x-ratelimit-limit-requests')).toBe('5');
	expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
	expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?m?s$/);
	expect(await response.json()).toMatchObject({error: {message: expect.any(String), type: 'requests', code: 'rate_limit_exceeded'}});
});

test('over time the bucket serves burst + rps x elapsed, and no more', async () => {
	simulator = await startSimulator([spec('rate', ['m'], {maxConcurrent: 100, rps: 20, burst: 5, latencyMs: 1, latencySigma: 0})]);
	const client = createChatClient(simulator.targets.get('rate')!);
	const started = performance.now();
	let served = 0;
	// Eight workers that honour retryAfterMs, as the engine does: more than the burst from the first moment.
	await Promise.all(Array.from({length: 8}, async () => {
		while (performance.now() - started < 500) {
			const result = await outcome(client.complete(ask('m'), {timeoutMs: 5000}));
			if (result === 'ok') served++;
			else await new Promise(resolve => setTimeout(resolve, result.retryAfterMs));
		}
	}));
	const allowed = 5 + (20 * (performance.now() - started) / 1000);
	// The bucket never gives more than this; a loaded machine may take less of it.
	expect(served).toBeLessThanOrEqual(Math.floor(allowed));
	expect(served).toBeGreaterThan(5);
	expect(simulator.stats('rate').rateLimited).toBeGreaterThan(0);
});

test('two providers have independent budgets', async () => {
	simulator = await startSimulator([
		spec('busy', ['x'], {maxConcurrent: 2, rps: 1000, latencyMs: 60_000, latencySigma: 0}),
		spec('idle', ['y'], {maxConcurrent: 2, rps: 1000, latencyMs: 10, latencySigma: 0}),
	]);
	const busy = createChatClient(simulator.targets.get('busy')!);
	const idle = createChatClient(simulator.targets.get('idle')!);
	const controller = new AbortController();
	const held = [0, 1].map(async () => outcome(busy.complete(ask('x'), {timeoutMs: 60_000, signal: controller.signal})));
	await waitFor(() => simulator!.stats('busy').inFlight === 2, 5000, 'busy to fill its slots');

	expect(await outcome(busy.complete(ask('x'), {timeoutMs: 5000}))).toMatchObject({errorClass: 'rate_limit'});
	expect(await outcome(idle.complete(ask('y'), {timeoutMs: 5000}))).toBe('ok');
	expect(await outcome(idle.complete(ask('y'), {timeoutMs: 5000}))).toBe('ok');
	controller.abort();
	await Promise.all(held);
});

test('an OpenAI-dialect answer says how long the provider worked on it (openai-processing-ms), within what the client waited', async () => {
	simulator = await startSimulator([
		spec('openai', ['x'], {maxConcurrent: 4, rps: 1000, latencyMs: 200, latencySigma: 0}),
		spec('azure', {y: 'y-deployment'}, {dialect: 'azure', maxConcurrent: 4, rps: 1000, latencyMs: 200, latencySigma: 0}),
	]);
	const started = performance.now();
	const answer = await createChatClient(simulator.targets.get('openai')!).complete(ask('x'), {timeoutMs: 5000});
	const waited = performance.now() - started;
	expect(answer.processingMs).toBe(200);
	expect(answer.processingMs!).toBeLessThanOrEqual(waited);
	// Azure OpenAI is not known to send it: the simulator does not either.
	expect((await createChatClient(simulator.targets.get('azure')!).complete(ask('y-deployment'), {timeoutMs: 5000})).processingMs).toBeUndefined();
});
