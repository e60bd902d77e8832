import type {RateLimitWindow} from '../../providers/rate-limit-headers.js';

/**
 * The lane's copy of one of the provider's budgets (requests or tokens), kept in step with the
 * `x-ratelimit-*` headers of every response, so the lane paces before the provider refuses instead of
 * learning the limit from 429s. Its refill rate is derived from the headers: (limit - remaining) / reset.
 * Until the headers tell a rate, it holds nothing back.
 */
export class BudgetMirror {
	#level = 0;
	#size = 0;
	#perMs: number | undefined;
	#updatedAt = 0;
	#synced = false;
	/**
	 * Share of the estimated rate the copy refills at: whole-number headers cannot tell the rate exactly, so
	 * each refusal the copy did not foresee trims it, and each answer gives a little back.
	 */
	#safety = 1;

	/** Units per second the provider refills, when the headers have told it. */
	get ratePerSecond(): number | undefined {
		return this.#perMs === undefined ? undefined : this.#perMs * this.#safety * 1000;
	}

	sync(window: RateLimitWindow, now: number): void {
		this.#refill(now);
		this.#size = window.limit;
		// `remaining` is a whole number: the provider holds at least that and less than one more. Our own count
		// stays while it is within that range, so rounding does not cost a unit at every response.
		this.#level = this.#synced ? Math.min(window.remaining + 1, Math.max(window.remaining, this.#level)) : window.remaining;
		this.#synced = true;
		this.#safety = Math.min(1, this.#safety + 0.002);
		// The provider holds between `remaining` and one more, so the budget is spent by half a unit less on
		// average than the whole numbers say. Near full, that rounding dominates: only a half-spent budget tells the rate.
		const spent = window.limit - window.remaining - 0.5;
		if (window.resetMs !== undefined && window.resetMs > 0 && spent >= Math.max(1.5, window.limit / 2)) {
			const rate = spent / window.resetMs;
			this.#perMs = this.#perMs === undefined ? rate : (0.7 * this.#perMs) + (0.3 * rate);
		}
	}

	/** The provider refused for this budget although the copy had room: it refills slower than estimated. */
	onRefused(): void {
		this.#safety = Math.max(0.8, this.#safety * 0.97);
		this.#level = Math.min(this.#level, 0);
	}

	/** Milliseconds until `need` units are there; 0 when they are, or when the rate is not known. */
	delayMs(now: number, need = 1): number {
		if (this.#perMs === undefined) return 0;
		this.#refill(now);
		const want = Math.min(need, this.#size);
		return this.#level >= want ? 0 : (want - this.#level) / (this.#perMs * this.#safety);
	}

	take(now: number, units = 1): void {
		if (!this.#synced) return;
		this.#refill(now);
		this.#level -= units;
	}

	#refill(now: number): void {
		if (this.#perMs !== undefined) this.#level = Math.min(this.#size, this.#level + ((now - this.#updatedAt) * this.#perMs * this.#safety));
		this.#updatedAt = now;
	}
}
