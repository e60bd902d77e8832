import {describe, expect, test} from 'vitest';
import {parseDuration, parseRetryAfter} from '../../source/providers/retry-after.js';

const now = Date.parse('2025-08-13T10:00:00Z');

describe('parseRetryAfter', () => {
	test('prefers retry-after-ms (float ms)', () => {
		expect(parseRetryAfter({'retry-after-ms': '1234.5', 'retry-after': '9', 'x-ratelimit-reset-requests': '20s'}, now)).toBe(1234.5);
	});

	test('retry-after in seconds, whole or fractional', () => {
		expect(parseRetryAfter({'retry-after': '2'}, now)).toBe(2000);
		expect(parseRetryAfter({'retry-after': '0.25'}, now)).toBe(250);
		expect(parseRetryAfter({'retry-after': '0'}, now)).toBe(0);
		expect(parseRetryAfter({'retry-after': ' 3 '}, now)).toBe(3000);
	});

	test('retry-after as an HTTP-date, relative to now', () => {
		expect(parseRetryAfter({'retry-after': 'Wed, 13 Aug 2025 10:00:30 GMT'}, now)).toBe(30_000);
		// RFC 850 form.
		expect(parseRetryAfter({'retry-after': 'Wednesday, 13-Aug-25 10:01:00 GMT'}, now)).toBe(60_000);
		// Asctime form, which means GMT though it does not say so.
		expect(parseRetryAfter({'retry-after': 'Wed Aug 13 10:00:05 2025'}, now)).toBe(5000);
	});

	test('an HTTP-date in the past clamps to 0', () => {
		expect(parseRetryAfter({'retry-after': 'Wed, 13 Aug 2025 09:59:00 GMT'}, now)).toBe(0);
	});

	test('x-ratelimit-reset-requests in Go duration forms', () => {
		expect(parseRetryAfter({'x-ratelimit-reset-requests': '1s'}, now)).toBe(1000);
		expect(parseRetryAfter({'x-ratelimit-reset-requests': '6m0s'}, now)).toBe(360_000);
		expect(parseRetryAfter({'x-ratelimit-reset-requests': '250ms'}, now)).toBe(250);
		expect(parseRetryAfter({'x-ratelimit-reset-requests': '1.5s'}, now)).toBe(1500);
		expect(parseRetryAfter({'x-ratelimit-reset-requests': '1h2m3s'}, now)).toBe(3_723_000);
	});

	test('garbage or negative values are skipped in favour of the next header', () => {
		expect(parseRetryAfter({'retry-after-ms': '-5', 'retry-after': '2'}, now)).toBe(2000);
		expect(parseRetryAfter({'retry-after-ms': 'soon', 'x-ratelimit-reset-requests': '3s'}, now)).toBe(3000);
		expect(parseRetryAfter({'retry-after': '-1'}, now)).toBeUndefined();
		expect(parseRetryAfter({'retry-after': 'soon 5'}, now)).toBeUndefined();
		expect(parseRetryAfter({'retry-after': 'Wed, 99 Foo 2025 10:00:30 GMT'}, now)).toBeUndefined();
		expect(parseRetryAfter({'retry-after': '12abc'}, now)).toBeUndefined();
		expect(parseRetryAfter({'retry-after': 'Infinity'}, now)).toBeUndefined();
		expect(parseRetryAfter({'retry-after': '1e3'}, now)).toBeUndefined();
		expect(parseRetryAfter({'x-ratelimit-reset-requests': '5 minutes'}, now)).toBeUndefined();
		expect(parseRetryAfter({'x-ratelimit-reset-requests': '-1s'}, now)).toBeUndefined();
		expect(parseRetryAfter({'retry-after': ''}, now)).toBeUndefined();
	});

	test('no headers -> undefined', () => {
		expect(parseRetryAfter({}, now)).toBeUndefined();
		expect(parseRetryAfter({'retry-after': undefined}, now)).toBeUndefined();
	});

	test('reads a Headers object and plain objects in any case', () => {
		expect(parseRetryAfter(new Headers({'Retry-After-Ms': '40'}), now)).toBe(40);
		expect(parseRetryAfter({'Retry-After': '1'}, now)).toBe(1000);
	});
});

describe('parseDuration', () => {
	test('units and fractions', () => {
		expect(parseDuration('2h')).toBe(7_200_000);
		expect(parseDuration('500us')).toBe(0.5);
		expect(parseDuration('.5s')).toBe(500);
		expect(parseDuration('1m30.5s')).toBe(90_500);
	});

	test('rejects what is not a duration', () => {
		expect(parseDuration(undefined)).toBeUndefined();
		expect(parseDuration('')).toBeUndefined();
		expect(parseDuration('10')).toBeUndefined();
		expect(parseDuration('1s garbage')).toBeUndefined();
		expect(parseDuration('s')).toBeUndefined();
	});
});
