import type {Clock} from '../clock.js';
import {AimdLimit} from './aimd-limit.js';
import type {Limit, LimitChange, LimitSample} from './limit.js';

/**
 * Adaptive control off: the operator's number is a ceiling the lane never goes above, not a promise to keep
 * that many in flight whatever the provider says. A 429 brings it down as far as the provider's slots, and
 * it climbs back to the ceiling (never past it) once the provider has room: a lane fixed at 64 against a
 * provider that takes 8 sends about 8, not 64 into 429s.
 */
const startFrom = 8;

export class CeilingLimit implements Limit {
	readonly #inner: AimdLimit;

	/**
	 * `fresh`: the lane is starting, with nothing learned: it climbs to the ceiling from at most `startFrom` (+2 a
	 * success), so a number far above what the provider takes costs a couple of refusals, not a burst of them.
	 */
	constructor(clock: Clock, options: {ceiling: number; min: number; fresh?: boolean}) {
		const initial = options.fresh ? Math.min(options.ceiling, startFrom) : options.ceiling;
		this.#inner = new AimdLimit(clock, {initial, min: Math.min(options.min, options.ceiling), max: options.ceiling, slowStart: options.fresh ?? false});
	}

	get limit(): number {
		return this.#inner.limit;
	}

	get min(): number {
		return this.#inner.min;
	}

	/** The operator's number. */
	get max(): number {
		return this.#inner.max;
	}

	get windowMs(): number {
		return this.#inner.windowMs;
	}

	get probingSince(): number | undefined {
		return this.#inner.probingSince;
	}

	set(value: number): void {
		this.#inner.set(value);
		this.#inner.setMax(value);
	}

	/** The operator's number, whatever the provider allows now. */
	get ceiling(): number {
		return this.#inner.max;
	}

	noteDispatch(inFlight: number, ownInFlight?: number): void {
		this.#inner.noteDispatch(inFlight, ownInFlight);
	}

	onSample(sample: LimitSample): LimitChange | undefined {
		return this.#inner.onSample(sample);
	}
}
