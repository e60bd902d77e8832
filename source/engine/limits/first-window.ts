import type {Clock} from '../clock.js';
import {WakeTimer} from '../wake-timer.js';

/**
 * Before anything comes back, a request out this many network round trips (within the bounds below) was
 * admitted: a refusal would have been back by then.
 */
const admissionRoundTrips = 8;
const admissionBoundsMs = {min: 5, max: 2000};

/**
 * The lane's first window, before any answer: at 30 s a request it would otherwise pass at the plan's few
 * slots. Requests out longer than a refusal takes to come back were admitted; `onAdmitted` hears of them at
 * most once per admission time, so each step's one new request is admitted or refused before the next. It
 * ends at the first answer of any kind.
 */
export class FirstWindow {
	#over = false;
	#admissionMs: number | undefined;
	/** When first-window requests went, oldest first, until each counts as admitted. */
	readonly #unconfirmed: number[] = [];
	readonly #wake: WakeTimer;

	constructor(private readonly clock: Clock, private readonly onAdmitted: () => void) {
		this.#wake = new WakeTimer(clock, () => {
			this.#check();
		});
	}

	/** The network round trip to the provider, once measured: admissions count from then on. */
	setRoundTrip(roundTripMs: number): void {
		if (this.#over) return;
		this.#admissionMs = Math.max(admissionBoundsMs.min, Math.min(admissionBoundsMs.max, admissionRoundTrips * roundTripMs));
		this.#check();
	}

	noteSent(now: number): void {
		if (this.#over) return;
		this.#unconfirmed.push(now);
		if (this.#admissionMs !== undefined) this.#wake.at(now + this.#admissionMs);
	}

	/** Something came back (or the lane is ending): the window is over. */
	end(): void {
		if (this.#over) return;
		this.#over = true;
		this.#unconfirmed.length = 0;
		this.#wake.cancel();
	}

	#check(): void {
		if (this.#over || this.#admissionMs === undefined) return;
		const now = this.clock.now();
		let admitted = false;
		while (this.#unconfirmed.length > 0 && this.#unconfirmed[0]! + this.#admissionMs <= now) {
			this.#unconfirmed.shift();
			admitted = true;
		}

		if (admitted) this.onAdmitted();
		if (!this.#over && this.#unconfirmed.length > 0) this.#wake.at(this.#unconfirmed[0]! + this.#admissionMs);
	}
}
