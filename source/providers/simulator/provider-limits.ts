/** The limits of one provider, already scaled to real time. */
export type LimitSettings = {
	maxConcurrent: number;
	/** Tokens added per real millisecond (rps / 1000 / timeScale). */
	tokensPerMs: number;
	/** Bucket size, at least 1 so a slow provider still accepts a request now and then. */
	burst: number;
	/** Suggested wait after a concurrency 429, in real ms. */
	concurrencyRetryMs: number;
};

/** Rate-limit headers in the names OpenAI uses. */
export type LimitHeaders = {
	'x-ratelimit-limit-requests': string;
	'x-ratelimit-remaining-requests': string;
	'x-ratelimit-reset-requests': string;
};

/** The outcome of asking for a slot and a token: admitted, or refused with a wait in real ms. */
export type Admission = {ok: true} | {ok: false; reason: 'concurrency' | 'rate'; retryAfterMs: number};

/**
 * One budget shared by all models of a provider, as real providers do: a cap on requests in flight and a
 * token bucket on the request rate. Time is passed in, so it is testable without waiting.
 */
export class ProviderLimits {
	inFlight = 0;
	maxInFlight = 0;
	private tokens: number;
	private updatedAt: number;

	constructor(private readonly settings: LimitSettings, now: number) {
		this.tokens = settings.burst;
		this.updatedAt = now;
	}

	/** Takes a slot and a token, or says why not and how long to wait. Takes nothing on refusal. */
	tryAcquire(now: number): Admission {
		this.refill(now);
		if (this.inFlight >= this.settings.maxConcurrent) {
			return {ok: false, reason: 'concurrency', retryAfterMs: this.settings.concurrencyRetryMs};
		}

		if (this.tokens < 1) {
			return {ok: false, reason: 'rate', retryAfterMs: (1 - this.tokens) / this.settings.tokensPerMs};
		}

		this.tokens -= 1;
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		return {ok: true};
	}

	/** Gives a slot back (the request ended or its client went away). */
	release(): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
	}

	/** The x-ratelimit-* headers now: bucket size, whole tokens left, time until the bucket is full. */
	headers(now: number): LimitHeaders {
		this.refill(now);
		const resetMs = (this.settings.burst - this.tokens) / this.settings.tokensPerMs;
		return {
			'x-ratelimit-limit-requests': String(Math.floor(this.settings.burst)),
			'x-ratelimit-remaining-requests': String(Math.floor(this.tokens)),
			'x-ratelimit-reset-requests': formatDuration(resetMs),
		};
	}

	private refill(now: number): void {
		const elapsed = Math.max(0, now - this.updatedAt);
		this.tokens = Math.min(this.settings.burst, this.tokens + (elapsed * this.settings.tokensPerMs));
		this.updatedAt = now;
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
