import type {ProviderError} from '../providers/types.js';
import {backoffDelayMs} from './backoff.js';
import type {RetrySettings} from './types.js';

/** 429s an item may get before it counts as errored: the provider says when to come back, so allow many. */
const rateLimitAttemptsFactor = 4;

/** What a lane does after a failed request. */
export type RetryStep =
	/** 429: the whole lane waits this long (the limit is the provider's), then sends the item again. */
	| {kind: 'wait-lane'; waitMs: number}
	/** Transient: this item alone is sent again after a backoff. */
	| {kind: 'retry'; delayMs: number}
	/** No usable answer will come: the item is final as errored. */
	| {kind: 'give-up'}
	/** The key was refused: the lane stops, its items stay pending for a resume with a fixed key. */
	| {kind: 'stop-lane'};

/**
 * How a failure is handled, by its class: `attempts` counts every request sent for the item,
 * `rateLimits` the 429s among them.
 */
export function retryStep(error: ProviderError, item: {attempts: number; rateLimits: number; outageFailures: number}, retry: RetrySettings, random: () => number): RetryStep {
	switch (error.errorClass) {
		case 'rate_limit': {
			if (item.rateLimits > retry.maxAttempts * rateLimitAttemptsFactor) return {kind: 'give-up'};
			const waitMs = error.retryAfterMs ?? backoffDelayMs(item.rateLimits, retry.baseDelayMs, retry.maxDelayMs, random);
			return {kind: 'wait-lane', waitMs: Math.min(retry.maxDelayMs, waitMs)};
		}

		case 'transient':
		case 'unreachable': {
			// 429s are the provider's pacing and outage failures the provider's state, not the item failing:
			// neither uses up its attempts.
			const tries = item.attempts - item.rateLimits - item.outageFailures;
			if (tries >= retry.maxAttempts) return {kind: 'give-up'};
			return {kind: 'retry', delayMs: backoffDelayMs(tries, retry.baseDelayMs, retry.maxDelayMs, random)};
		}

		case 'outage': {
			// The lane holds every dispatch while its provider is down; the item goes when it is back.
			return {kind: 'retry', delayMs: 0};
		}

		case 'permanent': {
			return {kind: 'give-up'};
		}

		case 'auth': {
			return {kind: 'stop-lane'};
		}
	}
}
