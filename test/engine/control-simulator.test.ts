import {afterEach, describe, expect, it} from 'vitest';
import {systemClock} from '../../source/engine/clock.js';
import {Engine} from '../../source/engine/engine.js';
import type {EngineEvent, ItemResult, LaneSpec, TestCase} from '../../source/engine/types.js';
import {createChatClient} from '../../source/providers/chat-client.js';
import {startSimulator, type SimulatedProviderSpec, type Simulator} from '../../source/providers/simulator/index.js';
import {estimateTokens} from '../../source/providers/token-estimate.js';
import {deadUrl, spec} from '../providers/helpers.js';

// Wall-clock ms, so the simulator's log and the engine's events share one time line.
const wallClock = {...systemClock, now: () => Date.now()};
const maxTokens = 16;

let simulator: Simulator | undefined;
afterEach(async () => {
	await simulator?.close();
	simulator = undefined;
});

const suite = (n: number): TestCase[] => Array.from({length: n}, (_, i) => ({id: `t${i + 1}`, prompt: `Question ${i + 1}: what is ${i} + ${i}?`, expected: String(2 * i), match: 'exact' as const}));

async function start(specs: SimulatedProviderSpec[]) {
	simulator = await startSimulator(specs, {clock: wallClock, seed: 3});
	return simulator;
}

function lane(sim: Simulator, name: string, models: string[], overrides: Partial<LaneSpec> = {}): LaneSpec {
	return {
		name, client: createChatClient(sim.targets.get(name)!), models: models.map(model => ({name: model, apiModel: model})),
		concurrency: 4, minConcurrency: 1, maxConcurrency: 64, adaptive: true, ...overrides,
	};
}

function run(lanes: LaneSpec[], tests: TestCase[]) {
	const results: ItemResult[] = [];
	const events: Array<EngineEvent & {seenAt: number}> = [];
	const engine = new Engine({
		lanes, tests, retry: {maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 2000}, request: {timeoutMs: 5000, maxTokens, temperature: 0},
		sink: {recordResult: result => results.push(result)}, random: () => 0.5,
	});
	engine.subscribe(event => events.push({...event, seenAt: Date.now()}));
	return {engine, results, events};
}

const models = (n: number) => Array.from({length: n}, (_, i) => `m${i + 1}`);

describe('control against the simulator, counted at the provider', () => {
	it('during an outage at most one request per probe interval reaches the provider, and the run completes once it is back', async () => {
		// 20 ms answers; down from 0.3 s to 1.8 s (503 to everything).
		const sim = await start([spec('gw', models(10), {maxConcurrent: 16, rps: 1000, latencyMs: 20, latencySigma: 0.2, outages: [{atSeconds: 0.3, forSeconds: 1.5, status: 503}]})]);
		const startedAt = Date.now();
		const {engine, results, events} = run([lane(sim, 'gw', models(10), {concurrency: 8})], suite(40));
		expect(await engine.run()).toBe('completed');
		expect(new Set(results.map(result => `${result.model}/${result.testId}`)).size).toBe(400);
		expect(results.every(result => result.status !== 'errored')).toBe(true);

		const down = events.find(event => event.type === 'outage' && event.phase === 'down');
		const up = events.find(event => event.type === 'outage' && event.phase === 'up');
		expect(down, 'the lane saw the provider go down').toBeDefined();
		expect(up, 'and come back').toBeDefined();
		// Requests that reached the provider while the lane held it down: after those in flight when it went down
		// came back, only probes, never two at once, each at least the first probe interval (less jitter) apart.
		const firstInterval = (down as {probeEveryMs: number}).probeEveryMs;
		// Requests sent before it went down can reach the provider well after, on a busy machine.
		const settled = down!.seenAt + 400;
		const arrivals = sim.log().map(entry => startedAt + entry.startedAt).filter(at => at > settled && at < up!.seenAt - 5).sort((a, b) => a - b);
		const gaps = arrivals.slice(1).map((at, index) => at - arrivals[index]!);
		for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(firstInterval * 0.8 - 5);
		// 1.5 s down with probes from 40 ms doubling to 600 ms: a handful, not hundreds.
		expect(arrivals.length).toBeLessThan(15);
		// What was in flight when it went down, what went before the failures in a row that marked it came back, and the probes:
		// the flood this guards against was three in four requests refused.
		const stats = sim.stats('gw');
		expect(stats.errors / stats.requests).toBeLessThan(0.15);
	});

	it('a tokens-per-minute quota told to the lane is never exceeded at the provider', async () => {
		const tests = suite(30);
		const perRequest = estimateTokens({...tests[0]!, maxTokens});
		// About 8 requests a second fit the quota; the provider itself would take 100.
		const tpm = perRequest * 8 * 60;
		const sim = await start([spec('az', models(3), {dialect: 'azure', maxConcurrent: 50, rps: 100, tpm, latencyMs: 30, latencySigma: 0.2})]);
		const {engine, results} = run([lane(sim, 'az', models(3), {concurrency: 8, tpm})], tests);
		expect(await engine.run()).toBe('completed');
		expect(results).toHaveLength(90);
		expect(sim.stats('az').rateLimited).toBe(0);
	});

	it('a lane fixed far above the provider\'s limits keeps to them: few 429s, not a flood', async () => {
		const sim = await start([spec('gw', models(5), {maxConcurrent: 6, rps: 60, latencyMs: 40, latencySigma: 0.2})]);
		const {engine, results} = run([lane(sim, 'gw', models(5), {concurrency: 64, maxConcurrency: 64, adaptive: false})], suite(40));
		expect(await engine.run()).toBe('completed');
		expect(results).toHaveLength(200);
		const stats = sim.stats('gw');
		expect(stats.maxInFlight).toBeLessThanOrEqual(6);
		expect(stats.rateLimited / stats.requests).toBeLessThan(0.1);
	});

	it('an unreachable lane stops within a few attempts, its items pending, while the other lane finishes', async () => {
		const sim = await start([spec('ok', models(2), {maxConcurrent: 8, rps: 500, latencyMs: 10})]);
		const dead = `${await deadUrl()}/v1`;
		const deadLane: LaneSpec = {...lane(sim, 'ok', models(2)), name: 'dead', client: createChatClient({dialect: 'openai', baseURL: dead, apiKey: 'k'}), models: [{name: 'd1', apiModel: 'd1'}]};
		const {engine, results, events} = run([lane(sim, 'ok', models(2)), deadLane], suite(10));
		expect(await engine.run()).toBe('incomplete');
		expect(results.filter(result => result.provider === 'ok')).toHaveLength(20);
		expect(results.filter(result => result.provider === 'dead')).toHaveLength(0);
		const stopped = events.find(event => event.type === 'lane_stopped');
		expect(stopped).toMatchObject({lane: 'dead', reason: expect.stringMatching(/^cannot reach 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)$/)});
		// The requests in flight at once when the first refusals came back, and no more than a few after.
		const attempts = events.filter(event => event.type === 'attempt' && event.attempt.provider === 'dead');
		expect(attempts.length).toBeLessThanOrEqual(4 + 3);
	});
});
