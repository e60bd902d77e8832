import {afterEach, describe, expect, it} from 'vitest';
import {systemClock} from '../../source/engine/clock.js';
import {Engine} from '../../source/engine/engine.js';
import {grade} from '../../source/engine/grade.js';
import type {EngineEvent, ItemResult, LaneSpec, TestCase} from '../../source/engine/types.js';
import {createChatClient} from '../../source/providers/chat-client.js';
import {modelAccuracy, simulatedAnswer, startSimulator, type SimulatedProviderSpec, type Simulator} from '../../source/providers/simulator/index.js';
import {spec, waitFor} from '../providers/helpers.js';

// Wall-clock milliseconds for the simulator, so its log lines up with the test's own Date.now().
const wallClock = {...systemClock, now: () => Date.now()};

let simulator: Simulator | undefined;
afterEach(async () => {
	await simulator?.close();
	simulator = undefined;
});

const suite = (n: number): TestCase[] => Array.from({length: n}, (_, i) => ({
	id: `t${i + 1}`, prompt: `What is ${i + 3} + ${2 * i}? Reply with the number only.`, expected: String((3 * i) + 3), match: 'exact' as const,
}));

async function start(specs: SimulatedProviderSpec[]) {
	const startedAt = Date.now();
	simulator = await startSimulator(specs, {clock: wallClock, seed: 7});
	// Log times count from the simulator's start: make them wall-clock ms.
	const log = () => simulator!.log().map(entry => ({...entry, at: startedAt + entry.startedAt}));
	return {simulator, log};
}

function lane(sim: Simulator, name: string, models: string[], overrides: Partial<LaneSpec> = {}): LaneSpec {
	return {
		name, client: createChatClient(sim.targets.get(name)!), models: models.map(model => ({name: model, apiModel: model})),
		concurrency: 4, minConcurrency: 1, maxConcurrency: 64, adaptive: false, ...overrides,
	};
}

function engineFor(lanes: LaneSpec[], tests: TestCase[], retry = {maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 2000}) {
	const results: ItemResult[] = [];
	const events: EngineEvent[] = [];
	const engine = new Engine({
		lanes, tests, retry, request: {timeoutMs: 5000, maxTokens: 16, temperature: 0},
		sink: {recordResult: result => results.push(result)},
	});
	engine.subscribe(event => events.push(event));
	return {engine, results, events};
}

