import {describe, expect, test} from 'vitest';
import {parseRateLimitHeaders, refillPerMs, waitForUnits} from '../../source/providers/rate-limit-headers.js';
import {parseRetryAfter} from '../../source/providers/retry-after.js';

describe('parseRateLimitHeaders', () => {
	test('requests and tokens, with resets in every duration form', () => {
		const headers = new Headers({
			'x-ratelimit-limit-requests': '500', 'x-ratelimit-remaining-requests': '499', 'x-ratelimit-reset-requests': '120ms',
			'x-ratelimit-limit-tokens': '30000', 'x-ratelimit-remaining-tokens': '12000', 'x-ratelimit-reset-tokens': '6m0s',
		});
		expect(parseRateLimitHeaders(headers)).toEqual({
			requests: {limit: 500, remaining: 499, resetMs: 120},
			tokens: {limit: 30_000, remaining: 12_000, resetMs: 360_000},
		});
		expect(parseRateLimitHeaders({'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '4', 'x-ratelimit-reset-requests': '1s'})?.requests?.resetMs).toBe(1000);
		expect(parseRateLimitHeaders({'X-RateLimit-Limit-Requests': '10', 'X-RateLimit-Remaining-Requests': '4', 'x-ratelimit-reset-requests': '1.5'})?.requests?.resetMs).toBe(1500);
	});

	test('nothing usable is nothing', () => {
		expect(parseRateLimitHeaders({})).toBeUndefined();
		expect(parseRateLimitHeaders({'x-ratelimit-limit-requests': 'lots', 'x-ratelimit-remaining-requests': '3'})).toBeUndefined();
		expect(parseRateLimitHeaders({'x-ratelimit-remaining-requests': '3'})).toBeUndefined();
	});

	test('the refill rate and the wait for one unit follow from limit, remaining and reset', () => {
		expect(refillPerMs({limit: 10, remaining: 0, resetMs: 2000})).toBe(0.005);
		expect(refillPerMs({limit: 10, remaining: 10, resetMs: 0})).toBeUndefined();
		expect(waitForUnits({limit: 10, remaining: 0, resetMs: 2000})).toBe(200);
		expect(waitForUnits({limit: 10, remaining: 3, resetMs: 2000})).toBe(0);
	});
});

describe('parseRetryAfter', () => {
	const now = Date.UTC(2026, 0, 1);
	test('Azure\'s x-ms-retry-after-ms, after retry-after-ms and before retry-after', () => {
		expect(parseRetryAfter({'x-ms-retry-after-ms': '750', 'retry-after': '2'}, now)).toBe(750);
		expect(parseRetryAfter({'retry-after-ms': '100', 'x-ms-retry-after-ms': '750'}, now)).toBe(100);
	});

	test('without a Retry-After, the time until the spent budget holds one unit, not until it is full', () => {
		expect(parseRetryAfter({'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '2s'}, now)).toBe(200);
		expect(parseRetryAfter({
			'x-ratelimit-limit-requests': '10', 'x-ratelimit-remaining-requests': '5', 'x-ratelimit-reset-requests': '1s',
			'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '1m0s',
		}, now)).toBe(60);
	});
});
