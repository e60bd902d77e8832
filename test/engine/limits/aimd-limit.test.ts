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

/**
 * `windows` good windows, numbered from 1, in which every rise of the limit is a probe the provider refuses with
 * `admitted` of the lane's requests still held. `atWindowStart` runs as each window begins, `afterRefusal` after
 * each refusal. Returns the windows in which probes went up.
 */
async function refusedProbes(clock: FakeClock, limit: Limit, windows: number, admitted: number, hooks: {atWindowStart?: () => void; afterRefusal?: () => void} = {}): Promise<number[]> {
	const probesAt: number[] = [];
	for (let window = 1; window <= windows; window++) {
		hooks.atWindowStart?.();
		const before = limit.limit;
		await goodWindow(clock, limit, 1000);
		if (limit.limit > before) {
			probesAt.push(window);
			limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now(), admitted});
			hooks.afterRefusal?.();
		}
	}

	return probesAt;
}

const gapsBetween = (probesAt: number[]) => probesAt.slice(1).map((at, index) => at - probesAt[index]!);

/**
 * Six windows of a slow path: the lane keeps its whole limit out, but only four answers of 1 s come back a
 * window, each saying the provider worked `processingMs` on it (or nothing). Returns where slow start ends.
 */
async function fourAnswersAWindow(processingMs?: number): Promise<number> {
	const clock = new FakeClock();
	const limit = new AimdLimit(clock, {initial: 4, min: 1, max: 64});
	for (let window = 0; window < 6; window++) {
		for (let index = 0; index < 4; index++) {
			limit.noteDispatch(limit.limit);
			await clock.advance(250);
			limit.onSample({kind: 'success', latencyMs: 1000, processingMs});
		}
	}

	return limit.limit;
}

