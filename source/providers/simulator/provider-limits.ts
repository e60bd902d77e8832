/** The limits of one provider, already scaled to real time. */
export type LimitSettings = {
	maxConcurrent: number;
	/** Requests added per real millisecond (rps / 1000 / timeScale). */
	tokensPerMs: number;
	/** Request bucket size, at least 1 so a slow provider still accepts a request now and then. */
	burst: number;
	/** Suggested wait after a concurrency 429, in real ms. */
	concurrencyRetryMs: number;
	/** A tokens-per-minute quota, counted at admission (prompt estimate + max_tokens), when the provider has one. */
	tokenBudget?: {perMs: number; size: number};
};

/** Rate-limit headers in the names OpenAI uses. */
export type LimitHeaders = Record<string, string>;

/** The outcome of asking for a slot and a token: admitted, or refused with a wait in real ms. */
export type Admission = {ok: true} | {ok: false; reason: 'concurrency' | 'rate' | 'tokens'; retryAfterMs: number};

/** A bucket of `size` units refilled at `perMs`; time is passed in. */
class Bucket {
	level: number;
	#updatedAt: number;

	constructor(public perMs: number, public size: number, now: number) {
		this.level = size;
		this.#updatedAt = now;
	}

	refill(now: number): void {
		const elapsed = Math.max(0, now - this.#updatedAt);
		this.level = Math.min(this.size, this.level + (elapsed * this.perMs));
		this.#updatedAt = now;
	}

	/** Real ms until `units` are there. */
	waitFor(units: number): number {
		return Math.max(0, (units - this.level) / this.perMs);
	}

	headers(kind: 'requests' | 'tokens'): LimitHeaders {
		return {
			[`x-ratelimit-limit-${kind}`]: String(Math.floor(this.size)),
			[`x-ratelimit-remaining-${kind}`]: String(Math.max(0, Math.floor(this.level))),
			[`x-ratelimit-reset-${kind}`]: formatDuration((this.size - this.level) / this.perMs),
		};
	}
}

/**
 * One budget shared by all models of a provider, as real providers do: a cap on requests in flight, a bucket
 * on the request rate and, when the provider has a token quota, a bucket of tokens that each request draws
 * its estimate from at admission, as Azure OpenAI counts it. Time is passed in, so it is testable without waiting.
 */
export class ProviderLimits {
	inFlight = 0;
	maxInFlight = 0;
	#settings: LimitSettings;
	readonly #requests: Bucket;
	#tokens: Bucket | undefined;

	constructor(settings: LimitSettings, now: number) {
		this.#settings = settings;
		this.#requests = new Bucket(settings.tokensPerMs, settings.burst, now);
		this.#tokens = settings.tokenBudget ? new Bucket(settings.tokenBudget.perMs, settings.tokenBudget.size, now) : undefined;
	}

	/** The provider changes its limits (a scheduled change): what was spent stays spent. */
	update(settings: LimitSettings, now: number): void {
		this.#refill(now);
		this.#settings = settings;
		this.#requests.perMs = settings.tokensPerMs;
		this.#requests.size = settings.burst;
		this.#requests.level = Math.min(this.#requests.level, settings.burst);
		if (!settings.tokenBudget) {
			this.#tokens = undefined;
		} else if (this.#tokens) {
			this.#tokens.perMs = settings.tokenBudget.perMs;
			this.#tokens.size = settings.tokenBudget.size;
			this.#tokens.level = Math.min(this.#tokens.level, settings.tokenBudget.size);
		} else {
			this.#tokens = new Bucket(settings.tokenBudget.perMs, settings.tokenBudget.size, now);
		}
	}

	get settings(): LimitSettings {
		return this.#settings;
	}

	/** Takes a slot, a request and `tokens` from the token quota, or says why not and how long to wait. Takes nothing on refusal. */
	tryAcquire(now: number, tokens = 0): Admission {
		this.#refill(now);
		if (this.inFlight >= this.#settings.maxConcurrent) {
			return {ok: false, reason: 'concurrency', retryAfterMs: this.#settings.concurrencyRetryMs};
		}

		if (this.#requests.level < 1) return {ok: false, reason: 'rate', retryAfterMs: this.#requests.waitFor(1)};
		// A request larger than the whole quota could never be admitted: it is weighed as the whole quota.
		const weight = this.#tokens ? Math.min(tokens, this.#tokens.size) : 0;
		if (this.#tokens && this.#tokens.level < weight) return {ok: false, reason: 'tokens', retryAfterMs: this.#tokens.waitFor(weight)};
		this.#requests.level -= 1;
		if (this.#tokens) this.#tokens.level -= weight;
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		return {ok: true};
	}

	/** Gives a slot back (the request ended or its client went away). */
	release(): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
	}

	/** The x-ratelimit-* headers now: bucket size, whole units left, time until the bucket is full. */
	headers(now: number): LimitHeaders {
		this.#refill(now);
		return {...this.#requests.headers('requests'), ...this.#tokens?.headers('tokens')};
	}

	#refill(now: number): void {
		this.#requests.refill(now);
		this.#tokens?.refill(now);
	}
}

/** A duration as OpenAI writes it in x-ratelimit-reset-*: "250ms", "1.5s", "6m0s". */
export function formatDuration(ms: number): string {
	const whole = Math.max(0, Math.ceil(ms));
	if (whole < 1000) return `${whole}ms`;
	if (whole < 60_000) return `${Number((whole / 1000).toFixed(3))}s`;
	const minutes = Math.floor(whole / 60_000);
	return `${minutes}m${Number(((whole - (minutes * 60_000)) / 1000).toFixed(3))}s`;
}
