import {systemClock, type Clock, type Timer} from '../engine/clock.js';
import type {EngineSnapshot, EngineView} from '../engine/types.js';
import {EventLineLog, type EventLine} from '../event-log/event-lines.js';

/** What the TUI renders from: one immutable value, replaced as a whole on every publish. */
export type UiState = {
	readonly engine: EngineSnapshot;
	/** Recent notable events, newest last. */
	readonly events: readonly EventLine[];
};

/** The shape `useSyncExternalStore` wants, plus `dispose`. */
export type SnapshotStore = {
	subscribe(listener: () => void): () => void;
	getSnapshot(): UiState;
	/** Stops listening to the engine and cancels the timers. */
	dispose(): void;
};

export type SnapshotStoreOptions = {
	/** Shortest time between two publishes caused by events. Default 400 ms. */
	intervalMs?: number;
	/** Publish at least this often even without events, so countdowns and elapsed time tick. Default 1000 ms. */
	idleMs?: number;
	/** Event lines kept. Default 50. */
	maxEvents?: number;
	clock?: Clock;
};

/**
 * Adapts the engine to React: events only mark the state dirty; a timer publishes a fresh snapshot at
 * most every `intervalMs`, so a burst of a thousand results costs one render, not a thousand.
 */
export function createSnapshotStore(engine: EngineView, options: SnapshotStoreOptions = {}): SnapshotStore {
	const clock = options.clock ?? systemClock;
	// Two or three frames a second follow a run of minutes or hours well; every frame costs Ink a full
	// layout and redraw (about 20 ms of CPU for three lanes), which at 10 a second would rival the run itself.
	const intervalMs = options.intervalMs ?? 400;
	const idleMs = options.idleMs ?? 1000;
	const log = new EventLineLog(options.maxEvents ?? 50);
	const listeners = new Set<() => void>();
	let state: UiState = {engine: engine.snapshot(), events: log.lines()};
	let flushTimer: Timer | undefined;
	let idleTimer: Timer | undefined;
	let disposed = false;

	const schedule = (callback: () => void, ms: number): Timer => {
		const timer = clock.setTimeout(callback, ms);
		// A pending refresh alone must not keep the process alive.
		if (typeof timer === 'object') timer.unref?.();
		return timer;
	};

	const armIdle = () => {
		if (idleTimer !== undefined) clock.clearTimeout(idleTimer);
		idleTimer = schedule(() => {
			idleTimer = undefined;
			publish();
		}, idleMs);
	};

	const publish = () => {
		if (disposed) return;
		if (flushTimer !== undefined) clock.clearTimeout(flushTimer);
		flushTimer = undefined;
		state = {engine: engine.snapshot(), events: log.lines()};
		for (const listener of [...listeners]) listener();
		armIdle();
	};

	const unsubscribe = engine.subscribe(event => {
		if (disposed) return;
		log.add(event);
		flushTimer ??= schedule(publish, intervalMs);
	});
	armIdle();

	return {
		subscribe(listener) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		getSnapshot: () => state,
		dispose() {
			if (disposed) return;
			disposed = true;
			unsubscribe();
			if (flushTimer !== undefined) clock.clearTimeout(flushTimer);
			if (idleTimer !== undefined) clock.clearTimeout(idleTimer);
			listeners.clear();
		},
	};
}
