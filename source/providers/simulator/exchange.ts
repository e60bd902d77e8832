import type {ServerResponse} from 'node:http';
import {sendJson} from './http-io.js';
import type {ProviderState} from './provider-state.js';
import type {SimRequestLog} from './types.js';

/** What one exchange needs from the server around it. */
export type ExchangeContext = {
	/** Ms since the simulator started, on its clock. */
	elapsed(): number;
	/** Runs `callback` after `ms` on the simulator's clock; returns a cancel function. */
	schedule(ms: number, callback: () => void): () => void;
	record(entry: SimRequestLog): void;
};

/** Status logged for a request whose client went away before the answer (nginx's convention). */
export const clientClosedStatus = 499;

/**
 * One request to a simulated provider from arrival to answer (or to the client hanging up). It makes sure
 * that, whatever happens first, the slot is released once, the timer is cancelled, the request is counted
 * and logged once, and nothing is written to a closed socket.
 */
export class Exchange {
	private finished = false;
	private holdsSlot = false;
	private cancelTimer?: () => void;

	constructor(
		private readonly context: ExchangeContext,
		private readonly state: ProviderState,
		private readonly response: ServerResponse,
		private readonly entry: Omit<SimRequestLog, 'status' | 'endedAt'>,
	) {
		response.on('close', () => {
			this.end(clientClosedStatus);
		});
	}

	/** The log entry so far, to fill in the model once it is known. */
	get details(): Omit<SimRequestLog, 'status' | 'endedAt'> {
		return this.entry;
	}

	/** The request now holds one of the provider's concurrency slots until it ends. */
	holdSlot(): void {
		this.holdsSlot = true;
	}

	/** Answers now. */
	answer(status: number, body: unknown, headers: Record<string, string> = {}): void {
		if (this.end(status)) sendJson(this.response, status, body, headers);
	}

	/** Answers after `ms`; `build` runs then, so headers describe the budget at answer time. */
	answerLater(ms: number, build: () => {status: number; body: unknown; headers?: Record<string, string>}): void {
		this.cancelTimer = this.context.schedule(ms, () => {
			this.cancelTimer = undefined;
			const {status, body, headers} = build();
			this.answer(status, body, headers);
		});
	}

	/** Ends the exchange once; false if it had already ended. */
	private end(status: number): boolean {
		if (this.finished) return false;
		this.finished = true;
		this.cancelTimer?.();
		if (this.holdsSlot) this.state.limits.release();
		this.count(status);
		this.context.record({...this.entry, status, endedAt: this.context.elapsed()});
		return true;
	}

	private count(status: number): void {
		const {counts} = this.state;
		if (status === 200) counts.served++;
		else if (status === 429) counts.rateLimited++;
		else if (status === 401) counts.unauthorized++;
		else if (status >= 500) counts.errors++;
	}
}
