import {describe, expect, it} from 'vitest';
import {AimdLimit} from '../../../source/engine/limits/aimd-limit.js';
import {CeilingLimit} from '../../../source/engine/limits/ceiling-limit.js';
import type {Limit} from '../../../source/engine/limits/limit.js';
import {FakeClock} from '../../helpers/fake-clock.js';

/** One latency window in which the lane keeps the whole limit busy and every request succeeds. */
async function goodWindow(clock: FakeClock, limit: Limit, latencyMs: number): Promise<void> {
	const per = Math.max(1, limit.limit);
	for (let index = 0; index < per; index++) {
		limit.noteDispatch(limit.limit);
		await clock.advance(latencyMs / per);
		limit.onSample({kind: 'success', latencyMs});
	}
}

describe('AimdLimit', () => {
	it('slow start doubles per latency window until the provider first pushes back, as far as answers prove', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 2, min: 1, max: 64});
		const levels: number[] = [];
		for (let window = 0; window < 4; window++) {
			await goodWindow(clock, limit, 30_000);
			levels.push(limit.limit);
		}

		expect(levels).toEqual([4, 8, 16, 32]);
	});

	it('slow start stops at twice the answers of a window, however many requests the lane counts in flight', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 4, min: 1, max: 64});
		// A slow client path: the lane keeps its whole limit out, but only four answers a window come back.
		for (let window = 0; window < 6; window++) {
			for (let index = 0; index < 4; index++) {
				limit.noteDispatch(limit.limit);
				await clock.advance(250);
				limit.onSample({kind: 'success', latencyMs: 1000});
			}
		}

		expect(limit.limit).toBe(8);
	});

	it('a 429 about slots sets the limit to the slots held, follows the overshoot down without bursts, and ends slow start', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 40, min: 1, max: 64});
		await clock.advance(10);
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 5, admitted: 32})).toEqual({from: 40, to: 32, cause: 'rate_limit'});
		// Later refusals of the same overshoot: the limit follows the requests still held down, never up.
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 6, admitted: 31})).toEqual({from: 32, to: 31, cause: 'rate_limit'});
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 7, admitted: 35})).toBeUndefined();
		// No more tripling: it climbs back to just below the refused level and probes by one.
		await goodWindow(clock, limit, 100);
		await goodWindow(clock, limit, 100);
		await goodWindow(clock, limit, 100);
		expect(limit.limit).toBeLessThanOrEqual(32);
	});

	it('halves on a second refusal of a request sent after the cut, with nothing admitted between', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 24, min: 1, max: 64, slowStart: false});
		await clock.advance(10);
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 5, admitted: 23})?.to).toBe(23);
		await clock.advance(10);
		// Sent after the cut and refused again, while the lane still held 22: the provider's limit fell far.
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 12, admitted: 22})?.to).toBe(12);
		await clock.advance(10);
		limit.onSample({kind: 'success', latencyMs: 5});
		// Something sent after that cut was admitted: the next refusal is a fresh one, cut to what is held.
		await clock.advance(10);
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now() - 1, admitted: 9})?.to).toBe(9);
	});

	it('a 429 about the rate does not cut concurrency', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 10, min: 1, max: 64});
		expect(limit.onSample({kind: 'overload', cause: 'rate', sentAt: 0, admitted: 3})).toBeUndefined();
		expect(limit.limit).toBe(10);
	});

	it('finds a cap that dropped to a third and came back within a few windows', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 24, min: 1, max: 64, slowStart: false});
		await clock.advance(1);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 1, admitted: 8});
		expect(limit.limit).toBe(8);
		let windows = 0;
		while (limit.limit < 24 && windows < 12) {
			await goodWindow(clock, limit, 1000);
			windows++;
		}

		expect(limit.limit).toBeGreaterThanOrEqual(24);
		expect(windows).toBeLessThanOrEqual(8);
	});

	it('probes above a refused level by one, and waits longer after each refused probe', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 7, min: 1, max: 64, slowStart: false});
		await clock.advance(1);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 1, admitted: 6});
		const probesAt: number[] = [];
		for (let window = 1; window <= 30; window++) {
			const before = limit.limit;
			await goodWindow(clock, limit, 1000);
			if (limit.limit > before) {
				probesAt.push(window);
				// The provider refuses the probe: only the probe, the other six still held.
				limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now(), admitted: 6});
				expect(limit.limit).toBe(6);
			}
		}

		const gaps = probesAt.slice(1).map((at, index) => at - probesAt[index]!);
		expect(gaps.length).toBeGreaterThanOrEqual(2);
		for (let index = 1; index < gaps.length; index++) expect(gaps[index]).toBeGreaterThanOrEqual(gaps[index - 1]!);
	});

	it('cuts multiplicatively on a high error share, not on a few errors', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 10, min: 1, max: 64});
		expect(limit.onSample({kind: 'error', sentAt: 0, errorShare: 0.5, samples: 4})).toBeUndefined();
		expect(limit.onSample({kind: 'error', sentAt: 0, errorShare: 0.1, samples: 30})).toBeUndefined();
		expect(limit.onSample({kind: 'error', sentAt: 0, errorShare: 0.3, samples: 30})).toEqual({from: 10, to: 7, cause: 'error_rate'});
	});

	it('a 429 storm: the cuts its first refusals made are undone by the first answer after it', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 10, min: 1, max: 64, slowStart: false});
		await goodWindow(clock, limit, 100);
		const held = limit.limit;
		// The storm's first refusals look like a cap that fell: the limit follows the requests still held down.
		await clock.advance(10);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now() - 1, admitted: 2});
		await clock.advance(10);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now() - 1, admitted: 0});
		expect(limit.limit).toBe(1);
		// The lane sees the storm (refusals of requests sent after each wait) and waits it out.
		expect(limit.onSample({kind: 'storm'})).toBeUndefined();
		await clock.advance(1000);
		// An answer to a request sent after the storm's last refusal: back where the provider held it before.
		expect(limit.onSample({kind: 'success', latencyMs: 100})).toEqual({from: 1, to: held, cause: 'increase'});
	});

	it('a steady background of errors under half the threshold does not hold the climb; a share near it does', async () => {
		const climb = async (errorShare: number) => {
			const clock = new FakeClock();
			const limit = new AimdLimit(clock, {initial: 8, min: 1, max: 64, slowStart: false});
			for (let window = 0; window < 4; window++) {
				limit.onSample({kind: 'error', sentAt: clock.now(), errorShare, samples: 30});
				await goodWindow(clock, limit, 100);
			}

			return limit.limit;
		};

		expect(await climb(0.1)).toBeGreaterThan(10);
		expect(await climb(0.2)).toBe(8);
	});
});

describe('CeilingLimit', () => {
	it('never goes above the operator\'s number, yields to the provider\'s slots and climbs back to the number', async () => {
		const clock = new FakeClock();
		const limit = new CeilingLimit(clock, {ceiling: 64, min: 1});
		for (let window = 0; window < 5; window++) await goodWindow(clock, limit, 100);
		expect(limit.limit).toBe(64);
		await clock.advance(1);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now(), admitted: 8});
		expect(limit.limit).toBe(8);
		for (let window = 0; window < 40; window++) await goodWindow(clock, limit, 100);
		expect(limit.limit).toBe(64);
		limit.set(20);
		for (let window = 0; window < 10; window++) await goodWindow(clock, limit, 100);
		expect(limit.limit).toBe(20);
	});
});
