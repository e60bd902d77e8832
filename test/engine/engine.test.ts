import {describe, expect, it} from 'vitest';
import {sleep} from '../../source/engine/clock.js';
import {Engine} from '../../source/engine/engine.js';
import type {EngineEvent, ItemResult, LaneSpec, TestCase} from '../../source/engine/types.js';
import {ProviderError, type ChatClient, type ChatRequest} from '../../source/providers/types.js';
import {FakeClock} from '../helpers/fake-clock.js';

type Reply = {latencyMs: number; error?: ProviderError; text?: string};

/** A provider on the fake clock that counts what it sees. */
class FakeProvider implements ChatClient {
	inFlight = 0;
	maxInFlight = 0;
	readonly sent: Array<{model: string; prompt: string; at: number}> = [];

	constructor(private readonly clock: FakeClock, private readonly reply: (request: ChatRequest, index: number) => Reply = () => ({latencyMs: 100})) {}

	async complete(request: ChatRequest, options: {signal?: AbortSignal}) {
		const index = this.sent.length;
		this.sent.push({model: request.model, prompt: request.prompt, at: this.clock.now()});
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		try {
			const reply = this.reply(request, index);
			await sleep(this.clock, reply.latencyMs, options.signal).catch(() => {
				throw new ProviderError('transient', 'aborted');
			});
			if (reply.error) throw reply.error;
			return {text: reply.text ?? 'OK'};
		} finally {
			this.inFlight--;
		}
	}
}

const tests = (n: number): TestCase[] => Array.from({length: n}, (_, i) => ({id: `t${i + 1}`, prompt: `p${i + 1}`, expected: 'OK', match: 'exact' as const}));

function lane(name: string, client: ChatClient, models: string[], overrides: Partial<LaneSpec> = {}): LaneSpec {
	return {
		name, client, models: models.map(model => ({name: model, apiModel: model})),
		concurrency: 2, minConcurrency: 1, maxConcurrency: 50, adaptive: false, ...overrides,
	};
}

function setup(lanes: LaneSpec[], testCount: number, prior: ItemResult[] = [], clock = new FakeClock()) {
	const results: ItemResult[] = [];
	const events: EngineEvent[] = [];
	const engine = new Engine({
		lanes, tests: tests(testCount), prior, clock, random: () => 0.5,
		request: {timeoutMs: 10_000, maxTokens: 10, temperature: 0},
		retry: {maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 5000},
		sink: {recordResult: result => results.push(result)},
	});
	engine.subscribe(event => events.push(event));
	return {engine, results, events, clock};
}

