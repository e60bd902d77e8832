import type {Clock} from '../clock.js';
import type {LimitCause} from '../types.js';
import type {Limit, LimitChange, LimitSample} from './limit.js';

export type AimdOptions = {
	initial: number;
	min: number;
	max: number;
	/** Double while nothing has pushed back yet. Default true. */
	slowStart?: boolean;
	/** Multiplicative cut on a rising error rate. */
	decrease?: number;
	/** Error share among recent requests above which the limit is cut. */
	errorThreshold?: number;
};

const firstWindowMs = 1000;
// Fewer would let two unlucky errors at the start of a run read as a 25% error rate.
const minErrorSamples = 10;
// A failed probe doubles the wait before the next one, up to this many windows: steady state at the
// provider's cap costs one refused request per this many windows, and a cap that came back is found
// within as many.
const firstProbeWait = 2;
const maxProbeWait = 16;

/**
 * Adaptive concurrency for one provider lane, with every time constant taken from observed latency so it
 * behaves the same at 50 ms and at 30 s per request.
 *
 * - Slow start: +2 per success while the limit is in use, i.e. tripling per latency window, until the
 *   provider first pushes back. At 30 s a request, +1 per window would take a quarter of an hour to reach 32.
 * - A 429 about slots (or of unknown cause) sets the limit to the slots the lane actually held when it came
 *   back (`admitted`): that is the provider's cap as this lane sees it, so one refusal corrects the limit
 *   instead of sawing it by 30%. A 429 about the rate does not cut: the lane paces by rate instead.
 * - Failures of requests sent before the last cut say nothing new: one burst is one signal.
 * - Up: +1, +2, +4 … per latency window in which the lane used its whole limit and nothing went wrong, so a
 *   cap that came back is found again within a few windows. Above the level where the provider last refused,
 *   it probes by +1 only every few windows, and waits longer after each refused probe.
 * - A rising error rate (5xx, timeouts) cuts multiplicatively.
 */
export class AimdLimit implements Limit {
	#limit: number;
	#min: number;
	#max: number;
	readonly #decrease: number;
	readonly #errorThreshold: number;
	#slowStart: boolean;
	#latencyMs: number | undefined;
	#windowStart: number;
	#lastCutAt = Number.NEGATIVE_INFINITY;
	#saturated = false;
	#trouble = false;
	#goodWindows = 0;
	#step = 1;
	/** The lowest level the provider refused since the last operator change. */
	#ceiling: number | undefined;
	#probeWait = firstProbeWait;
	/** The level the last cut on a refusal came from. */
	#cutFrom = Number.POSITIVE_INFINITY;
	/** A probe above the ceiling in progress: the level it came from. */
	#probeFrom: number | undefined;

