import type {Clock} from '../clock.js';
import {WakeTimer} from '../wake-timer.js';

/**
 * Times the one probe above the level the provider last refused. A provider takes or refuses a request when it
 * arrives, so a probe still out once a refusal would have been back holds: the lane need not wait out a
 * latency window (30 s at a reasoning model) to know the provider has room again.
 */
export class ProbeWatch {
	#admissionMs: number | undefined;
	#watched: {sentAt: number; due: number; stillOut: () => boolean} | undefined;
	readonly #wake: WakeTimer;

	constructor(private readonly clock: Clock, private readonly onAdmitted: (sentAt: number) => void) {
		this.#wake = new WakeTimer(clock, () => {
			this.#check();
		});
	}

	/** Until the round trip is measured, probes are not timed. */
	setAdmissionMs(ms: number): void {
		this.#admissionMs = ms;
	}

	/** The probe went at `sentAt`; `stillOut` tells whether it is still unanswered and unrefused. */
	watch(sentAt: number, stillOut: () => boolean): void {
		// One probe at a time; one already refused or answered no longer holds the watch.
		if (this.#admissionMs === undefined || this.#watched?.stillOut()) return;
		const due = sentAt + this.#admissionMs;
		this.#watched = {sentAt, due, stillOut};
		this.#wake.at(due);
	}

	cancel(): void {
		this.#watched = undefined;
		this.#wake.cancel();
	}

	#check(): void {
		const watched = this.#watched;
		if (!watched || this.#admissionMs === undefined) return;
		const now = this.clock.now();
		if (!watched.stillOut()) {
			this.cancel();
			return;
		}

		// Woken late, the process was busy: the probe may have left only just now, so give it another spell.
		if (now - watched.due > this.#admissionMs) {
			watched.due = now + this.#admissionMs;
			this.#wake.at(watched.due);
			return;
		}

		this.cancel();
		this.onAdmitted(watched.sentAt);
	}
}
