import {describe, expect, it} from 'vitest';
import {TokenBucket} from '../../source/engine/token-bucket.js';
import {FakeClock} from '../helpers/fake-clock.js';

describe('TokenBucket', () => {
	it('lets requests through no faster than the rate', async () => {
		const clock = new FakeClock();
		const bucket = new TokenBucket(clock, 4);
		let taken = 0;
		for (let step = 0; step <= 1000; step++) {
			while (bucket.tryTake()) taken++;
			await clock.advance(10);
		}

		// 10 s at 4/s, plus the one token the bucket starts with.
		expect(taken).toBe(41);
	});

	it('says how long until the next token', async () => {
		const clock = new FakeClock();
		const bucket = new TokenBucket(clock, 2);
		expect(bucket.delayMs()).toBe(0);
		expect(bucket.tryTake()).toBe(true);
		expect(bucket.delayMs()).toBe(500);
		await clock.advance(200);
		expect(bucket.delayMs()).toBeCloseTo(300);
		expect(bucket.tryTake()).toBe(false);
	});

	it('has no cap without a rate and takes a new rate while running', async () => {
		const clock = new FakeClock();
		const bucket = new TokenBucket(clock);
		for (let i = 0; i < 100; i++) expect(bucket.tryTake()).toBe(true);
		bucket.setRate(10);
		expect(bucket.tryTake()).toBe(true);
		expect(bucket.tryTake()).toBe(false);
		expect(bucket.delayMs()).toBe(100);
		bucket.setRate(100);
		expect(bucket.delayMs()).toBe(10);
		bucket.setRate(undefined);
		expect(bucket.tryTake()).toBe(true);
	});

	it('keeps its rate when wake-ups come late, without bursting past a tenth of a second', async () => {
		const clock = new FakeClock();
		const bucket = new TokenBucket(clock, 200);
		const sent: number[] = [];
		while (clock.now() < 10_000) {
			if (bucket.tryTake()) {
				sent.push(clock.now());
				continue;
			}

			// A busy machine: every timer fires 2 ms after it was due.
			await clock.advance(bucket.delayMs() + 2);
		}

		expect(sent.length).toBeGreaterThan(200 * 10 * 0.97);
		for (const at of sent) expect(sent.filter(t => t >= at && t < at + 1000).length).toBeLessThanOrEqual(200 * 1.1);
	});
});
