import {describe, expect, it} from 'vitest';
import {ProbeWatch} from '../../../source/engine/limits/probe-watch.js';
import {FakeClock} from '../../helpers/fake-clock.js';

describe('ProbeWatch', () => {
	it('tells of a probe still out once a refusal would have been back, once', async () => {
		const clock = new FakeClock();
		const admitted: number[] = [];
		const watch = new ProbeWatch(clock, sentAt => admitted.push(sentAt));
		watch.setAdmissionMs(40);
		await clock.advance(100);
		watch.watch(clock.now(), () => true);
		// A second watch while one is timed does not restart it.
		await clock.advance(20);
		watch.watch(clock.now(), () => true);
		await clock.advance(19);
		expect(admitted).toEqual([]);
		await clock.advance(1);
		expect(admitted).toEqual([100]);
		await clock.advance(100);
		expect(admitted).toEqual([100]);
	});

	it('says nothing of a probe refused or answered in time, or before the round trip is known', async () => {
		const clock = new FakeClock();
		const admitted: number[] = [];
		const watch = new ProbeWatch(clock, sentAt => admitted.push(sentAt));
		watch.watch(0, () => true);
		await clock.advance(5000);
		expect(admitted).toEqual([]);
		watch.setAdmissionMs(40);
		let out = true;
		watch.watch(clock.now(), () => out);
		await clock.advance(10);
		out = false;
		await clock.advance(100);
		expect(admitted).toEqual([]);
		expect(clock.pendingTimers).toBe(0);
	});
});
