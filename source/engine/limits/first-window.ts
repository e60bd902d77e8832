import type {Clock} from '../clock.js';
import {WakeTimer} from '../wake-timer.js';

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

	/** Admissions count from when the round trip is measured (`admissionMs`). */
	setAdmissionMs(ms: number): void {
		if (this.#over) return;
		this.#admissionMs = ms;
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
