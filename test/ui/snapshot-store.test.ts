import {describe, expect, it, vi} from 'vitest';
import type {EngineEvent} from '../../source/engine/types.js';
import {createSnapshotStore} from '../../source/ui/snapshot-store.js';
import {FakeClock} from '../helpers/fake-clock.js';
import {FakeEngine, lane, snapshot} from './fake-engine.js';

const at = Date.UTC(2025, 7, 13, 12);

function result(index: number): EngineEvent {
	return {type: 'result', result: {provider: 'azure', model: 'm', testId: `t${index}`, status: 'passed', attempts: 1, finishedAt: at}};
}

describe('snapshot store', () => {
	it('coalesces 1000 events into at most a few publishes', async () => {
		const clock = new FakeClock();
		const engine = new FakeEngine(snapshot([lane('azure')]));
		const store = createSnapshotStore(engine, {intervalMs: 100, clock});
		const listener = vi.fn();
		store.subscribe(listener);
		for (let index = 0; index < 1000; index++) engine.emit(result(index));
		expect(listener).not.toHaveBeenCalled();
		await clock.advance(100);
		expect(listener).toHaveBeenCalledTimes(1);

		// The same thousand spread over one second: no more than one publish per 100 ms.
		listener.mockClear();
		for (let index = 0; index < 1000; index++) {
			engine.emit(result(index));
			await clock.advance(1);
		}

		await clock.advance(100);
		expect(listener.mock.calls.length).toBeGreaterThan(0);
		expect(listener.mock.calls.length).toBeLessThanOrEqual(11);
		store.dispose();
	});

	it('publishes a fresh engine snapshot, immutable between publishes', async () => {
		const clock = new FakeClock();
		const engine = new FakeEngine(snapshot([lane('azure')]));
		const store = createSnapshotStore(engine, {intervalMs: 100, clock});
		const first = store.getSnapshot();
		engine.push(snapshot([lane('azure', {inFlight: 7})]));
		engine.emit(result(1));
		expect(store.getSnapshot()).toBe(first);
		await clock.advance(100);
		expect(store.getSnapshot()).not.toBe(first);
		expect(store.getSnapshot().engine.lanes[0]!.inFlight).toBe(7);
		store.dispose();
	});

	it('refreshes once a second while idle, so countdowns tick', async () => {
		const clock = new FakeClock();
		const engine = new FakeEngine(snapshot([lane('azure')]));
		const store = createSnapshotStore(engine, {intervalMs: 100, clock});
		const listener = vi.fn();
		store.subscribe(listener);
		await clock.advance(999);
		expect(listener).toHaveBeenCalledTimes(0);
		await clock.advance(1);
		expect(listener).toHaveBeenCalledTimes(1);
		await clock.advance(3000);
		expect(listener).toHaveBeenCalledTimes(4);
		store.dispose();
		await clock.advance(5000);
		expect(listener).toHaveBeenCalledTimes(4);
		expect(engine.listenerCount).toBe(0);
	});

	it('turns notable events into lines, newest last, and keeps the last 50', async () => {
		const clock = new FakeClock();
		const engine = new FakeEngine(snapshot([lane('azure'), lane('idealab'), lane('user_azure')]));
		const store = createSnapshotStore(engine, {intervalMs: 100, clock});
		const events: EngineEvent[] = [
			{type: 'limit', lane: 'azure', from: 8, to: 4, cause: 'rate_limit', at},
			{type: 'limit', lane: 'azure', from: 4, to: 3, cause: 'error_rate', at},
			{type: 'limit', lane: 'azure', from: 3, to: 4, cause: 'increase', at},
			{type: 'batch', lane: 'idealab', index: 2, count: 5, models: ['m1', 'm2'], phase: 'start', at},
			{type: 'batch', lane: 'idealab', index: 3, count: 5, models: ['m3', 'm4', 'm5', 'm6', 'm7'], phase: 'rest', restMs: 30_000, at},
			{type: 'batch', lane: 'idealab', index: 3, count: 5, models: ['m3', 'm4', 'm5', 'm6', 'm7'], phase: 'start', at},
			{type: 'lane_stopped', lane: 'user_azure', reason: 'auth failed (401)', at},
			{type: 'attempt', attempt: {provider: 'azure', model: 'm', testId: 't', attempt: 1, outcome: 'ok', latencyMs: 5, at}},
			result(1),
		];
		for (const event of events) engine.emit(event);
		// The operator's pause and resume: the events the real engine emits for them, in its order.
		engine.pause('azure');
		engine.resume('azure');
		await clock.advance(100);
		expect(store.getSnapshot().events.map(line => [line.text, line.tone])).toEqual([
			['azure: concurrency 8 → 4 (429s)', 'warn'],
			['azure: concurrency 4 → 3 (error rate)', 'warn'],
			['azure: concurrency 3 → 4 (raised)', 'info'],
			['idealab: batch 2/5 started: m1, m2', 'info'],
			['idealab: resting 30s before batch 3/5', 'info'],
			['idealab: batch 3/5 started: m3, m4, m5 +2 more', 'info'],
			['user_azure: stopped: auth failed (401)', 'error'],
			['azure: paused', 'warn'],
			['operator: pause azure', 'info'],
			['azure: resumed', 'info'],
			['operator: resume azure', 'info'],
		]);

		for (let index = 0; index < 80; index++) engine.emit({type: 'limit', lane: 'azure', from: index, to: index + 1, cause: 'increase', at});
		await clock.advance(100);
		const lines = store.getSnapshot().events;
		expect(lines).toHaveLength(50);
		expect(lines.at(-1)!.text).toBe('azure: concurrency 79 → 80 (raised)');
		store.dispose();
	});

	it('coalesces 429 bursts to one line per lane per second, with a count', async () => {
		const clock = new FakeClock();
		const engine = new FakeEngine(snapshot([lane('azure')]));
		const store = createSnapshotStore(engine, {intervalMs: 100, clock});
		for (let index = 0; index < 40; index++) {
			engine.emit({type: 'rate_limited', lane: index % 2 === 0 ? 'azure' : 'idealab', retryAfterMs: 1000 + index * 100, inFlight: 4, at: at + index * 20});
		}

		engine.emit({type: 'rate_limited', lane: 'azure', retryAfterMs: 2000, inFlight: 4, at: at + 1500});
		await clock.advance(100);
		expect(store.getSnapshot().events.map(line => line.text)).toEqual([
			'azure: rate limited (429) ×20, retry after up to 4.8s',
			'idealab: rate limited (429) ×20, retry after up to 4.9s',
			'azure: rate limited (429), retry after 2.0s',
		]);
		store.dispose();
	});

	// The commands go to the real engine, whose 'limit' events (cause 'operator') make the line.
	it('merges a run of operator concurrency changes into one line', async () => {
		const clock = new FakeClock();
		const engine = new FakeEngine(snapshot([lane('azure', {concurrency: 4})]));
		const store = createSnapshotStore(engine, {intervalMs: 100, clock});
		for (const value of [5, 6, 7]) engine.setConcurrency('azure', value);
		await clock.advance(100);
		expect(store.getSnapshot().events.map(line => line.text)).toEqual(['azure: concurrency 4 → 7 (operator)']);
		store.dispose();
	});
});
