import {setImmediate as realImmediate} from 'node:timers/promises';
import type {Clock, Timer} from '../../source/engine/clock.js';

type Pending = {id: number; at: number; callback: () => void};

/** A clock the test moves by hand; timers fire in time order as it moves. */
export class FakeClock implements Clock {
	#now = 0;
	#nextId = 1;
	readonly #timers = new Map<number, Pending>();

	now(): number {
		return this.#now;
	}

	setTimeout(callback: () => void, ms: number): Timer {
		const id = this.#nextId++;
		this.#timers.set(id, {id, at: this.#now + Math.max(0, ms), callback});
		return id;
	}

	clearTimeout(timer: Timer): void {
		if (typeof timer === 'number') this.#timers.delete(timer);
	}

	get pendingTimers(): number {
		return this.#timers.size;
	}

	/**
	 * Moves time forward by `ms`, firing due timers in order; after each, every promise continuation already
	 * queued runs (however deep the chain), so what a timer starts has happened before the next one fires.
	 */
	async advance(ms: number): Promise<void> {
		const target = this.#now + ms;
		await nextTurn();
		for (;;) {
			const next = [...this.#timers.values()].sort((a, b) => a.at - b.at || a.id - b.id)[0];
			if (!next || next.at > target) break;
			this.#timers.delete(next.id);
			this.#now = next.at;
			next.callback();
			await nextTurn();
		}

		this.#now = target;
		await nextTurn();
	}

	/** Waits, without moving time, until `condition` holds; fails naming `what` after `turns` turns of the event loop. */
	async until(condition: () => boolean, what: string, {turns = 100} = {}): Promise<void> {
		for (let turn = 0; !condition(); turn++) {
			if (turn >= turns) throw new Error(`${what}: not so after ${turns} turns of the event loop (fake time ${this.#now} ms)`);
			await nextTurn();
		}
	}

	/** Advances in steps until `condition` holds; fails after `limitMs` of fake time. */
	async advanceUntil(condition: () => boolean, {stepMs = 10, limitMs = 600_000} = {}): Promise<void> {
		const end = this.#now + limitMs;
		while (!condition()) {
			if (this.#now >= end) throw new Error(`condition not met within ${limitMs} ms of fake time`);
			await this.advance(stepMs);
		}
	}
}

/**
 * One turn of the event loop: Node runs every queued microtask (promise continuations, to any depth) before
 * it gets to setImmediate, so nothing here counts how deep a chain is.
 */
async function nextTurn(): Promise<void> {
	await realImmediate();
}
