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

	/**
	 * `inTransit`: units this lane sent so recently that the provider had not counted them when it wrote the
	 * headers; they come off what the headers say is left.
	 */
	sync(window: RateLimitWindow, now: number, inTransit = 0): void {
		this.#refill(now);
		this.#size = window.limit;
		window = {...window, remaining: window.remaining - inTransit};
		// `remaining` is a whole number: the provider holds at least that and less than one more. Our own count
		// stays while it is near that: resetting it to `remaining` would cost half a unit at every response,
		// trusting the upper half would send into refusals, and headers of responses that crossed on the way
		// can be a little stale, so the copy is lifted no further than half a unit below them.
		this.#level = this.#synced ? Math.min(window.remaining + 0.5, Math.max(window.remaining - 0.5, this.#level)) : window.remaining;
		this.#synced = true;
		this.#safety = Math.min(1, this.#safety + 0.0002);
		// The provider holds between `remaining` and one more, so the budget is spent by up to a unit less than the
		// whole numbers say: the lower figure is taken. A copy that refills too slowly costs little, as every
		// response lifts it back to `remaining`; one that refills too fast sends into refusals. Near full,
		// rounding dominates: only a half-spent budget tells the rate.
		const spent = window.limit - window.remaining - 1;
		if (window.resetMs !== undefined && window.resetMs > 0 && spent >= Math.max(1, (window.limit / 2) - 1)) {
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
		// Float refills must not leave a wait of 1e-12 ms: a timer for it fires at the same instant, again and again.
		return this.#level >= want - 1e-9 ? 0 : (want - this.#level) / (this.#perMs * this.#safety);
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
