import {describe, expect, test} from 'vitest';
import {formatDuration, ProviderLimits} from '../../source/providers/simulator/provider-limits.js';

const settings = {maxConcurrent: 2, tokensPerMs: 0.005, burst: 3, concurrencyRetryMs: 100};

describe('ProviderLimits', () => {
	test('caps requests in flight, taking nothing on refusal', () => {
		const limits = new ProviderLimits(settings, 0);
		expect(limits.tryAcquire(0).ok).toBe(true);
		expect(limits.tryAcquire(0).ok).toBe(true);
		expect(limits.tryAcquire(0)).toEqual({ok: false, reason: 'concurrency', retryAfterMs: 100});
		limits.release();
		// The refused request did not spend the last token.
		expect(limits.tryAcquire(0).ok).toBe(true);
		expect(limits.maxInFlight).toBe(2);
	});

	test('a token bucket of burst tokens refilled at tokensPerMs', () => {
		const limits = new ProviderLimits({...settings, maxConcurrent: 100}, 0);
		for (let index = 0; index < 3; index++) expect(limits.tryAcquire(0).ok).toBe(true);
		const refused = limits.tryAcquire(0);
		expect(refused).toEqual({ok: false, reason: 'rate', retryAfterMs: 200});
		expect(limits.tryAcquire(150).ok).toBe(false);
		expect(limits.tryAcquire(200).ok).toBe(true);
		// Never more than burst, however long it rests.
		const rested = new ProviderLimits({...settings, maxConcurrent: 100}, 0);
		let admitted = 0;
		while (rested.tryAcquire(1_000_000).ok) admitted++;
		expect(admitted).toBe(3);
	});

	test('headers describe the bucket', () => {
		const limits = new ProviderLimits({...settings, maxConcurrent: 100}, 0);
		limits.tryAcquire(0);
		limits.tryAcquire(0);
		expect(limits.headers(0)).toEqual({
			'x-ratelimit-limit-requests': '3',
			'x-ratelimit-remaining-requests': '1',
			'x-ratelimit-reset-requests': '400ms',
		});
	});
});

test('formatDuration writes what parseDuration reads', () => {
	expect(formatDuration(250)).toBe('250ms');
	expect(formatDuration(0.2)).toBe('1ms');
	expect(formatDuration(1500)).toBe('1.5s');
	expect(formatDuration(360_000)).toBe('6m0s');
	expect(formatDuration(61_250)).toBe('1m1.25s');
});