describe('AimdLimit', () => {
	it('slow start grows by half per latency window until the provider first pushes back, as far as answers prove', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 4, min: 1, max: 64});
		const levels: number[] = [4];
		for (let window = 0; window < 6; window++) {
			await goodWindow(clock, limit, 30_000);
			levels.push(limit.limit);
		}

		// A window's answers are about the limit it held: each window ends near 1.5 times the last (a slot more or
		// less, as answers fall into the sliding window), never doubling, from 4 past 32 in five windows.
		for (let window = 1; window < levels.length; window++) {
			expect(levels[window]! / levels[window - 1]!).toBeGreaterThanOrEqual(1.4);
			expect(levels[window]! / levels[window - 1]!).toBeLessThanOrEqual(1.7);
		}

		expect(levels[5]).toBeGreaterThanOrEqual(32);
	});

	it('slow start stops at 1.5 times the answers of a window, however many requests the lane counts in flight', async () => {
		expect(await fourAnswersAWindow()).toBe(6);
	});

	it('where the provider says it worked on a request for half its latency, slow start counts half a window\'s answers as held', async () => {
		// Four answers a window, each out 1 s: without more said, or all of it at the provider, four held at once.
		expect(await fourAnswersAWindow(undefined)).toBe(6);
		expect(await fourAnswersAWindow(1000)).toBe(6);
		// Half of each latency on the way: about two held at the provider, so the plan's 4 is already past the proof.
		expect(await fourAnswersAWindow(500)).toBeLessThanOrEqual(4);
	});

	it('of a budget shared by four runners, slow start grows as far as this runner\'s answers prove its part of the load', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 4, min: 1, max: 64});
		// The limit counts every runner's requests; this runner holds and hears back from a quarter of them.
		for (let window = 0; window < 4; window++) {
			const own = Math.max(1, Math.floor(limit.limit / 4));
			for (let index = 0; index < own; index++) {
				limit.noteDispatch(limit.limit, own);
				await clock.advance(100 / own);
				limit.onSample({kind: 'success', latencyMs: 100});
			}
		}

		// A quarter of 4 is one answer a window: counted as the runner's own load, growth would stop at 1.5.
		expect(limit.limit).toBeGreaterThanOrEqual(12);
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

	it('refusals in a row step down by 1, 2, 4 …, at most half, so a fallen limit is reached in a few and a slight overshoot is not halved', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 24, min: 1, max: 64, slowStart: false});
		const refuse = async (admitted: number) => {
			await clock.advance(10);
			return limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now() - 1, admitted})?.to;
		};

		// Each sent after the last cut and refused while the lane still held more than the step leaves.
		expect(await refuse(23)).toBe(23);
		expect(await refuse(22)).toBe(21);
		expect(await refuse(20)).toBe(17);
		expect(await refuse(16)).toBe(9);
		expect(await refuse(9)).toBe(5);
		await clock.advance(10);
		limit.onSample({kind: 'success', latencyMs: 5});
		// Something sent after that cut was admitted: the next refusal starts the steps again, from one.
		expect(await refuse(5)).toBe(4);
		expect(await refuse(4)).toBe(2);
	});

	it('after a refusal\'s wait, a lane still refused sends one request past what is draining, not the slots freed meanwhile', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 24, min: 1, max: 64, slowStart: false});
		const refuse = async (admitted: number) => {
			await clock.advance(10);
			return limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now() - 1, admitted})?.to;
		};

		expect(await refuse(23)).toBe(23);
		// During the wait, 7 of the requests admitted before the fall ended: 16 are out.
		expect(limit.onSample({kind: 'wait_over', inFlight: 16})).toEqual({from: 23, to: 17, cause: 'rate_limit'});
		// That one was refused too: the drain has not reached the provider's limit; one step down, as it is seen.
		expect(await refuse(16)).toBe(16);
		expect(limit.onSample({kind: 'wait_over', inFlight: 9})?.to).toBe(10);
		expect(await refuse(9)).toBe(9);
		// A wait that ends with the lane at its limit changes nothing.
		expect(limit.onSample({kind: 'wait_over', inFlight: 9})).toBeUndefined();
		// Something sent after the last cut was admitted: the provider has room again, and a wait ending now
		// (another runner's pause, say) leaves the limit where it is.
		await clock.advance(10);
		limit.onSample({kind: 'success', latencyMs: 5});
		expect(limit.onSample({kind: 'wait_over', inFlight: 3})).toBeUndefined();
	});

	it('following a drain, answers of requests admitted before the fall free no slots until the one sent past them holds', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 24, min: 1, max: 64, slowStart: false});
		await clock.advance(10);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 9, admitted: 23});
		await clock.advance(200);
		expect(limit.onSample({kind: 'wait_over', inFlight: 12})?.to).toBe(13);
		const sentPast = limit.probingSince!;
		expect(sentPast).toBe(clock.now());
		// Two of the twelve admitted before the fall answer: the lane still sends no more than the one.
		await clock.advance(5);
		expect(limit.onSample({kind: 'success', latencyMs: 900})?.to).toBe(12);
		expect(limit.onSample({kind: 'success', latencyMs: 900})?.to).toBe(11);
		// An admission of a request sent before it says nothing; the one sent past the drain does.
		expect(limit.onSample({kind: 'probe_admitted', sentAt: sentPast - 1})).toBeUndefined();
		expect(limit.onSample({kind: 'probe_admitted', sentAt: sentPast})).toEqual({from: 11, to: 13, cause: 'increase'});
		expect(limit.probingSince).toBeUndefined();
		// Past the drain, answers free slots again.
		expect(limit.onSample({kind: 'success', latencyMs: 900})).toBeUndefined();
		expect(limit.limit).toBe(13);

		// Refused instead: the drain has further to go; the refusal steps down from where the limit followed it.
		await clock.advance(200);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now() - 1, admitted: 12});
		expect(limit.onSample({kind: 'wait_over', inFlight: 9})?.to).toBe(10);
		await clock.advance(5);
		limit.onSample({kind: 'success', latencyMs: 900});
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now() - 1, admitted: 8})?.to).toBe(8);
		expect(limit.probingSince).toBeUndefined();
	});

	it('a lane two over the cap (answers on their way counted as held) lands just below it, not at half', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 26, min: 1, max: 64, slowStart: false});
		await clock.advance(10);
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 5, admitted: 25})?.to).toBe(25);
		await clock.advance(10);
		expect(limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 12, admitted: 25})?.to).toBe(23);
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

	it('a probe the provider admitted regains a limit that fell and came back at once, not a window later', async () => {
		const fallAndProbe = async () => {
			const clock = new FakeClock();
			const limit = new AimdLimit(clock, {initial: 25, min: 1, max: 64, slowStart: false});
			await clock.advance(1);
			// Refused at 25 with 24 held: the cap is 24, and the lane holds it for a window.
			limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 1, admitted: 24});
			for (let window = 0; window < 3; window++) await goodWindow(clock, limit, 1000);
			expect(limit.limit).toBe(24);
			// The cap falls to 8: refused with 8 held.
			limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now(), admitted: 8});
			expect(limit.limit).toBe(8);
			for (let window = 0; window < 8 && limit.probingSince === undefined; window++) await goodWindow(clock, limit, 1000);
			expect(limit.limit).toBe(9);
			return {clock, limit, probeAt: limit.probingSince!};
		};

		const told = await fallAndProbe();
		// A request sent before the probe went up proves nothing.
		told.limit.onSample({kind: 'probe_admitted', sentAt: told.probeAt - 1});
		expect(told.limit.probingSince).toBe(told.probeAt);
		told.limit.onSample({kind: 'probe_admitted', sentAt: told.probeAt});
		expect(told.limit.probingSince).toBeUndefined();
		await goodWindow(told.clock, told.limit, 1000);
		// Slow start back to just below where the provider refused before the fall.
		expect(told.limit.limit).toBe(24);

		const untold = await fallAndProbe();
		await goodWindow(untold.clock, untold.limit, 1000);
		expect(untold.limit.limit).toBeLessThan(16);
	});

	it('after a fall, probes come every few windows for a while, but a limit that fell for good costs at most 8 of them before the waits grow', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 25, min: 1, max: 64, slowStart: false});
		await clock.advance(1);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 1, admitted: 24});
		for (let window = 0; window < 3; window++) await goodWindow(clock, limit, 1000);
		// The cap falls to 6 and stays there.
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now(), admitted: 6});
		expect(limit.limit).toBe(6);
		const probesAt = await refusedProbes(clock, limit, 60, 6);
		const gaps = gapsBetween(probesAt);
		// The first ones close together, so a cap that comes back is found soon…
		expect(gaps.slice(0, 7).every(gap => gap <= 4)).toBe(true);
		// …then, after 8 refused, further apart each time: not the 15 or more 60 windows at that pace would cost.
		expect(gaps.slice(7).every((gap, index, later) => gap > 4 && (index === 0 || gap > later[index - 1]!))).toBe(true);
		expect(probesAt.length).toBeLessThanOrEqual(11);
	});

	it('a limit that falls from a level held with no refusal above it is remembered too: probes come every few windows after', async () => {
		const clock = new FakeClock();
		// Held a whole window at 24 or more, never refused there (a probe above the last refusal had held, say).
		const limit = new AimdLimit(clock, {initial: 24, min: 1, max: 64, slowStart: false});
		await goodWindow(clock, limit, 1000);
		await goodWindow(clock, limit, 1000);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: clock.now(), admitted: 8});
		expect(limit.limit).toBe(8);
		const gaps = gapsBetween(await refusedProbes(clock, limit, 24, 8));
		expect(gaps.length).toBeGreaterThanOrEqual(4);
		expect(gaps.every(gap => gap <= 4)).toBe(true);
	});

	it('a lane its requests wait for the rate in does not probe for more in flight: they would wait too', async () => {
		const probes = async (paced: boolean) => {
			const clock = new FakeClock();
			const limit = new AimdLimit(clock, {initial: 7, min: 1, max: 64, slowStart: false});
			await clock.advance(1);
			limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 1, admitted: 6});
			const atWindowStart = paced ? () => limit.onSample({kind: 'paced'}) : undefined;
			return (await refusedProbes(clock, limit, 40, 6, {atWindowStart})).length;
		};

		expect(await probes(false)).toBeGreaterThanOrEqual(3);
		expect(await probes(true)).toBe(0);
	});

	it('probes above a refused level by one, and waits longer after each refused probe', async () => {
		const clock = new FakeClock();
		const limit = new AimdLimit(clock, {initial: 7, min: 1, max: 64, slowStart: false});
		await clock.advance(1);
		limit.onSample({kind: 'overload', cause: 'concurrency', sentAt: 1, admitted: 6});
		// The provider refuses each probe: only the probe, the other six still held.
		const gaps = gapsBetween(await refusedProbes(clock, limit, 30, 6, {afterRefusal: () => expect(limit.limit).toBe(6)}));
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
