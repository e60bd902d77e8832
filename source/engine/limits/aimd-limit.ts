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

/** Where the limit stood, with the level the provider last refused at. */
type Level = {limit: number; ceiling: number | undefined};
// Fewer would let two unlucky errors at the start of a run read as a 25% error rate.
const minErrorSamples = 10;
// A failed probe doubles the wait before the next one, up to this many windows: steady state at the
// provider's cap costs one refused request per this many windows, and a cap that came back is found
// within as many.
const firstProbeWait = 2;
const maxProbeWait = 16;
// After the provider's limit fell from a level the lane had held, it often comes back: probe at most this many
// windows apart, for this many windows after the fall, so it is found again soon.
const maxProbeWaitAfterFall = 2;
const fallRememberedWindows = 60;
// …and for at most this many refused probes: a limit that fell for good costs no more than these.
const fallProbes = 8;
// A refusal at this share of the level held through the last good window, or below, is a fall.
const fallenShare = 0.75;
/**
 * Slow start grows to at most this many times the last window's answers. Over a busy client path a window's
 * answers overstate what the provider holds (the window is the latency the lane sees, lag included) and its
 * refusals come back late, so the whole growth of the last window is sent past the cap before the first
 * refusal: 1.5, not 2, cut the 429s of a start against a 24-slot cap over HTTP by a fifth, at the same makespan.
 */
const slowStartGrowth = 1.5;

