import {describe, expect, it} from 'vitest';
import {backoffDelayMs} from '../../source/engine/backoff.js';

describe('backoffDelayMs (full jitter)', () => {
	it('doubles the ceiling each attempt up to the maximum', () => {
		const top = () => 0.999_999;
		expect(backoffDelayMs(1, 1000, 60_000, top)).toBeCloseTo(1000, -1);
		expect(backoffDelayMs(2, 1000, 60_000, top)).toBeCloseTo(2000, -1);
		expect(backoffDelayMs(4, 1000, 60_000, top)).toBeCloseTo(8000, -1);
		expect(backoffDelayMs(12, 1000, 60_000, top)).toBeCloseTo(60_000, -1);
	});

	it('spreads delays uniformly from zero to the ceiling', () => {
		expect(backoffDelayMs(3, 1000, 60_000, () => 0)).toBe(0);
		expect(backoffDelayMs(3, 1000, 60_000, () => 0.5)).toBe(2000);
		const delays = Array.from({length: 2000}, () => backoffDelayMs(3, 1000, 60_000));
		expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
		expect(Math.max(...delays)).toBeLessThanOrEqual(4000);
		const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
		expect(mean).toBeGreaterThan(1700);
		expect(mean).toBeLessThan(2300);
	});
});
