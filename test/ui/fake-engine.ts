import type {EngineControls, EngineEvent, EngineSnapshot, EngineView, LaneSnapshot} from '../../source/engine/types.js';
import {realEngine} from '../helpers/real-engine.js';

export type Call = [method: keyof EngineControls, ...args: unknown[]];

/** A synthetic lane: sensible values, any of them overridden. */
export function lane(name: string, overrides: Partial<LaneSnapshot> = {}): LaneSnapshot {
	return {
		name, state: 'running', paused: false,
		items: 400, passed: 100, failed: 15, errored: 5, pending: 280,
		inFlight: 4, concurrency: 8, minConcurrency: 1, maxConcurrency: 16, adaptive: true,
		qps: 3.2, errorRate: 0.02, requests: 140, rateLimited: 3, retries: 4,
		latencyP50Ms: 820, latencyP95Ms: 2100, etaMs: 185_000,
		qpsHistory: Array.from({length: 60}, (_, index) => (index * 7) % 11),
		tokensPerMinute: 0, outages: 0, downMs: 0, probes: 0, outageFailures: 0,
		...overrides,
	};
}

/** A snapshot whose totals add up its lanes. */
export function snapshot(lanes: LaneSnapshot[], overrides: Partial<EngineSnapshot> = {}): EngineSnapshot {
	const sum = (key: 'items' | 'passed' | 'failed' | 'errored' | 'pending') => lanes.reduce((total, item) => total + item[key], 0);
	return {
		elapsedMs: 725_000,
		lanes,
		totals: {items: sum('items'), passed: sum('passed'), failed: sum('failed'), errored: sum('errored'), pending: sum('pending')},
		etaMs: 2_530_000,
		stopping: 'no',
		...overrides,
	};
}

/**
 * Stands in for the engine's snapshots, which a test sets as it likes, while every command goes to a real
 * Engine (lanes built from the snapshot's, providers that hold their requests): the events a view receives
 * for a key are the ones the real engine emits, so the fake cannot drift from it. The lane settings the
 * real engine ends up with (concurrency, bounds, adaptive, paused) show in the next snapshot.
 */
export class FakeEngine implements EngineView, EngineControls {
	readonly calls: Call[] = [];
	readonly #listeners = new Set<(event: EngineEvent) => void>();
	readonly #real: ReturnType<typeof realEngine>;
	snapshotCalls = 0;

	constructor(public current: EngineSnapshot) {
		this.#real = realEngine(current.lanes.map(item => ({
			name: item.name, concurrency: item.concurrency, minConcurrency: item.minConcurrency, maxConcurrency: item.maxConcurrency,
			adaptive: item.adaptive, paused: item.paused,
		})));
		this.#real.engine.subscribe(event => {
			this.emit(event);
		});
	}

	subscribe(listener: (event: EngineEvent) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	snapshot(): EngineSnapshot {
		this.snapshotCalls++;
		return this.current;
	}

	push(next: EngineSnapshot): void {
		this.current = next;
	}

	/** Sends an event to the listeners, as if the engine had emitted it (for events no command makes: 429s, batches). */
	emit(event: EngineEvent): void {
		for (const listener of this.#listeners) listener(event);
	}

	get listenerCount(): number {
		return this.#listeners.size;
	}

	setConcurrency(name: string, value: number): void {
		this.calls.push(['setConcurrency', name, value]);
		this.#real.engine.setConcurrency(name, value);
		this.#follow(name);
	}

	setAdaptive(name: string, on: boolean): void {
		this.calls.push(['setAdaptive', name, on]);
		this.#real.engine.setAdaptive(name, on);
		this.#follow(name);
	}

	pause(name: string): void {
		this.calls.push(['pause', name]);
		this.#real.engine.pause(name);
		this.#follow(name, true);
	}

	resume(name: string): void {
		this.calls.push(['resume', name]);
		this.#real.engine.resume(name);
		this.#follow(name, true);
	}

	skipRest(name: string): void {
		this.calls.push(['skipRest', name]);
		this.#real.engine.skipRest(name);
	}

	stop(): void {
		this.calls.push(['stop']);
		this.#real.engine.stop();
		this.current = {...this.current, stopping: this.#real.engine.snapshot().stopping};
	}

	/** Ends the real engine behind the commands. */
	async dispose(): Promise<void> {
		await this.#real.close();
	}

	/** The lane's settings (and, after pause or resume, its state) as the real engine now has them. */
	#follow(name: string, withState = false): void {
		const real = this.#real.engine.snapshot().lanes.find(item => item.name === name)!;
		const {concurrency, minConcurrency, maxConcurrency, adaptive, paused} = real;
		this.current = {
			...this.current,
			lanes: this.current.lanes.map(item => (item.name === name ? {...item, concurrency, minConcurrency, maxConcurrency, adaptive, paused, ...(withState ? {state: real.state} : {})} : item)),
		};
	}
}