/**
 * Adaptive concurrency for one provider lane, with every time constant taken from observed latency so it
 * behaves the same at 50 ms and at 30 s per request.
 *
 * - Slow start: +2 per success while the limit is in use, up to 1.5 times the answers of the last window (the
 *   limit grows by half per window), until the provider first pushes back. At 30 s a request, +1 per window
 *   would take a quarter of an hour to reach 32.
 * - A 429 about slots (or of unknown cause) sets the limit to the slots the lane actually held when it came
 *   back (`admitted`): that is the provider's cap as this lane sees it, so one refusal corrects the limit
 *   instead of sawing it by 30%. A 429 about the rate does not cut: the lane paces by rate instead.
 * - Failures of requests sent before the last cut say nothing new: one burst is one signal.
 * - Refused again with nothing admitted (the provider's limit fell under requests it admitted before): each
 *   refusal steps down further, and after each wait one request goes past those still draining, so the lane
 *   follows the drain down to the new limit instead of refilling the slots it frees into refusals.
 * - Up: +1, +2, +4 … per latency window in which the lane used its whole limit, no request waited for the
 *   rate and nothing went wrong, so a cap that came back is found again within a few windows. Above the level
 *   where the provider last refused, it probes by +1 only every few windows, and waits longer after each
 *   refused probe.
 * - A limit that dropped and came back: once a probe above the low level holds, the limit climbs as in slow
 *   start to just below where the provider refused before the drop, and probes from there.
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
	/** A request waited for the rate in this window. */
	#paced = false;
	#trouble = false;
	#goodWindows = 0;
	#step = 1;
	/** The lowest level the provider refused since the last operator change. */
	#ceiling: number | undefined;
	#probeWait = firstProbeWait;
	/** Refusals of requests sent after the last cut, with none of those admitted since (nor the drain followed). */
	#refusedInARow = 0;
	/** A whole window passed just below the ceiling: the provider's limit was there. */
	#heldBelowCeiling = false;
	/** The limit through the last whole window in which the lane used it and nothing went wrong. */
	#heldLevel: number | undefined;
	/** A probe above the ceiling in progress: the level it came from, and when it went up. */
	#probeFrom: number | undefined;
	#probeAt = 0;
	/** Where the ceiling was before the provider's limit dropped: a limit that comes back likely comes back there. */
	#formerCeiling: number | undefined;
	#formerCeilingUntil = 0;
	#fallProbesLeft = 0;
	/** Slow start stops below this (regaining a former ceiling); unbounded at the start of a run. */
	#slowStartCap = Number.POSITIVE_INFINITY;
	/** Limit and ceiling after the last success of a request sent after the last cut: before any refusal streak. */
	#calm: Level | undefined;
	/** Successes while in slow start, oldest first from `#answeredHead`: the last window's answers. */
	readonly #answeredAt: number[] = [];
	#answeredHead = 0;
	/**
	 * The share of a request's latency the provider spends on it (smoothed; 1 until it says): of the requests
	 * the lane counts in flight, about this share are at the provider, the rest on their way there or back.
	 */
	#atProviderShare = 1;
	/** The budget's requests in flight per request of this runner's, at the last dispatch: 1 unless shared. */
	#loadPerOwn = 1;
	/**
	 * Following a drain: the level one request went out at past those still draining, and when. Until it is known
	 * to hold, answers of the requests admitted before the fall free no slots.
	 */
	#drain: {level: number; at: number} | undefined;
	/** In a 429 storm: what the first answer after it restores. */
	#beforeStorm: Level | undefined;

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

	get probingSince(): number | undefined {
		if (this.#probeFrom !== undefined) return this.#probeAt;
		return this.#drain?.at;
	}

	set(value: number): void {
		this.#min = Math.min(this.#min, value);
		this.#max = Math.max(this.#max, value);
		this.#limit = this.#clamp(value);
		this.#slowStart = false;
		this.#ceiling = undefined;
		this.#probeFrom = undefined;
		this.#probeWait = firstProbeWait;
		this.#formerCeiling = undefined;
		this.#heldBelowCeiling = false;
		this.#heldLevel = undefined;
		this.#refusedInARow = 0;
		this.#drain = undefined;
		this.#slowStartCap = Number.POSITIVE_INFINITY;
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

	noteDispatch(inFlight: number, ownInFlight = inFlight): void {
		if (inFlight >= this.#limit) this.#saturated = true;
		this.#loadPerOwn = Math.max(1, inFlight / Math.max(1, ownInFlight));
	}

	onSample(sample: LimitSample): LimitChange | undefined {
		switch (sample.kind) {
			case 'success': {
				const fresh = this.clock.now() - sample.latencyMs >= this.#lastCutAt;
				if (this.#drain) {
					if (!fresh) return this.#change(this.#limit - 1, 'rate_limit');
					const back = this.#endDrain();
					if (back) return back;
				}

				if (sample.processingMs !== undefined && sample.latencyMs > 0) {
					this.#atProviderShare = (0.8 * this.#atProviderShare) + (0.2 * Math.min(1, sample.processingMs / sample.latencyMs));
				}

				const change = this.#onSuccess(sample.latencyMs, fresh);
				if (fresh) this.#calm = {limit: this.#limit, ceiling: this.#ceiling};
				return change;
			}

			case 'admitted': {
				if (!this.#slowStart) return undefined;
				// The first window at 30 s a request would otherwise pass at the plan's few slots: the lane adds one
				// each admission time (a few round trips), each new request admitted or refused before the next.
				return this.#slowStartBy(1);
			}

			case 'probe_admitted': {
				if (this.#drain) return sample.sentAt >= this.#drain.at ? this.#endDrain() : undefined;
				// A provider decides on a slot when a request arrives: a probe out past the time a refusal takes held,
				// unless another request was refused or failed since it went up (the level is not clear then).
				if (this.#probeFrom === undefined || sample.sentAt < this.#probeAt || this.#trouble) return undefined;
				this.#probeHeld();
				return undefined;
			}

			case 'overload': {
				return this.#onOverload(sample.cause, sample.sentAt, sample.admitted);
			}

			case 'storm': {
				this.#beforeStorm ??= this.#calm;
				return undefined;
			}

			case 'paced': {
				this.#paced = true;
				return undefined;
			}

			case 'wait_over': {
				// Refused with nothing admitted since: the provider may hold fewer than the lane's requests still draining
				// (its limit fell, or the lane is past it). Slots they freed during the wait need not be the provider's
				// to give, so one request goes to see whether the drain has reached its limit, not a burst of them
				// into refusals. Following the drain, the next refusal steps down by one again: the steps grow to
				// find a level the lane cannot see, and this one it sees.
				if (this.#refusedInARow === 0 || sample.inFlight + 1 >= this.#limit) return undefined;
				this.#refusedInARow = 0;
				this.#drain = {level: sample.inFlight + 1, at: this.clock.now()};
				return this.#change(sample.inFlight + 1, 'rate_limit');
			}

			case 'error': {
				if (sample.samples < minErrorSamples) {
					this.#trouble = true;
					return undefined;
				}

				// A provider's steady background of errors (a few percent of requests fail whatever the load) is
				// not a sign of the limit: only a share on its way to the threshold holds the climb.
				if (sample.errorShare >= this.#errorThreshold / 2) this.#trouble = true;
				if (sample.errorShare < this.#errorThreshold) return undefined;
				if (!this.#newSignal(sample.sentAt)) return undefined;
				this.#afterCut();
				// Rounded, not floored: at small limits flooring would turn a 30% cut into a 50% one (4 → 2).
				return this.#change(Math.round(this.#limit * this.#decrease), 'error_rate');
			}
		}
	}

	/** `fresh`: the request went after the last cut, so its answer speaks for the limit as it is now. */
	#onSuccess(latencyMs: number, fresh: boolean): LimitChange | undefined {
		if (fresh) {
			this.#refusedInARow = 0;
			const storm = this.#beforeStorm;
			this.#beforeStorm = undefined;
			if (storm && storm.limit > this.#limit) {
				// The storm is over: back to what the provider held before it, not climbing from its last refusals.
				this.#ceiling = storm.ceiling;
				this.#heldBelowCeiling = false;
				this.#afterCut();
				return this.#change(storm.limit, 'increase');
			}
		}

		this.#latencyMs = this.#latencyMs === undefined ? latencyMs : (0.8 * this.#latencyMs) + (0.2 * latencyMs);
		if (this.#slowStart) {
			const answered = this.#answeredInWindow();
			if (!this.#saturated) return undefined;
			this.#saturated = false;
			// Requests the lane counts in flight may not have reached the provider yet (a busy client, a slow
			// network): only answers prove the provider serves that many, and by Little's law a window's answers
			// are what it holds. Growth stops at half as much again, so a slow path cannot carry the limit far
			// past the provider's cap before its first refusal can come back. Regaining a level the provider held
			// before needs no such proof. The answers are this runner's: of a shared budget, they prove its part
			// of the load the limit counts. A window is the latency the lane sees; where the provider says how
			// long it worked, only that share of a window's answers was held there at once.
			const held = answered * this.#atProviderShare * this.#loadPerOwn;
			const proven = this.#slowStartCap < Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : slowStartGrowth * held;
			if (this.#limit >= proven) return undefined;
			// +2 a success, as far as that proof goes: a refusal comes back at once and names the slots held, so
			// overshooting costs a few requests, while every window spent below the cap costs a window's worth
			// of them (a long one, at 30 s a request).
			return this.#slowStartBy(Math.min(2, proven - this.#limit));
		}

		const now = this.clock.now();
		if (now - this.#windowStart < this.windowMs) return undefined;
		// A window in which requests waited for the rate says nothing of room for more in flight: they would wait too.
		const good = this.#saturated && !this.#trouble && !this.#paced && now - this.#lastCutAt >= this.windowMs;
		this.#paced = false;
		this.#windowStart = now;
		this.#saturated = false;
		this.#trouble = false;
		if (!good) {
			this.#goodWindows = 0;
			this.#step = 1;
			return undefined;
		}

		this.#goodWindows++;
		this.#heldLevel = this.#limit;
		if (this.#ceiling !== undefined && this.#limit + 1 >= this.#ceiling) this.#heldBelowCeiling = true;
		// The probe held for a whole window (when its admission could not be timed).
		if (this.#probeFrom !== undefined && this.#probeHeld()) return undefined;

		if (this.#ceiling !== undefined && this.#limit + 1 >= this.#ceiling) {
			if (this.#goodWindows < this.#currentProbeWait()) return undefined;
			this.#goodWindows = 0;
			this.#probeFrom = this.#limit;
			this.#probeAt = now;
			return this.#change(this.#limit + 1, 'increase');
		}

		const room = this.#ceiling === undefined ? Number.POSITIVE_INFINITY : this.#ceiling - 1 - this.#limit;
		const step = Math.max(1, Math.min(this.#step, room, Math.ceil(this.#limit / 2)));
		this.#step *= 2;
		return this.#change(this.#limit + step, 'increase');
	}

	#onOverload(cause: 'concurrency' | 'rate' | 'unknown', sentAt: number, admitted: number): LimitChange | undefined {
		this.#trouble = true;
		this.#drain = undefined;
		// Whatever the cause, the provider's budget is in sight: no more doubling.
		this.#endSlowStart();
		if (cause === 'rate') return undefined;
		// The provider had no slot with `admitted` of the lane's requests at most holding one.
		this.#lowerCeiling(admitted + 1);
		if (!this.#newSignal(sentAt)) {
			// The same overshoot coming back: every refusal says the provider holds no more than the lane's other
			// requests still in flight, so the limit follows them down and each success sends one more, no burst.
			return admitted < this.#limit ? this.#change(admitted, 'rate_limit') : undefined;
		}

		const from = this.#limit;
		if (this.#probeFrom !== undefined && admitted >= this.#probeFrom) {
			// Only the probe was refused: back to where it came from, and wait longer before the next.
			const back = this.#probeFrom;
			this.#ceiling = from;
			this.#probeWait = Math.min(maxProbeWait, this.#currentProbeWait() * 2);
			this.#fallProbesLeft--;
			this.#afterCut();
			return this.#change(back, 'rate_limit');
		}

		this.#lowerCeiling(from);
		this.#refusedInARow++;
		this.#afterCut();
		// Refusals in a row of requests sent after each cut, with nothing admitted since: the provider's limit
		// is further below than one step. The step doubles with each (1, 2, 4 … at most half), so a limit that
		// fell to a third is reached in a few refusals, while a lane a slot or two over the cap (answers still
		// on their way count as held) lands just below it instead of at half.
		const step = 2 ** (this.#refusedInARow - 1);
		return this.#change(Math.min(from - 1, admitted, Math.max(from - step, from / 2)), 'rate_limit');
	}

	/**
	 * The provider allows more than it did. True when the limit goes on in slow start: a limit that dropped and
	 * came back climbs as at the start, to just below where it was, and probes from there.
	 */
	#probeHeld(): boolean {
		this.#probeFrom = undefined;
		this.#ceiling = undefined;
		this.#heldBelowCeiling = false;
		this.#probeWait = firstProbeWait;
		this.#step = 2;
		if (this.#formerCeiling === undefined || this.#formerCeiling <= this.#limit + 1) return false;
		this.#ceiling = this.#formerCeiling;
		this.#formerCeiling = undefined;
		this.#slowStart = true;
		this.#slowStartCap = this.#ceiling - 1;
		this.#saturated = false;
		return true;
	}

	/** The request sent past the drain holds: the provider has room at that level again. */
	#endDrain(): LimitChange | undefined {
		const level = this.#drain!.level;
		this.#drain = undefined;
		return level > this.#limit ? this.#change(level, 'increase') : undefined;
	}

	/** Good windows to wait before the next probe: few while a limit that fell may be coming back. */
	#currentProbeWait(): number {
		const recentFall = this.#formerCeiling !== undefined && this.clock.now() < this.#formerCeilingUntil && this.#fallProbesLeft > 0;
		return recentFall ? Math.min(this.#probeWait, maxProbeWaitAfterFall) : this.#probeWait;
	}

	/**
	 * The provider refused at `level`: growth stops below it. Where it had held is remembered, as its limit fell
	 * from there and may come back: just below the ceiling, or a level well above this one for a whole window. A
	 * lane a few below its ceiling when the limit falls (a probe above it held, then a refusal cut it) must not
	 * forget it, or it looks for the way back as slowly as for a limit that never moved; a refusal near the level
	 * held is the provider's cap as usual, not a fall.
	 */
	#lowerCeiling(level: number): void {
		if (this.#ceiling !== undefined && level >= this.#ceiling) return;
		const heldAt = this.#ceiling !== undefined && this.#heldBelowCeiling ? this.#ceiling
			: this.#heldLevel !== undefined && level <= this.#heldLevel * fallenShare ? this.#heldLevel + 1 : undefined;
		if (heldAt !== undefined) {
			this.#formerCeiling = Math.max(this.#formerCeiling ?? 0, heldAt);
			this.#formerCeilingUntil = this.clock.now() + (fallRememberedWindows * this.windowMs);
			this.#fallProbesLeft = fallProbes;
		}
		this.#ceiling = level;
		this.#heldBelowCeiling = false;
	}

	/** Slow start's rise, ending it at its cap. */
	#slowStartBy(step: number): LimitChange | undefined {
		const to = Math.min(this.#limit + step, this.#slowStartCap);
		if (to >= this.#slowStartCap) this.#endSlowStart();
		return this.#change(to, 'increase');
	}

	/** Notes a success now and counts those of the last latency window. */
	#answeredInWindow(): number {
		const now = this.clock.now();
		const times = this.#answeredAt;
		times.push(now);
		while (this.#answeredHead < times.length && times[this.#answeredHead]! <= now - this.windowMs) this.#answeredHead++;
		if (this.#answeredHead > 1024) {
			times.splice(0, this.#answeredHead);
			this.#answeredHead = 0;
		}

		return times.length - this.#answeredHead;
	}

	#endSlowStart(): void {
		this.#slowStart = false;
		this.#slowStartCap = Number.POSITIVE_INFINITY;
		this.#windowStart = this.clock.now();
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