describe('Engine', () => {
	it('gives every (model, test) exactly one result and never exceeds the concurrency', async () => {
		const clock = new FakeClock();
		const a = new FakeProvider(clock);
		const b = new FakeProvider(clock);
		const {engine, results} = setup([lane('a', a, ['m1', 'm2'], {concurrency: 3}), lane('b', b, ['m3'], {concurrency: 5})], 10, [], clock);
		const done = engine.run();
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		expect(await done).toBe('completed');
		expect(results).toHaveLength(30);
		expect(new Set(results.map(r => `${r.model}/${r.testId}`)).size).toBe(30);
		expect(a.maxInFlight).toBe(3);
		expect(b.maxInFlight).toBe(5);
		expect(engine.snapshot().totals).toEqual({items: 30, passed: 30, failed: 0, errored: 0, pending: 0});
	});

	it('keeps the operator\'s number when adaptive control is off, however well things go', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock);
		const {engine} = setup([lane('a', provider, ['m1', 'm2'], {concurrency: 2, adaptive: false})], 200, [], clock);
		void engine.run();
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		expect(provider.maxInFlight).toBe(2);
		expect(engine.snapshot().lanes[0]!.concurrency).toBe(2);
	});

	it('interleaves a lane\'s models so they progress together', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock);
		const {engine} = setup([lane('a', provider, ['m1', 'm2', 'm3'], {concurrency: 1})], 4, [], clock);
		void engine.run();
		await clock.advanceUntil(() => provider.sent.length >= 6);
		expect(provider.sent.slice(0, 6).map(s => s.model)).toEqual(['m1', 'm2', 'm3', 'm1', 'm2', 'm3']);
	});

	it('keeps requests per second under the qps cap', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock, () => ({latencyMs: 10}));
		const {engine} = setup([lane('a', provider, ['m1'], {concurrency: 20, qps: 5})], 50, [], clock);
		void engine.run();
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		for (const {at} of provider.sent) {
			expect(provider.sent.filter(s => s.at >= at && s.at < at + 1000).length).toBeLessThanOrEqual(5);
		}
	});

	it('pauses the whole lane for the advertised Retry-After after a 429, then retries that item', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock, (_, index) => index === 3
			? {latencyMs: 5, error: new ProviderError('rate_limit', 'HTTP 429', {status: 429, retryAfterMs: 2000})}
			: {latencyMs: 100});
		const {engine, results, events} = setup([lane('a', provider, ['m1', 'm2'], {concurrency: 4})], 10, [], clock);
		void engine.run();
		await clock.advanceUntil(() => events.some(e => e.type === 'rate_limited'));
		const limitedAt = provider.sent[3]!.at + 5;
		expect(engine.snapshot().lanes[0]!.state).toBe('cooling');
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		const sentDuringWait = provider.sent.filter(s => s.at > limitedAt && s.at < limitedAt + 2000);
		expect(sentDuringWait).toEqual([]);
		expect(provider.sent.filter(s => s.at >= limitedAt + 2000).length).toBeGreaterThan(0);
		expect(results).toHaveLength(20);
		expect(results.find(r => r.model === provider.sent[3]!.model && r.testId === `t${provider.sent[3]!.prompt.slice(1)}`)?.attempts).toBe(2);
	});

	it('a provider that comes back from an outage answering 429s is up: the lane waits out the 429s and finishes', async () => {
		const clock = new FakeClock();
		// 503 to everything for the first 2 s, then 429s (the provider shedding the returning load) for 3 s.
		const provider = new FakeProvider(clock, () => {
			const now = clock.now();
			if (now < 2000) return {latencyMs: 20, error: new ProviderError('transient', 'HTTP 503', {status: 503})};
			if (now < 5000) return {latencyMs: 5, error: new ProviderError('rate_limit', 'HTTP 429', {status: 429, retryAfterMs: 500})};
			return {latencyMs: 100};
		});
		const {engine, results, events} = setup([lane('a', provider, ['m1'], {concurrency: 4})], 12, [], clock);
		const run = engine.run();
		await clock.advanceUntil(() => events.some(e => e.type === 'outage' && e.phase === 'down'));
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined, {limitMs: 120_000});
		expect(await run).toBe('completed');
		expect(events.some(e => e.type === 'outage' && e.phase === 'up')).toBe(true);
		expect(results.filter(result => result.status === 'passed')).toHaveLength(12);
		// Up once a probe was answered 429: what followed went at the 429s' pace (500 ms), not one probe per interval.
		expect(provider.sent.filter(s => s.at >= 2000 && s.at < 5000).length).toBeGreaterThanOrEqual(3);
	});

	it('retries transient failures with backoff and errors an item after maxAttempts', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock, request => request.prompt === 'p2'
			? {latencyMs: 10, error: new ProviderError('transient', 'HTTP 503', {status: 503})}
			: {latencyMs: 10});
		const {engine, results} = setup([lane('a', provider, ['m1'])], 3, [], clock);
		void engine.run();
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		expect(results.find(r => r.testId === 't2')).toMatchObject({status: 'errored', attempts: 4, errorClass: 'transient'});
		expect(provider.sent.filter(s => s.prompt === 'p2')).toHaveLength(4);
		expect(engine.snapshot().lanes[0]!.retries).toBe(3);
	});

	it('fails a permanent error at once', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock, request => request.prompt === 'p1'
			? {latencyMs: 10, error: new ProviderError('permanent', 'HTTP 400', {status: 400})}
			: {latencyMs: 10});
		const {engine, results} = setup([lane('a', provider, ['m1'])], 2, [], clock);
		void engine.run();
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		expect(results.find(r => r.testId === 't1')).toMatchObject({status: 'errored', attempts: 1, errorClass: 'permanent'});
	});

	it('stops only the lane whose key is refused, and ends incomplete', async () => {
		const clock = new FakeClock();
		const bad = new FakeProvider(clock, () => ({latencyMs: 10, error: new ProviderError('auth', 'HTTP 401', {status: 401})}));
		const good = new FakeProvider(clock);
		const {engine, results} = setup([lane('bad', bad, ['m1'], {keyVariable: 'BAD_KEY'}), lane('good', good, ['m2'])], 10, [], clock);
		const done = engine.run();
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		expect(await done).toBe('incomplete');
		expect(bad.sent.length).toBeLessThanOrEqual(2);
		expect(results.filter(r => r.provider === 'good')).toHaveLength(10);
		const badLane = engine.snapshot().lanes[0]!;
		expect(badLane).toMatchObject({state: 'stopped', pending: 10});
		expect(badLane.reason).toContain('HTTP 401');
		// Which variable to fix, never the key itself.
		expect(badLane.reason).toContain('BAD_KEY');
	});

	it('runs batches as cohorts with a rest in between, and skipRest ends a rest', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock);
		const {engine, events} = setup([lane('a', provider, ['m1', 'm2', 'm3', 'm4', 'm5'], {concurrency: 4, batch: {size: 2, pauseSeconds: 30}})], 3, [], clock);
		void engine.run();
		await clock.advanceUntil(() => engine.snapshot().lanes[0]!.state === 'resting');
		const firstRestAt = clock.now();
		expect(new Set(provider.sent.map(s => s.model))).toEqual(new Set(['m1', 'm2']));
		expect(engine.snapshot().lanes[0]!.batch).toEqual({index: 2, count: 3});
		await clock.advanceUntil(() => provider.sent.some(s => s.model === 'm3'));
		expect(provider.sent.find(s => s.model === 'm3')!.at - firstRestAt).toBe(30_000);
		await clock.advanceUntil(() => engine.snapshot().lanes[0]!.state === 'resting');
		engine.skipRest('a');
		await clock.advance(1);
		expect(provider.sent.some(s => s.model === 'm5')).toBe(true);
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		expect(events.filter(e => e.type === 'batch' && e.phase === 'start').map(e => e.type === 'batch' && e.index)).toEqual([1, 2, 3]);
	});

	it('takes pause before the next dispatch and setConcurrency at once', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock);
		const {engine} = setup([lane('a', provider, ['m1'], {concurrency: 2})], 40, [], clock);
		void engine.run();
		await clock.advance(50);
		engine.pause('a');
		const sentAtPause = provider.sent.length;
		await clock.advance(1000);
		expect(provider.sent.length).toBe(sentAtPause);
		expect(engine.snapshot().lanes[0]).toMatchObject({state: 'paused', inFlight: 0});
		engine.setConcurrency('a', 6);
		engine.resume('a');
		await clock.advance(50);
		expect(provider.inFlight).toBe(6);
		engine.setConcurrency('a', 1);
		await clock.advance(200);
		expect(provider.inFlight).toBe(1);
	});

	it('stops gracefully (in-flight finish and are recorded), then aborts on a second stop', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock, () => ({latencyMs: 1000}));
		const {engine, results} = setup([lane('a', provider, ['m1'], {concurrency: 3})], 20, [], clock);
		const done = engine.run();
		await clock.advance(10);
		engine.stop();
		expect(engine.snapshot().lanes[0]!.state).toBe('stopping');
		await clock.advance(1000);
		expect(await done).toBe('interrupted');
		expect(results).toHaveLength(3);
		expect(provider.sent).toHaveLength(3);

		const second = setup([lane('a', new FakeProvider(clock, () => ({latencyMs: 1000})), ['m1'], {concurrency: 3})], 20, [], clock);
		const secondDone = second.engine.run();
		await clock.advance(10);
		second.engine.stop();
		second.engine.stop();
		await clock.advance(1);
		expect(await secondDone).toBe('interrupted');
		expect(second.results).toHaveLength(0);
		expect(second.engine.snapshot().totals.pending).toBe(20);
	});

	it('ends the run when the store cannot take a result, without retrying the request or counting it', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock);
		const engine = new Engine({
			lanes: [lane('a', provider, ['m1'], {concurrency: 2})], tests: tests(10), clock,
			request: {timeoutMs: 1000, maxTokens: 10, temperature: 0}, retry: {maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100},
			sink: {recordResult() {
				throw new Error('data/lanes.db: disk I/O error');
			}},
		});
		const done = engine.run();
		const failed = expect(done).rejects.toThrow('disk I/O error');
		await clock.advance(1000);
		await failed;
		expect(provider.sent).toHaveLength(2);
		expect(engine.snapshot().totals.passed).toBe(0);
	});

	it('skips items that already have a final result', async () => {
		const clock = new FakeClock();
		const provider = new FakeProvider(clock);
		const prior: ItemResult[] = [{provider: 'a', model: 'm1', testId: 't1', status: 'passed', attempts: 1, finishedAt: 0}];
		const {engine, results} = setup([lane('a', provider, ['m1'])], 3, prior, clock);
		void engine.run();
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		expect(provider.sent.map(s => s.prompt).sort()).toEqual(['p2', 'p3']);
		expect(results).toHaveLength(2);
		expect(engine.snapshot().totals).toMatchObject({items: 3, passed: 3});
	});

	it('lowers the concurrency on 429s and raises it again while all is well', async () => {
		const clock = new FakeClock();
		// A provider whose shared budget is 4 at once: the fifth gets a 429.
		let busy = 0;
		const provider: ChatClient = {
			async complete() {
				if (busy >= 4) throw new ProviderError('rate_limit', 'HTTP 429', {status: 429, retryAfterMs: 50});
				busy++;
				try {
					await sleep(clock, 200);
					return {text: 'OK'};
				} finally {
					busy--;
				}
			},
		};
		const {engine, events} = setup([lane('a', provider, ['m1'], {concurrency: 12, adaptive: true})], 300, [], clock);
		void engine.run();
		await clock.advanceUntil(() => engine.snapshot().finished !== undefined);
		const limits = events.filter(e => e.type === 'limit');
		expect(limits.some(e => e.type === 'limit' && e.cause === 'rate_limit')).toBe(true);
		expect(limits.some(e => e.type === 'limit' && e.cause === 'increase')).toBe(true);
		const lane0 = engine.snapshot().lanes[0]!;
		expect(lane0.rateLimited / lane0.requests).toBeLessThan(0.1);
		expect(lane0.concurrency).toBeGreaterThanOrEqual(3);
		expect(lane0.concurrency).toBeLessThanOrEqual(5);
	});

	it('sends a second copy of a request in the provider\'s tail once nothing else is left; the first answer counts, once', async () => {
		const slowFirst = (request: ChatRequest, index: number): Reply => ({latencyMs: request.prompt === 'p40' && index < 40 ? 8000 : 100});
		const runWith = async (hedge: boolean | undefined) => {
			const clock = new FakeClock();
			const provider = new FakeProvider(clock, slowFirst);
			const {engine, results} = setup([lane('a', provider, ['m1'], {concurrency: 4, hedge})], 40, [], clock);
			const done = engine.run();
			await clock.advanceUntil(() => engine.snapshot().finished !== undefined, {stepMs: 50});
			expect(await done).toBe('completed');
			return {endedAt: clock.now(), results, sent: provider.sent.length};
		};

		const hedged = await runWith(undefined);
		expect(hedged.results).toHaveLength(40);
		expect(new Set(hedged.results.map(result => result.testId)).size).toBe(40);
		// One extra request at the provider, for the one slow item, and the lane did not wait out its 8 s.
		expect(hedged.sent).toBe(41);
		expect(hedged.results.find(result => result.testId === 't40')?.attempts).toBe(2);
		expect(hedged.endedAt).toBeLessThan(3000);

		const plain = await runWith(false);
		expect(plain.sent).toBe(40);
		expect(plain.endedAt).toBeGreaterThanOrEqual(8000);
	});

	it('in the first window of a slow provider, grows on admissions: not refused within a few round trips', async () => {
		const fill = async (roundTripMs: number | undefined) => {
			const clock = new FakeClock();
			let refused = 0;
			const provider: FakeProvider = new FakeProvider(clock, () => {
				if (provider.inFlight <= 32) return {latencyMs: 30_000};
				refused++;
				return {latencyMs: 1, error: new ProviderError('rate_limit', '429', {retryAfterMs: 50})};
			});
			const client: ChatClient = {complete: async (request, options) => provider.complete(request, options), roundTripMs: async () => roundTripMs};
			const {engine} = setup([lane('a', client, ['m1', 'm2'], {concurrency: 2, adaptive: true, maxConcurrency: 64})], 100, [], clock);
			void engine.run();
			// Well inside the first 30 s answer.
			await clock.advance(5000);
			const inFlight = provider.inFlight;
			engine.stop();
			engine.stop();
			await clock.advanceUntil(() => engine.snapshot().finished !== undefined, {stepMs: 100});
			return {inFlight, refused};
		};

		const measured = await fill(1);
		expect(measured.inFlight).toBe(32);
		expect(measured.refused).toBeLessThanOrEqual(2);
		// Without a round trip to go by, the lane waits for the first answers, as TCP's slow start does.
		expect((await fill(undefined)).inFlight).toBe(2);
	});
});
