import {headerGetter, parseDuration, type HeaderSource} from './retry-after.js';

/** One of the provider's budgets as its `x-ratelimit-*` headers describe it at the time of a response. */
export type RateLimitWindow = {
	/** Size of the budget (`x-ratelimit-limit-*`). */
	limit: number;
	/** What is left of it now (`x-ratelimit-remaining-*`). */
	remaining: number;
	/** Milliseconds until the budget is full again (`x-ratelimit-reset-*`), not the time to wait for one unit. */
	resetMs?: number;
};

/** The provider's own numbers for requests and tokens, where it sent them. */
export type RateLimitInfo = {requests?: RateLimitWindow; tokens?: RateLimitWindow};

/**
 * Reads `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` as OpenAI, Azure OpenAI and most gateways send
 * them on every response. A budget is reported only when both its limit and its remaining are plain numbers.
 */
export function parseRateLimitHeaders(headers: HeaderSource): RateLimitInfo | undefined {
	const get = headerGetter(headers);
	const window = (kind: 'requests' | 'tokens'): RateLimitWindow | undefined => {
		const limit = count(get(`x-ratelimit-limit-${kind}`));
		const remaining = count(get(`x-ratelimit-remaining-${kind}`));
		if (limit === undefined || remaining === undefined || limit <= 0) return undefined;
		const reset = get(`x-ratelimit-reset-${kind}`);
		// Some gateways send bare seconds instead of a Go duration.
		const resetMs = parseDuration(reset) ?? seconds(reset);
		return {limit, remaining: Math.min(remaining, limit), ...(resetMs === undefined ? {} : {resetMs})};
	};

	const requests = window('requests');
	const tokens = window('tokens');
	if (!requests && !tokens) return undefined;
	return {...(requests ? {requests} : {}), ...(tokens ? {tokens} : {})};
}

/**
 * The budget's refill rate per ms, derived from how far it is from full and how long it takes to fill:
 * (limit - remaining) / reset. Undefined when the headers cannot tell (a full budget, no reset).
 */
export function refillPerMs(window: RateLimitWindow): number | undefined {
	if (window.resetMs === undefined || window.resetMs <= 0 || window.remaining >= window.limit) return undefined;
	return (window.limit - window.remaining) / window.resetMs;
}

/** Milliseconds until the budget holds `need` units again, at its refill rate. */
export function waitForUnits(window: RateLimitWindow, need = 1): number | undefined {
	if (window.remaining >= need) return 0;
	const rate = refillPerMs(window);
	return rate === undefined ? undefined : (need - window.remaining) / rate;
}

/** Milliseconds the provider says it worked on the request (`openai-processing-ms`), when it said. */
export function parseProcessingMs(headers: HeaderSource): number | undefined {
	return count(headerGetter(headers)('openai-processing-ms'));
}

function count(value: string | undefined): number | undefined {
	if (value === undefined || !/^\s*\d+(?:\.\d+)?\s*$/.test(value)) return undefined;
	return Number(value);
}

function seconds(value: string | undefined): number | undefined {
	const number = count(value);
	return number === undefined ? undefined : number * 1000;
}
