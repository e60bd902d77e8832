import {describe, expect, it} from 'vitest';
import {StormWait} from '../../../source/engine/limits/storm-wait.js';

describe('StormWait', () => {
	it('waits the provider\'s Retry-After until three refusals of requests sent after each wait, then doubles up to ten windows', () => {
		const storm = new StormWait(() => 0.5, 60_000);
		const waits: number[] = [];
		let now = 0;
		for (let refusal = 0; refusal < 9; refusal++) {
			now += 100;
			// Each refused request went after the previous refusal: the provider refuses whatever comes.
			waits.push(storm.onRefusal(now, now - 1, 10, 100));
		}

		expect(waits).toEqual([10, 10, 100, 200, 400, 800, 1000, 1000, 1000]);
		expect(storm.raging).toBe(true);
		storm.onSuccess();
		expect(storm.raging).toBe(false);
		expect(storm.onRefusal(now + 1, now, 10, 100)).toBe(10);
	});

	it('refusals of one burst, all sent before the first came back, are one signal', () => {
		const storm = new StormWait(() => 0.5, 60_000);
		for (let index = 0; index < 10; index++) storm.onRefusal(100 + index, 50, 10, 100);
		expect(storm.raging).toBe(false);
	});
});
