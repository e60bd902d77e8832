import type {Clock, Timer} from './clock.js';

/** One timer for the earliest moment something asked to be woken at; later requests ride along with it. */
export class WakeTimer {
	#timer: Timer;
	#at = Number.POSITIVE_INFINITY;

	constructor(private readonly clock: Clock, private readonly onWake: () => void) {}

	/** Wakes at `at` (clock ms) unless already due to wake earlier. */
	at(at: number): void {
		if (this.#timer !== undefined && this.#at <= at) return;
		this.cancel();
		this.#at = at;
		this.#timer = this.clock.setTimeout(() => {
			this.#timer = undefined;
			this.#at = Number.POSITIVE_INFINITY;
			this.onWake();
		}, Math.max(0, at - this.clock.now()));
	}

	cancel(): void {
		if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#at = Number.POSITIVE_INFINITY;
	}
}
