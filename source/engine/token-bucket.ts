import type {Clock} from './clock.js';

/**
 * Requests-per-second cap, changeable while running. p-limit caps concurrency only; this caps rate.
 * The bucket holds at most `burst` tokens (default 1, so requests are spaced evenly and never bunch up
 * into a burst the provider's own window would count against us).
 */
export class TokenBucket {
	#rate: number | undefined;
	#burst: number;
	#tokens: number;
	#updatedAt: number;

	constructor(private readonly clock: Clock, ratePerSecond?: number, burst = 1) {
		this.#rate = ratePerSecond;
		this.#burst = Math.max(1, burst);
		this.#tokens = this.#burst;
		this.#updatedAt = clock.now();
	}

	/** Requests per second, or undefined for no cap. */
	get rate(): number | undefined {
		return this.#rate;
	}

	setRate(ratePerSecond: number | undefined): void {
		this.#refill();
		this.#rate = ratePerSecond;
	}

	/** Milliseconds until a token is available; 0 when one is available now. */
	delayMs(): number {
		if (this.#rate === undefined) return 0;
		this.#refill();
		if (this.#tokens >= 1) return 0;
		return ((1 - this.#tokens) / this.#rate) * 1000;
	}

	/** Takes a token if one is available. */
	tryTake(): boolean {
		if (this.#rate === undefined) return true;
		this.#refill();
		if (this.#tokens < 1) return false;
		this.#tokens -= 1;
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
