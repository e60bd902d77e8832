import {setMaxListeners} from 'node:events';
import {systemClock, type Clock} from './clock.js';
import {Lane} from './lane.js';
import {memoryItems, type PendingItems} from './pending-items.js';
import type {
	Counts, EngineControls, EngineEvent, EngineSnapshot, EngineView, ItemResult, LaneSpec, OperatorAction, RequestSettings,
	ResultSink, RetrySettings, RunStatus, TestCase,
} from './types.js';

export type EngineOptions = {
	lanes: LaneSpec[];
	/** The run's pending items and final results, read in pages (the store's `pendingItems`). Without it, `tests` and `prior`. */
	items?: PendingItems;
	/** The tests, in memory (tests, benches): used when `items` is not given. */
	tests?: TestCase[];
	/** Results that are already final (a resumed run): counted, not sent again. With `tests` only. */
	prior?: ItemResult[];
	request: RequestSettings;
	retry: RetrySettings;
	sink: ResultSink;
	clock?: Clock;
	/** Wall-clock epoch ms for records. */
	wallNow?: () => number;
	random?: () => number;
};

/**
 * Runs every lane at once and reports through typed events. Plain TypeScript: the TUI, the plain
 * reporter and the tests drive it the same way.
 *
 * A listener that throws ends the run: the store is a listener, and a run whose attempts and events can no
 * longer be recorded must not go on sending. The other listeners still get that event; nothing new is sent,
 * in-flight requests are aborted, and `run()` rejects with the listener's error. The control method or lane
 * that emitted the event does not see the error, so a key press never throws into the view.
 */
export class Engine implements EngineControls, EngineView {
	readonly #lanes: Lane[];
	readonly #byName: Map<string, Lane>;
	readonly #listeners = new Set<(event: EngineEvent) => void>();
	readonly #abort = new AbortController();
	readonly #clock: Clock;
	readonly #wallNow: () => number;
	#startedAt: number | undefined;
	#stopping: EngineSnapshot['stopping'] = 'no';
	#status: RunStatus | undefined;
	#resolve: ((status: RunStatus) => void) | undefined;
	#reject: ((error: unknown) => void) | undefined;
	#fatal: unknown;

	constructor(options: EngineOptions) {
		// Every request in flight listens for the abort: dozens at once is normal, not a leak.
		setMaxListeners(0, this.#abort.signal);
		this.#clock = options.clock ?? systemClock;
		this.#wallNow = options.wallNow ?? Date.now;
		const items = options.items ?? memoryItems(options.tests ?? [], options.prior);
		const context = {
			clock: this.#clock,
			wallNow: this.#wallNow,
			random: options.random ?? Math.random,
			request: options.request,
			retry: options.retry,
			sink: options.sink,
			signal: this.#abort.signal,
			emit: (event: EngineEvent) => {
				this.#emit(event);
			},
			onSettled: () => {
				this.#checkSettled();
			},
			onFatal: (error: unknown) => {
				this.#fail(error);
			},
		};
		this.#lanes = options.lanes.map(spec => new Lane(spec, items, context));
		this.#byName = new Map(this.#lanes.map(lane => [lane.name, lane]));
	}

	/** Starts every lane; resolves when all are done, stopped, or drained after a stop. */
	async run(): Promise<RunStatus> {
		if (this.#startedAt !== undefined) throw new Error('Engine.run() was already called');
		if (this.#fatal !== undefined) throw this.#fatal;
		this.#startedAt = this.#clock.now();
		const finished = new Promise<RunStatus>((resolve, reject) => {
			this.#resolve = resolve;
			this.#reject = reject;
		});
		for (const lane of this.#lanes) lane.start();
		this.#checkSettled();
		return finished;
	}

	subscribe(listener: (event: EngineEvent) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	setConcurrency(lane: string, value: number): void {
		const target = this.#lane(lane);
		const next = Math.max(1, Math.round(value));
		target.setConcurrency(next);
		this.#operator({action: 'set_concurrency', lane, value: next});
	}

	setAdaptive(lane: string, on: boolean): void {
		this.#lane(lane).setAdaptive(on);
		this.#operator({action: 'set_adaptive', lane, value: on});
	}

	pause(lane: string): void {
		this.#lane(lane).pause();
		this.#operator({action: 'pause', lane});
	}

	resume(lane: string): void {
		this.#lane(lane).resume();
		this.#operator({action: 'resume', lane});
	}

	skipRest(lane: string): void {
		this.#lane(lane).skipRest();
		this.#operator({action: 'skip_rest', lane});
	}

	stop(signal?: string): void {
		if (this.#status !== undefined) return;
		const from = signal === undefined ? {} : {signal};
		if (this.#stopping === 'no') {
			this.#stopping = 'graceful';
			this.#operator({action: 'stop', mode: 'graceful', ...from});
			for (const lane of this.#lanes) lane.stop();
			return;
		}

		this.#stopping = 'abort';
		this.#operator({action: 'stop', mode: 'abort', ...from});
		this.#abort.abort(new Error('aborted by the operator'));
	}

	snapshot(): EngineSnapshot {
		const lanes = this.#lanes.map(lane => lane.snapshot());
		const totals: Counts = {items: 0, passed: 0, failed: 0, errored: 0, pending: 0};
		for (const lane of lanes) {
			totals.items += lane.items;
			totals.passed += lane.passed;
			totals.failed += lane.failed;
			totals.errored += lane.errored;
			totals.pending += lane.pending;
		}

		const etas = lanes.filter(lane => lane.pending > 0).map(lane => lane.etaMs);
		const etaMs = etas.length === 0 ? 0 : etas.includes(undefined) ? undefined : Math.max(...etas as number[]);
		return {
			elapsedMs: this.#startedAt === undefined ? 0 : this.#clock.now() - this.#startedAt,
			lanes,
			totals,
			etaMs,
			stopping: this.#stopping,
			finished: this.#status,
		};
	}

	/** Lane names in config order. */
	get laneNames(): string[] {
		return this.#lanes.map(lane => lane.name);
	}

	#lane(name: string): Lane {
		const lane = this.#byName.get(name);
		if (!lane) throw new Error(`unknown lane "${name}"`);
		return lane;
	}

	/** Tells an operator action; one on a lane carries the lane's settings after it. */
	#operator(operator: OperatorAction): void {
		const lane = 'lane' in operator ? this.#byName.get(operator.lane) : undefined;
		this.#emit({type: 'operator', operator, ...(lane ? {settings: lane.settings()} : {}), at: this.#wallNow()});
	}

	#emit(event: EngineEvent): void {
		for (const listener of this.#listeners) {
			try {
				listener(event);
			} catch (error) {
				this.#fail(error);
			}
		}
	}

	#fail(error: unknown): void {
		if (this.#fatal !== undefined) return;
		this.#fatal = error;
		this.#abort.abort(error);
		for (const lane of this.#lanes) lane.stop();
		this.#reject?.(error);
	}

	#checkSettled(): void {
		if (this.#startedAt === undefined || this.#status !== undefined || this.#fatal !== undefined) return;
		if (!this.#lanes.every(lane => lane.settled)) return;
		const status: RunStatus = this.#lanes.every(lane => lane.finished)
			? 'completed'
			: this.#stopping === 'no' ? 'incomplete' : 'interrupted';
		this.#status = status;
		this.#emit({type: 'done', status, at: this.#wallNow()});
		this.#resolve?.(status);
	}
}
