/** Refusals in a row, each of a request sent after the previous wait, that make a 429 storm. */
const stormRefusalsFrom = 3;
/** The longest escalated wait in a 429 storm, in latency windows (never shorter than the provider's Retry-After). */
const stormCapWindows = 10;

/**
 * A 429 storm: the provider keeps refusing requests sent after its last Retry-After was waited out. Each such
 * refusal doubles the wait (one latency window, then two …) up to a cap, as for outage probes; a success ends it.
 */
export class StormWait {
	#refusals = 0;
	#lastRefusalAt = Number.NEGATIVE_INFINITY;

	/** `maxDelayMs`: no wait is longer (the run's `retry.maxDelayMs`). */
	constructor(private readonly random: () => number, private readonly maxDelayMs: number) {}

	/** In a storm: the provider refuses whatever the lane holds, so a refusal says nothing of its limit. */
	get raging(): boolean {
		return this.#refusals >= stormRefusalsFrom;
	}

	/** A 429 of a request sent at `sentAt`: how long the lane waits, from the provider's own `retryAfterMs`. */
	onRefusal(now: number, sentAt: number, retryAfterMs: number, windowMs: number): number {
		if (sentAt > this.#lastRefusalAt) this.#refusals++;
		this.#lastRefusalAt = now;
		if (!this.raging) return retryAfterMs;
		const escalated = Math.min(stormCapWindows * windowMs, windowMs * (2 ** (this.#refusals - stormRefusalsFrom)));
		return Math.max(retryAfterMs, Math.min(this.maxDelayMs, escalated * (0.8 + (0.4 * this.random()))));
	}

	onSuccess(): void {
		this.#refusals = 0;
	}
}
