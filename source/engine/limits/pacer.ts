import type {RateLimitInfo} from '../../providers/rate-limit-headers.js';
import type {Clock} from '../clock.js';
import {TokenBucket} from '../token-bucket.js';
import {BudgetMirror} from './budget-mirror.js';

/** Until a refusal measures it: the round trip to a provider nearby. */
const defaultLagMs = 5;
const recentSends = 64;

export type PacerOptions = {
	/** The configured requests-per-second cap. */
	qps?: number;
	/** The configured tokens-per-minute quota. */
	tpm?: number;
};

/**
 * Every rate a lane keeps to, in one place: the configured qps and tpm, the provider's own request and token
 * budgets as its headers report them, and a ramp after a provider-wide pause, so the slots a pause freed are
 * handed out across one latency window instead of all at once.
 */
export class Pacer {
	readonly #qps: TokenBucket;
	#tpm: TokenBucket | undefined;
	readonly #requests = new BudgetMirror();
	readonly #tokens = new BudgetMirror();
	/** When recent requests went, with their tokens, to tell which ones a response's headers could not count yet. */
	readonly #sent: Array<{at: number; tokens: number}> = [];
	/** The shortest round trip of a refusal: how old a response's headers are when they arrive, at most. */
	#lagMs = defaultLagMs;
	/** After a pause, dispatches at the rate slots free up at the provider, until `#rampUntil`. */
	#ramp: TokenBucket | undefined;
	#rampUntil = 0;

	constructor(private readonly clock: Clock, options: PacerOptions) {
		this.#qps = new TokenBucket(clock, options.qps);
		// A second's worth of tokens at once: Azure checks its quota over windows of a few seconds.
		this.#tpm = options.tpm === undefined ? undefined : new TokenBucket(clock, options.tpm / 60, {burstSeconds: 1});
	}

	/** The tokens-per-minute quota (a shared budget's runner keeps to its share of it); undefined: none. */
	setTpm(tpm: number | undefined): void {
		if (tpm === undefined) this.#tpm = undefined;
		else if (this.#tpm) this.#tpm.setRate(tpm / 60);
		else this.#tpm = new TokenBucket(this.clock, tpm / 60, {burstSeconds: 1});
	}

	get qps(): number | undefined {
		return this.#qps.rate;
	}

	get tpm(): number | undefined {
		return this.#tpm?.rate === undefined ? undefined : this.#tpm.rate * 60;
	}

	/** The provider's request and token rates as its headers tell them (per second). */
	get learned(): {requestsPerSecond?: number; tokensPerSecond?: number} {
		return {requestsPerSecond: this.#requests.ratePerSecond, tokensPerSecond: this.#tokens.ratePerSecond};
	}

	/** Milliseconds until a request of `tokens` may go. */
	delayMs(tokens: number): number {
		const now = this.clock.now();
		return Math.max(this.#rampUntil > now ? this.#ramp?.delayMs() ?? 0 : 0, this.#rateDelayMs(now, tokens));
	}

	/** Whether a request of `tokens` waits for a rate: the configured qps or tpm, or the provider's budgets (not a ramp). */
	heldByRate(tokens: number): boolean {
		return this.#rateDelayMs(this.clock.now(), tokens) > 0;
	}

	/** A request of `tokens` goes now. */
	take(tokens: number): void {
		const now = this.clock.now();
		this.#qps.tryTake();
		this.#tpm?.tryTake(tokens);
		this.#requests.take(now);
		this.#tokens.take(now, tokens);
		this.#sent.push({at: now, tokens});
		if (this.#sent.length > recentSends) this.#sent.shift();
		if (this.#rampUntil > now) this.#ramp?.tryTake();
	}

	/** The provider's numbers from a response. */
	observe(info: RateLimitInfo | undefined): void {
		if (!info) return;
		const now = this.clock.now();
		let requests = 0;
		let tokens = 0;
		for (let index = this.#sent.length - 1; index >= 0 && now - this.#sent[index]!.at < this.#lagMs; index--) {
			requests++;
			tokens += this.#sent[index]!.tokens;
		}

		if (info.requests) this.#requests.sync(info.requests, now, requests);
		if (info.tokens) this.#tokens.sync(info.tokens, now, tokens);
	}

	#rateDelayMs(now: number, tokens: number): number {
		return Math.max(this.#qps.delayMs(), this.#tpm?.delayMs(tokens) ?? 0, this.#requests.delayMs(now), this.#tokens.delayMs(now, tokens));
	}

	/** A refusal came back this long after it was sent: nearly all of it is the trip there and back. */
	noteRefusalRoundTrip(ms: number): void {
		this.#lagMs = Math.max(0.5, Math.min(this.#lagMs, ms));
	}

	/** A 429 about the rate: the budget that ran out refills slower than its copy assumed. */
	refused(info: RateLimitInfo | undefined, tokens: number): void {
		if (info?.requests && info.requests.remaining < 1) this.#requests.onRefused();
		if (info?.tokens && info.tokens.remaining < Math.min(tokens, info.tokens.limit)) this.#tokens.onRefused();
	}

	/**
	 * After a pause: hand out `slots` dispatches evenly across `windowMs`. A bucket, not a schedule, so a
	 * wake-up that fires late sends what came due meanwhile instead of losing it.
	 */
	ramp(windowMs: number, slots: number): void {
		this.#rampUntil = this.clock.now() + windowMs;
		this.#ramp = new TokenBucket(this.clock, Math.max(1, slots) / Math.max(1, windowMs) * 1000);
	}

	setQps(qps: number | undefined): void {
		this.#qps.setRate(qps);
	}
}
