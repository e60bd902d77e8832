import type {Clock} from './clock.js';

/** A token this close to whole counts as whole: float refills must not leave a wait of 1e-12 ms. */
const epsilon = 1e-9;

/**
 * Requests-per-second cap, changeable while running. p-limit caps concurrency only; this caps rate.
 * The bucket holds a tenth of a second's worth of tokens (at least one): requests stay evenly spaced, yet
 * a wake-up timer that fires a little late does not lose rate at high qps (with room for one token, a
 * 2 ms late timer at 200/s would cost 40% of it).
 */
export class TokenBucket {
	#rate: number | undefined;
	#burst: number;
	#tokens: number;
	#updatedAt: number;

	constructor(private readonly clock: Clock, ratePerSecond?: number) {
		this.#rate = ratePerSecond;
		this.#burst = burstFor(ratePerSecond);
		this.#tokens = 1;
		this.#updatedAt = clock.now();
	}

	/** Requests per second, or undefined for no cap. */
	get rate(): number | undefined {
		return this.#rate;
	}

	setRate(ratePerSecond: number | undefined): void {
		this.#refill();
		this.#rate = ratePerSecond;
		this.#burst = burstFor(ratePerSecond);
		this.#tokens = Math.min(this.#tokens, this.#burst);
	}

	/** Milliseconds until a token is available; 0 when one is available now. */
	delayMs(): number {
		if (this.#rate === undefined) return 0;
		this.#refill();
		if (this.#tokens >= 1 - epsilon) return 0;
		return ((1 - this.#tokens) / this.#rate) * 1000;
	}

	/** Takes a token if one is available. */
	tryTake(): boolean {
		if (this.#rate === undefined) return true;
		this.#refill();
		if (this.#tokens < 1 - epsilon) return false;
		this.#tokens = Math.max(0, this.#tokens - 1);
		return true;
	}

	#refill(): void {
		const now = this.clock.now();
		if (this.#rate !== undefined) {
			this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#rate);
		}

		this.#updatedAt = now;
	}
}

function burstFor(ratePerSecond: number | undefined): number {
	return Math.max(1, Math.floor((ratePerSecond ?? 0) / 10));
}
