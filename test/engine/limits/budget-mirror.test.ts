import {describe, expect, it} from 'vitest';
import {BudgetMirror} from '../../../source/engine/limits/budget-mirror.js';
import {Pacer} from '../../../source/engine/limits/pacer.js';
import {ProviderLimits} from '../../../source/providers/simulator/provider-limits.js';
import {parseRateLimitHeaders} from '../../../source/providers/rate-limit-headers.js';
import {FakeClock} from '../../helpers/fake-clock.js';

describe('BudgetMirror', () => {
	it('holds nothing back until the headers tell a rate', () => {
		const mirror = new BudgetMirror();
		expect(mirror.delayMs(0)).toBe(0);
		mirror.sync({limit: 10, remaining: 10, resetMs: 0}, 0);
		mirror.take(0, 10);
		expect(mirror.delayMs(0)).toBe(0);
	});

	it('derives the refill rate from how far the budget is from full and the time to fill it', () => {
		const mirror = new BudgetMirror();
		// 500 a minute: 400 short, full again in 48 s.
		mirror.sync({limit: 500, remaining: 100, resetMs: 48_000}, 0);
		expect(mirror.ratePerSecond).toBeCloseTo(399.5 / 48, 1);
	});

	it('paced against the simulator\'s own budget, no request is refused', async () => {
		const clock = new FakeClock();
		// 5 a second, a bucket of 5, as the simulator keeps a provider's budget.
		const provider = new ProviderLimits({maxConcurrent: 1000, tokensPerMs: 5 / 1000, burst: 5, concurrencyRetryMs: 1}, 0);
		const pacer = new Pacer(clock, {});
		let admitted = 0;
		let refused = 0;
		for (let step = 0; step < 20_000; step++) {
			while (pacer.delayMs(1) === 0) {
				pacer.take(1);
				const admission = provider.tryAcquire(clock.now());
				if (admission.ok) {
					admitted++;
					provider.release();
				} else {
					refused++;
					pacer.refused(parseRateLimitHeaders(provider.headers(clock.now())), 1);
				}

				pacer.observe(parseRateLimitHeaders(provider.headers(clock.now())));
			}

			await clock.advance(1);
		}

		// 20 s at 5/s plus the full bucket at the start: close to all of it, with refusals rare.
		expect(admitted).toBeGreaterThan(95);
		expect(refused / (admitted + refused)).toBeLessThan(0.05);
	});
});

describe('Pacer', () => {
	it('a configured tpm paces each request by its token estimate', async () => {
		const clock = new FakeClock();
		// 6,000 tokens a minute = 100 a second; requests of 250 tokens go one every 2.5 s once the second's worth is spent.
		const pacer = new Pacer(clock, {tpm: 6000});
		const sentAt: number[] = [];
		for (let step = 0; step < 20_000; step += 10) {
			if (pacer.delayMs(250) === 0) {
				pacer.take(250);
				sentAt.push(clock.now());
			}

			await clock.advance(10);
		}

		expect(sentAt.length).toBeGreaterThanOrEqual(8);
		expect(sentAt.length).toBeLessThanOrEqual(9);
		const gaps = sentAt.slice(2).map((at, index) => at - sentAt[index + 1]!);
		for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(2490);
	});

	it('setTpm splits the quota: at half of 6,000 a minute, requests of 250 tokens go at half the rate', async () => {
		const clock = new FakeClock();
		const pacer = new Pacer(clock, {tpm: 6000});
		pacer.setTpm(3000);
		expect(pacer.tpm).toBe(3000);
		let sent = 0;
		for (let step = 0; step < 20_000; step += 10) {
			if (pacer.delayMs(250) === 0) {
				pacer.take(250);
				sent++;
			}

			await clock.advance(10);
		}

		// 50 tokens a second for 20 s plus the first second's worth: 1,050 tokens, four or five requests of 250.
		expect(sent).toBeGreaterThanOrEqual(4);
		expect(sent).toBeLessThanOrEqual(5);
		pacer.setTpm(undefined);
		expect(pacer.tpm).toBeUndefined();
		expect(pacer.delayMs(1_000_000)).toBe(0);
	});

	it('after a pause, hands the slots out across one window', () => {
		const clock = new FakeClock();
		const pacer = new Pacer(clock, {});
		pacer.ramp(1000, 10);
		expect(pacer.delayMs(1)).toBe(0);
		pacer.take(1);
		expect(pacer.delayMs(1)).toBe(100);
	});
});
