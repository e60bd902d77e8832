import {describe, expect, it} from 'vitest';
import {AdaptiveController} from '../../source/engine/adaptive-controller.js';
import {FakeClock} from '../helpers/fake-clock.js';

/** Drives the controller as a saturated lane would: `limit` requests per window, each taking `latencyMs`. */
async function window(clock: FakeClock, controller: AdaptiveController, latencyMs: number) {
	const changes = [];
	controller.noteDispatch(controller.limit);
	await clock.advance(latencyMs);
	for (let i = 0; i < controller.limit; i++) {
		const change = controller.onSuccess(latencyMs);
		if (change) changes.push(change);
	}

	return changes;
}

describe('AdaptiveController', () => {
	it('raises by one per latency window while the lane uses its whole limit', async () => {
		const clock = new FakeClock();
		const controller = new AdaptiveController(clock, {initial: 2, min: 1, max: 10});
		for (let i = 0; i < 5; i++) await window(clock, controller, 1000);
		expect(controller.limit).toBeGreaterThanOrEqual(5);
		expect(controller.limit).toBeLessThanOrEqual(7);
	});

	it('does not raise a limit the lane is not using', async () => {
		const clock = new FakeClock();
		const controller = new AdaptiveController(clock, {initial: 4, min: 1, max: 10});
		for (let i = 0; i < 10; i++) {
			controller.noteDispatch(2);
			await clock.advance(1000);
			controller.onSuccess(1000);
		}

		expect(controller.limit).toBe(4);
	});

	it('behaves the same at 50 ms and at 30 s per request', async () => {
		const limits = [];
		for (const latency of [50, 30_000]) {
			const clock = new FakeClock();
			const controller = new AdaptiveController(clock, {initial: 2, min: 1, max: 50});
			for (let i = 0; i < 8; i++) await window(clock, controller, latency);
			limits.push(controller.limit);
		}

		expect(limits[0]).toBe(limits[1]);
	});

	it('cuts multiplicatively on a 429, once per overshoot however many 429s it brings', async () => {
		const clock = new FakeClock();
		const controller = new AdaptiveController(clock, {initial: 20, min: 1, max: 50});
		await clock.advance(500);
		const burstSentAt = clock.now();
		await clock.advance(10);
		const cuts = Array.from({length: 15}, () => controller.onRateLimited(burstSentAt)).filter(Boolean);
		expect(cuts).toEqual([{from: 20, to: 14, cause: 'rate_limit'}]);
		await clock.advance(1000);
		// Still from the burst sent before the cut: no new information.
		expect(controller.onRateLimited(burstSentAt)).toBeUndefined();
		// Sent after the cut and still refused: the provider wants less again.
		expect(controller.onRateLimited(clock.now() - 5)).toEqual({from: 14, to: 10, cause: 'rate_limit'});
	});

	it('cuts a small limit by a step, not by half', () => {
		const clock = new FakeClock();
		const controller = new AdaptiveController(clock, {initial: 4, min: 1, max: 50});
		expect(controller.onRateLimited(clock.now())).toEqual({from: 4, to: 3, cause: 'rate_limit'});
	});

	it('cuts when the recent error rate rises, not on a stray error', async () => {
		const clock = new FakeClock();
		const controller = new AdaptiveController(clock, {initial: 10, min: 2, max: 50});
		for (let i = 0; i < 19; i++) controller.onSuccess(100);
		expect(controller.onError(clock.now())).toBeUndefined();
		await clock.advance(200);
		let change;
		for (let i = 0; i < 10 && !change; i++) change = controller.onError(clock.now());
		expect(change).toMatchObject({from: 10, to: 7, cause: 'error_rate'});
	});

	it('stays within [min, max]', async () => {
		const clock = new FakeClock();
		const controller = new AdaptiveController(clock, {initial: 3, min: 2, max: 4});
		for (let i = 0; i < 10; i++) {
			controller.onRateLimited(clock.now());
			await clock.advance(2000);
		}

		expect(controller.limit).toBe(2);
		for (let i = 0; i < 40; i++) await window(clock, controller, 100);
		expect(controller.limit).toBe(4);
	});

	it('probes above the level of the last 429 only every few windows', async () => {
		const clock = new FakeClock();
		const controller = new AdaptiveController(clock, {initial: 10, min: 1, max: 50, probeWindows: 6});
		expect(controller.onRateLimited(clock.now())).toMatchObject({from: 10, to: 7}); // The provider pushed back at 10.
		await clock.advance(100);
		const limits: number[] = [];
		for (let i = 0; i < 16; i++) {
			await window(clock, controller, 100);
			limits.push(controller.limit);
		}

		// Quick back up to just under the ceiling, then one probe per six good windows.
		expect(limits.slice(0, 3)).toEqual([7, 8, 9]);
		expect(limits.filter(limit => limit === 9).length).toBeGreaterThanOrEqual(5);
		expect(limits.at(-1)).toBe(11);
	});

	it('takes the operator\'s number as the new starting point, beyond the configured bounds if asked', () => {
		const clock = new FakeClock();
		const controller = new AdaptiveController(clock, {initial: 3, min: 2, max: 8});
		controller.set(12);
		expect(controller.limit).toBe(12);
		controller.set(1);
		expect(controller.limit).toBe(1);
	});
});
