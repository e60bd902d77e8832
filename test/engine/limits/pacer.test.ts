import {describe, expect, it} from 'vitest';
import {Pacer} from '../../../source/engine/limits/pacer.js';
import {FakeClock} from '../../helpers/fake-clock.js';

describe('Pacer', () => {
	it('tells a wait for a rate (the configured qps) from a wait for the ramp after a pause', () => {
		const clock = new FakeClock();
		const paced = new Pacer(clock, {qps: 10});
		while (paced.delayMs(1) === 0) paced.take(1);
		expect(paced.heldByRate(1)).toBe(true);

		const ramped = new Pacer(clock, {});
		ramped.ramp(1000, 4);
		while (ramped.delayMs(1) === 0) ramped.take(1);
		expect(ramped.delayMs(1)).toBeGreaterThan(0);
		expect(ramped.heldByRate(1)).toBe(false);
	});
});
