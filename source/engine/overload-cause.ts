import type {RateLimitInfo} from '../providers/rate-limit-headers.js';

/**
 * What a 429 was about, from the headers that came with it: a spent request or token budget is the rate;
 * budgets with room left mean the provider's in-flight slots were full. Without headers it cannot be told.
 */
export function overloadCause(info: RateLimitInfo | undefined, tokens: number): 'concurrency' | 'rate' | 'unknown' {
	if (!info) return 'unknown';
	if (info.requests && info.requests.remaining < 1) return 'rate';
	if (info.tokens && info.tokens.remaining < Math.min(tokens, info.tokens.limit)) return 'rate';
	return 'concurrency';
}