describe('engine against the simulator', () => {
	it('never exceeds a provider\'s limit when configured right, across all its models', async () => {
		const {simulator} = await start([spec('gw', ['m1', 'm2', 'm3', 'm4'], {maxConcurrent: 4, rps: 250, latencyMs: 25, latencySigma: 0.3})]);
		const {engine, results} = engineFor([lane(simulator, 'gw', ['m1', 'm2', 'm3', 'm4'], {concurrency: 4, qps: 200})], suite(30));
		expect(await engine.run()).toBe('completed');
		expect(results).toHaveLength(120);
		const stats = simulator.stats('gw');
		expect(stats.maxInFlight).toBe(4);
		expect(stats.rateLimited).toBe(0);
	});

	it('pauses the whole lane for the advertised Retry-After after a 429', async () => {
		const {simulator, log} = await start([spec('gw', ['m1', 'm2', 'm3'], {maxConcurrent: 50, rps: 4, burst: 1, latencyMs: 10, latencySigma: 0})]);
		// One at a time, so nothing is already on its way when a 429 arrives: any request in the wait is the lane's fault.
		const {engine, events} = engineFor([lane(simulator, 'gw', ['m1', 'm2', 'm3'], {concurrency: 1})], suite(4));
		expect(await engine.run()).toBe('completed');
		const limited = events.filter((event): event is Extract<EngineEvent, {type: 'rate_limited'}> => event.type === 'rate_limited');
		expect(limited.length).toBeGreaterThan(0);
		const requests = log();
		for (const event of limited) {
			// The event is emitted when the 429 arrives; the lane sends nothing, for any model, until the wait is over.
			const during = requests.filter(entry => entry.at > event.at + 2 && entry.at < event.at + event.retryAfterMs - 2);
			expect(during, JSON.stringify({event, requests})).toEqual([]);
		}

		expect(simulator.stats('gw').served).toBe(12);
	});

	it('stops the lane whose key is refused while the other lanes go on', async () => {
		const {simulator} = await start([spec('good', ['a1']), spec('bad', ['b1', 'b2'])].map(s => ({...s, simulate: {...s.simulate, latencyMs: 10}})));
		const badLane = {...lane(simulator, 'bad', ['b1', 'b2'], {concurrency: 3}), client: createChatClient({...simulator.targets.get('bad')!, apiKey: 'wrong-key'})};
		const {engine, results, events} = engineFor([lane(simulator, 'good', ['a1']), badLane], suite(20));
		expect(await engine.run()).toBe('incomplete');
		expect(results.filter(result => result.provider === 'good')).toHaveLength(20);
		expect(results.filter(result => result.provider === 'bad')).toHaveLength(0);
		expect(simulator.stats('bad').unauthorized).toBeLessThanOrEqual(3);
		expect(events.find(event => event.type === 'lane_stopped')).toMatchObject({lane: 'bad'});
		expect(engine.snapshot().lanes[1]).toMatchObject({state: 'stopped', pending: 40});
	});

	it('runs batches of models with a rest between cohorts', async () => {
		const {simulator, log} = await start([spec('gw', ['m1', 'm2', 'm3', 'm4', 'm5'], {maxConcurrent: 20, rps: 500, latencyMs: 10})]);
		const {engine} = engineFor([lane(simulator, 'gw', ['m1', 'm2', 'm3', 'm4', 'm5'], {batch: {size: 2, pauseSeconds: 0.3}})], suite(6));
		expect(await engine.run()).toBe('completed');
		const requests = log();
		const span = (models: string[]) => {
			const times = requests.filter(entry => models.includes(entry.model)).map(entry => entry.at);
			return {first: Math.min(...times), last: Math.max(...times)};
		};

		const cohorts = [span(['m1', 'm2']), span(['m3', 'm4']), span(['m5'])];
		for (let i = 1; i < cohorts.length; i++) expect(cohorts[i]!.first - cohorts[i - 1]!.last).toBeGreaterThanOrEqual(300);
	});

	it('setConcurrency and pause take effect at the provider', async () => {
		const {simulator, log} = await start([spec('gw', ['m1', 'm2'], {maxConcurrent: 50, rps: 1000, latencyMs: 40, latencySigma: 0.1}), spec('other', ['o1'], {latencyMs: 40})]);
		const {engine} = engineFor([lane(simulator, 'gw', ['m1', 'm2'], {concurrency: 2}), lane(simulator, 'other', ['o1'], {concurrency: 2})], suite(400));
		const done = engine.run();
		await waitFor(() => simulator.stats('gw').served >= 10, 5000, 'gw serving');
		expect(simulator.stats('gw').maxInFlight).toBe(2);
		engine.setConcurrency('gw', 7);
		await waitFor(() => simulator.stats('gw').inFlight === 7, 5000, '7 in flight at the simulator');

		engine.pause('gw');
		const pausedAt = Date.now();
		await waitFor(() => simulator.stats('gw').inFlight === 0, 5000, 'in-flight requests to finish');
		const otherBefore = simulator.stats('other').served;
		await waitFor(() => simulator.stats('other').served >= otherBefore + 10, 5000, 'the other lane to go on');
		expect(log().filter(entry => entry.provider === 'gw' && entry.at > pausedAt + 2)).toEqual([]);

		engine.resume('gw');
		const resumedAt = Date.now();
		await waitFor(() => log().some(entry => entry.provider === 'gw' && entry.at >= resumedAt), 5000, 'gw requests after resume');
		engine.stop();
		engine.stop();
		expect(await done).toBe('interrupted');
	});

	it('gives every item exactly one final result under a 10% 5xx rate with outages', async () => {
		const simulate = {maxConcurrent: 10, rps: 400, latencyMs: 8, errorRate: 0.1, outages: [{atSeconds: 0.2, forSeconds: 0.15}, {atSeconds: 0.6, forSeconds: 0.1}]};
		const specs = [spec('gw', ['m1', 'm2', 'm3'], simulate), spec('az', ['a1'], {...simulate, dialect: 'azure'})];
		const {simulator} = await start(specs);
		const tests = suite(60);
		const {engine, results} = engineFor([lane(simulator, 'gw', ['m1', 'm2', 'm3'], {concurrency: 6, adaptive: true}), lane(simulator, 'az', ['a1'], {concurrency: 4, adaptive: true})], tests, {maxAttempts: 10, baseDelayMs: 20, maxDelayMs: 400});
		expect(await engine.run()).toBe('completed');
		expect(results).toHaveLength(240);
		expect(new Set(results.map(result => `${result.model}/${result.testId}`)).size).toBe(240);
		expect(simulator.stats('gw').errors + simulator.stats('az').errors).toBeGreaterThan(20);
		// The answers are the simulator's deterministic ones: pass counts are known in advance.
		for (const result of results) {
			const s = specs.find(p => p.name === result.provider)!;
			const test = tests.find(t => t.id === result.testId)!;
			expect(result.status).toBe(grade(test, simulatedAnswer(result.model, test.prompt, modelAccuracy(result.model, s.simulate))));
		}
	});
});
