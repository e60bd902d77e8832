import {describe, expect, it} from 'vitest';
import {retryStep} from '../../source/engine/retry-policy.js';
import {ProviderError} from '../../source/providers/types.js';

const retry = {maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000};
const half = () => 0.5;

describe('retryStep', () => {
	it('waits out a 429 lane-wide for the time the provider gave, at most maxDelayMs', () => {
		expect(retryStep(new ProviderError('rate_limit', '429', {retryAfterMs: 2500}), {attempts: 1, rateLimits: 1, outageFailures: 0}, retry, half)).toEqual({kind: 'wait-lane', waitMs: 2500});
		expect(retryStep(new ProviderError('rate_limit', '429', {retryAfterMs: 3_600_000}), {attempts: 1, rateLimits: 1, outageFailures: 0}, retry, half)).toEqual({kind: 'wait-lane', waitMs: 60_000});
		// No Retry-After: exponential backoff with jitter on the item's 429 count.
		expect(retryStep(new ProviderError('rate_limit', '429'), {attempts: 3, rateLimits: 3, outageFailures: 0}, retry, half)).toEqual({kind: 'wait-lane', waitMs: 2000});
	});

	it('gives up on an item that keeps getting 429s long after its attempts for errors would be spent', () => {
		expect(retryStep(new ProviderError('rate_limit', '429', {retryAfterMs: 10}), {attempts: 12, rateLimits: 12, outageFailures: 0}, retry, half).kind).toBe('wait-lane');
		expect(retryStep(new ProviderError('rate_limit', '429', {retryAfterMs: 10}), {attempts: 13, rateLimits: 13, outageFailures: 0}, retry, half).kind).toBe('give-up');
	});

	it('retries transient failures with backoff until maxAttempts', () => {
		expect(retryStep(new ProviderError('transient', '503'), {attempts: 1, rateLimits: 0, outageFailures: 0}, retry, half)).toEqual({kind: 'retry', delayMs: 500});
		expect(retryStep(new ProviderError('transient', '503'), {attempts: 2, rateLimits: 0, outageFailures: 0}, retry, half)).toEqual({kind: 'retry', delayMs: 1000});
		expect(retryStep(new ProviderError('transient', '503'), {attempts: 3, rateLimits: 0, outageFailures: 0}, retry, half)).toEqual({kind: 'give-up'});
		// The 429s an item met on the way do not count against its attempts.
		expect(retryStep(new ProviderError('transient', '503'), {attempts: 5, rateLimits: 3, outageFailures: 0}, retry, half)).toEqual({kind: 'retry', delayMs: 1000});
	});

	it('fails permanent errors at once and stops the lane on a refused key', () => {
		expect(retryStep(new ProviderError('permanent', '400'), {attempts: 1, rateLimits: 0, outageFailures: 0}, retry, half)).toEqual({kind: 'give-up'});
		expect(retryStep(new ProviderError('auth', '401'), {attempts: 1, rateLimits: 0, outageFailures: 0}, retry, half)).toEqual({kind: 'stop-lane'});
	});
});
