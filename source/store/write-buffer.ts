import type Database from 'better-sqlite3';
import {systemClock, type Clock, type Timer} from '../engine/clock.js';
import type {AttemptValues, EventParams} from './rows.js';
import type {Statements} from './statements.js';

type PendingRows = {attempts: AttemptValues[]; events: EventParams[]};

/** When buffered rows are written. */
export type WriteBufferOptions = {
	/** Write as soon as this many rows wait. */
	maxRows: number;
	/** Write rows that have waited this long, even if few. */
	maxDelayMs: number;
	clock?: Clock;
};

/**
 * Attempts and events, collected and written many rows to a transaction: a commit costs far more than a
 * row, and an instant provider produces thousands of attempts a second. Results never wait here (each is
 * committed at once), nor do they carry waiting rows along: that would add the attempts table's pages to
 * every result's commit. A crash loses at most the last 100 ms of attempts and events, never a result.
 */
export class WriteBuffer {
	private attempts: AttemptValues[] = [];
	private events: EventParams[] = [];
	private timer: Timer | undefined;
	private readonly writeInTransaction: (pending: PendingRows) => void;
	private readonly clock: Clock;

	constructor(
		db: Database.Database,
		private readonly statements: Pick<Statements, 'insertAttempt' | 'insertEvent'>,
		private readonly options: WriteBufferOptions,
	) {
		this.clock = options.clock ?? systemClock;
		this.writeInTransaction = db.transaction((pending: PendingRows) => {
			this.write(pending);
		});
	}

	/** Rows waiting to be written. */
	get size(): number {
		return this.attempts.length + this.events.length;
	}

	/** Queues an attempt row (already checked). */
	addAttempt(row: AttemptValues): void {
		this.attempts.push(row);
		this.added();
	}

	/** Queues an event row. */
	addEvent(row: EventParams): void {
		this.events.push(row);
		this.added();
	}

	private take(): PendingRows {
		const pending = {attempts: this.attempts, events: this.events};
		this.attempts = [];
		this.events = [];
		return pending;
	}

	/** Returns rows whose write failed, ahead of any added since, so nothing is lost or reordered. */
	private putBack(pending: PendingRows): void {
		this.attempts = [...pending.attempts, ...this.attempts];
		this.events = [...pending.events, ...this.events];
	}

	private write(pending: PendingRows): void {
		for (const values of pending.attempts) this.statements.insertAttempt.run(...values);
		for (const row of pending.events) this.statements.insertEvent.run(row);
	}

	/** Writes everything waiting, in one transaction. Throws (keeping the rows) if the database refuses. */
	flush(): void {
		this.cancelTimer();
		if (this.size === 0) return;
		const pending = this.take();
		try {
			this.writeInTransaction(pending);
		} catch (error) {
			this.putBack(pending);
			throw error;
		}
	}

	/** Stops the timer; rows still waiting stay (call flush first to keep them). */
	dispose(): void {
		this.cancelTimer();
	}

	private added(): void {
		if (this.size >= this.options.maxRows) {
			this.flush();
			return;
		}

		this.schedule();
	}

	private schedule(): void {
		if (this.timer !== undefined) return;
		this.timer = this.clock.setTimeout(() => {
			this.timer = undefined;
			try {
				this.flush();
			} catch {
				// Nobody to tell from a timer: the rows stay, and the next flush (a read of attempts,
				// setRunStatus, releaseLock, close) retries and throws to its caller.
				if (this.size > 0) this.schedule();
			}
		}, this.options.maxDelayMs);
		// Unref'd: waiting rows must not keep the process alive; close() and the exit hook write them.
		if (typeof this.timer === 'object') this.timer.unref?.();
	}

	private cancelTimer(): void {
		if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
		this.timer = undefined;
	}
}