	constructor(private readonly clock: Clock, options: AimdOptions) {
		this.#min = options.min;
		this.#max = options.max;
		this.#limit = this.#clamp(options.initial);
		this.#slowStart = options.slowStart ?? true;
		this.#decrease = options.decrease ?? 0.7;
		this.#errorThreshold = options.errorThreshold ?? 0.25;
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

	get windowMs(): number {
		return this.#latencyMs ?? firstWindowMs;
	}

	set(value: number): void {
		this.#min = Math.min(this.#min, value);
		this.#max = Math.max(this.#max, value);
		this.#limit = this.#clamp(value);
		this.#slowStart = false;
		this.#ceiling = undefined;
		this.#probeFrom = undefined;
		this.#probeWait = firstProbeWait;
		this.#step = 1;
		this.#goodWindows = 0;
		this.#windowStart = this.clock.now();
		this.#saturated = false;
	}

	/** Moves the upper bound (the operator's ceiling when adaptive control is off). */
	setMax(value: number): LimitChange | undefined {
		this.#max = Math.max(this.#min, value);
		return this.#change(this.#limit, 'operator');
	}

	noteDispatch(inFlight: number): void {
		if (inFlight >= this.#limit) this.#saturated = true;
	}

	onSample(sample: LimitSample): LimitChange | undefined {
		switch (sample.kind) {
			case 'success': {
				return this.#onSuccess(sample.latencyMs);
			}

			case 'overload': {
				return this.#onOverload(sample.cause, sample.sentAt, sample.admitted);
			}

			case 'error': {
				this.#trouble = true;
				if (sample.samples < minErrorSamples || sample.errorShare < this.#errorThreshold) return undefined;
				if (!this.#newSignal(sample.sentAt)) return undefined;
				this.#afterCut();
				// Rounded, not floored: at small limits flooring would turn a 30% cut into a 50% one (4 → 2).
				return this.#change(Math.round(this.#limit * this.#decrease), 'error_rate');
			}
		}
	}

	#onSuccess(latencyMs: number): LimitChange | undefined {
		this.#latencyMs = this.#latencyMs === undefined ? latencyMs : (0.8 * this.#latencyMs) + (0.2 * latencyMs);
		if (this.#slowStart) {
			if (!this.#saturated) return undefined;
			this.#saturated = false;
			// +2 a success triples the limit per latency window: a refusal comes back at once and names the
			// slots held, so overshooting costs a few requests, while every window spent below the cap costs
			// a window's worth of them (a long one, at 30 s a request).
			return this.#change(this.#limit + 2, 'increase');
		}

		const now = this.clock.now();
		if (now - this.#windowStart < this.windowMs) return undefined;
		const good = this.#saturated && !this.#trouble && now - this.#lastCutAt >= this.windowMs;
		this.#windowStart = now;
		this.#saturated = false;
		this.#trouble = false;
		if (!good) {
			this.#goodWindows = 0;
			this.#step = 1;
			return undefined;
		}

		this.#goodWindows++;
		if (this.#probeFrom !== undefined) {
			// The probe held for a whole window: the provider allows more than it did.
			this.#probeFrom = undefined;
			this.#ceiling = undefined;
			this.#probeWait = firstProbeWait;
			this.#step = 2;
		}

		if (this.#ceiling !== undefined && this.#limit + 1 >= this.#ceiling) {
			if (this.#goodWindows < this.#probeWait) return undefined;
			this.#goodWindows = 0;
			this.#probeFrom = this.#limit;
			return this.#change(this.#limit + 1, 'increase');
		}

		const room = this.#ceiling === undefined ? Number.POSITIVE_INFINITY : this.#ceiling - 1 - this.#limit;
		const step = Math.max(1, Math.min(this.#step, room, Math.ceil(this.#limit / 2)));
		this.#step *= 2;
		return this.#change(this.#limit + step, 'increase');
	}

	#onOverload(cause: 'concurrency' | 'rate' | 'unknown', sentAt: number, admitted: number): LimitChange | undefined {
		this.#trouble = true;
		// Whatever the cause, the provider's budget is in sight: no more doubling.
		this.#slowStart = false;
		if (cause === 'rate') return undefined;
		if (!this.#newSignal(sentAt)) {
			// The same overshoot: requests cross on the way (several connections), so the first refusal back can
			// read fewer slots than were held. A later one that saw more lifts the cut, never past where it began.
			return admitted > this.#limit && admitted < this.#cutFrom ? this.#change(admitted, 'rate_limit') : undefined;
		}

		const from = this.#limit;
		if (this.#probeFrom !== undefined && admitted >= this.#probeFrom) {
			// Only the probe was refused: back to where it came from, and wait longer before the next.
			const back = this.#probeFrom;
			this.#ceiling = from;
			this.#probeWait = Math.min(maxProbeWait, this.#probeWait * 2);
			this.#afterCut();
			return this.#change(back, 'rate_limit');
		}

		this.#ceiling = Math.min(this.#ceiling ?? from, from);
		this.#cutFrom = from;
		this.#afterCut();
		return this.#change(Math.min(from - 1, admitted), 'rate_limit');
	}

	#newSignal(sentAt: number): boolean {
		if (sentAt < this.#lastCutAt) return false;
		this.#lastCutAt = this.clock.now();
		return true;
	}

	#afterCut(): void {
		this.#probeFrom = undefined;
		this.#goodWindows = 0;
		this.#step = 1;
		this.#windowStart = this.clock.now();
		this.#saturated = false;
	}

	#change(value: number, cause: LimitCause): LimitChange | undefined {
		const to = this.#clamp(value);
		if (to === this.#limit) return undefined;
		const from = this.#limit;
		this.#limit = to;
		return {from, to, cause};
	}

	#clamp(value: number): number {
		return Math.max(this.#min, Math.min(this.#max, Math.round(value)));
	}
}
