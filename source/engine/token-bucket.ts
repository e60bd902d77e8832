import type {Clock} from './clock.js';

/** A token this close to whole counts as whole: float refills must not leave a wait of 1e-12 ms. */
const epsilon = 1e-9;

/**
 * A rate cap, changeable while running: requests per second (weight 1 each) or tokens per second (each
 * request weighs its token estimate). p-limit caps concurrency only; this caps rate.
 * By default the bucket holds a tenth of a second's worth (at least one): requests stay evenly spaced, yet
 * a wake-up timer that fires a little late does not lose rate at high qps (with room for one token, a 2 ms
 * late timer at 200/s would cost 40% of it). A request heavier than the bucket waits for a full bucket and
 * leaves it in debt, so the average rate holds whatever the weights.
 */
export class TokenBucket {
	#rate: number | undefined;
	#burst: number;
	readonly #burstSeconds: number | undefined;
	#tokens: number;
	#updatedAt: number;

	/** `burstSeconds`: the bucket holds that many seconds' worth instead of a tenth of a second's. */
	constructor(private readonly clock: Clock, ratePerSecond?: number, options: {burstSeconds?: number} = {}) {
		this.#rate = ratePerSecond;
		this.#burstSeconds = options.burstSeconds;
		this.#burst = this.#burstFor(ratePerSecond);
		this.#tokens = options.burstSeconds === undefined ? 1 : this.#burst;
		this.#updatedAt = clock.now();
	}

	/** Units per second, or undefined for no cap. */
	get rate(): number | undefined {
		return this.#rate;
	}

	setRate(ratePerSecond: number | undefined): void {
		this.#refill();
		this.#rate = ratePerSecond;
		this.#burst = this.#burstFor(ratePerSecond);
		this.#tokens = Math.min(this.#tokens, this.#burst);
	}

	/** Milliseconds until `weight` can be taken; 0 when it can be now. */
	delayMs(weight = 1): number {
		if (this.#rate === undefined) return 0;
		this.#refill();
		const need = Math.min(weight, this.#burst);
		if (this.#tokens >= need - epsilon) return 0;
		return ((need - this.#tokens) / this.#rate) * 1000;
	}

	/** Takes `weight` if it can be taken now. */
	tryTake(weight = 1): boolean {
		if (this.#rate === undefined) return true;
		if (this.delayMs(weight) > 0) return false;
		this.#tokens -= weight;
		if (this.#tokens > -epsilon && this.#tokens < 0) this.#tokens = 0;
		return true;
	}

	#burstFor(ratePerSecond: number | undefined): number {
		if (this.#burstSeconds !== undefined) return Math.max(1, (ratePerSecond ?? 0) * this.#burstSeconds);
		return Math.max(1, Math.floor((ratePerSecond ?? 0) / 10));
	}

	#refill(): void {
		const now = this.clock.now();
		if (this.#rate !== undefined) {
			this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.#rate);
		}

		this.#updatedAt = now;
	}
}
