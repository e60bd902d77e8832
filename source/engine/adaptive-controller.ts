import type {Clock} from './clock.js';
import type {LimitCause} from './types.js';

export type LimitChange = {from: number; to: number; cause: LimitCause};

export type AdaptiveOptions = {
	initial: number;
	min: number;
	max: number;
	/** Multiplicative cut on a 429 or a rising error rate. */
	decrease?: number;
	/** Error share among recent requests above which the limit is cut. */
	errorThreshold?: number;
	/** Good windows needed before probing above the level where the provider last pushed back. */
	probeWindows?: number;
};

const recentSize = 20;
// Fewer would let two unlucky errors at the start of a run read as a 25% error rate.
const minSamples = 10;
const firstWindowMs = 1000;

/**
 * AIMD concurrency control for one provider lane, with time constants taken from observed latency so it
 * behaves the same at 50 ms and at 30 s per request.
 *
 * - Down fast: a 429 or an error rate above the threshold cuts the limit multiplicatively, once per
 *   overshoot: failures of requests sent before the last cut say nothing new (twenty 429s from one
 *   burst are one signal, not twenty), as TCP ignores losses from before its last window cut.
 * - Up slowly: +1 per latency window in which the lane used its whole limit and nothing went wrong.
 * - It remembers the level at which the provider last answered 429 (the ceiling) and, once back near it,
 *   probes above it only every few windows: the provider's shared budget is rarely far from where it was,
 *   and each probe past it costs a wasted request.
 */
export class AdaptiveController {
	#limit: number;
	#min: number;
	#max: number;
	readonly #decrease: number;
	readonly #errorThreshold: number;
	readonly #probeWindows: number;
	#latencyMs: number | undefined;
	#windowStart: number;
	#lastCutAt = Number.NEGATIVE_INFINITY;
	#saturated = false;
	#troubleInWindow = false;
	#goodWindows = 0;
	#ceiling: number | undefined;
	readonly #recent: boolean[] = [];

	constructor(private readonly clock: Clock, options: AdaptiveOptions) {
		this.#min = options.min;
		this.#max = options.max;
		this.#limit = this.#clamp(options.initial);
		this.#decrease = options.decrease ?? 0.7;
		this.#errorThreshold = options.errorThreshold ?? 0.25;
		this.#probeWindows = options.probeWindows ?? 6;
		this.#windowStart = clock.now();
	}

	get limit(): number {
		return this.#limit;
	}

	get min(): number {
		return this.#min;
	}

	get max(): number {
		return this.#max;
	}

	/** Smoothed latency of successful requests: the controller's time constant. */
	get windowMs(): number {
		return this.#latencyMs ?? firstWindowMs;
	}

	/** The operator's number stands as the new starting point. */
	set(value: number): void {
		// The operator may go past the configured bounds; the bounds widen to include their number.
		this.#min = Math.min(this.#min, value);
		this.#max = Math.max(this.#max, value);
		this.#limit = this.#clamp(value);
		this.#ceiling = undefined;
		this.#goodWindows = 0;
		this.#windowStart = this.clock.now();
		this.#saturated = false;
	}

	/** A request was sent; `inFlight` counts it. */
	noteDispatch(inFlight: number): void {
		if (inFlight >= this.#limit) this.#saturated = true;
	}

	/** Returns a change when this success closes a good, saturated window. */
	onSuccess(latencyMs: number): LimitChange | undefined {
		this.#latencyMs = this.#latencyMs === undefined ? latencyMs : (0.8 * this.#latencyMs) + (0.2 * latencyMs);
		this.#remember(true);
		return this.#maybeIncrease();
	}

	/** A transient failure (5xx, timeout) of a request sent at `sentAt`: cut when the recent error share is high. */
	onError(sentAt: number): LimitChange | undefined {
		this.#remember(false);
		this.#troubleInWindow = true;
		const failures = this.#recent.filter(ok => !ok).length;
		if (this.#recent.length < minSamples || failures / this.#recent.length < this.#errorThreshold) return undefined;
		return this.#cut('error_rate', sentAt);
	}

	/** The provider said 429 to a request sent at `sentAt`: its shared budget is spent. */
	onRateLimited(sentAt: number): LimitChange | undefined {
		this.#troubleInWindow = true;
		return this.#cut('rate_limit', sentAt);
	}

	#cut(cause: LimitCause, sentAt: number): LimitChange | undefined {
		if (sentAt < this.#lastCutAt) return undefined;
		this.#lastCutAt = this.clock.now();
		if (cause === 'rate_limit') this.#ceiling = this.#limit;
		this.#goodWindows = 0;
		this.#recent.length = 0;
		// Rounded, not floored: at small limits flooring would turn a 30% cut into a 50% one (4 → 2).
		return this.#change(Math.round(this.#limit * this.#decrease), cause);
	}

	#maybeIncrease(): LimitChange | undefined {
		const now = this.clock.now();
		if (now - this.#windowStart < this.windowMs) return undefined;
		const good = this.#saturated && !this.#troubleInWindow && now - this.#lastCutAt >= this.windowMs;
		this.#windowStart = now;
		this.#saturated = false;
		this.#troubleInWindow = false;
		if (!good) {
			this.#goodWindows = 0;
			return undefined;
		}

		this.#goodWindows++;
		const nearCeiling = this.#ceiling !== undefined && this.#limit + 1 >= this.#ceiling;
		if (nearCeiling && this.#goodWindows < this.#probeWindows) return undefined;
		this.#goodWindows = 0;
		return this.#change(this.#limit + 1, 'increase');
	}

	#change(value: number, cause: LimitCause): LimitChange | undefined {
		const to = this.#clamp(value);
		if (to === this.#limit) return undefined;
		const from = this.#limit;
		this.#limit = to;
		return {from, to, cause};
	}

	#remember(ok: boolean): void {
		this.#recent.push(ok);
		if (this.#recent.length > recentSize) this.#recent.shift();
	}

	#clamp(value: number): number {
		return Math.max(this.#min, Math.min(this.#max, Math.round(value)));
	}
}
