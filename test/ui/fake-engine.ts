import type {EngineControls, EngineEvent, EngineSnapshot, EngineView, LaneSnapshot} from '../../source/engine/types.js';

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
 * Stands in for the engine: records every command, applies the ones a snapshot shows (as the real
 * engine does, clamped to [1, maxConcurrency]), and lets a test push snapshots and events.
 */
export class FakeEngine implements EngineView, EngineControls {
	readonly calls: Call[] = [];
	readonly #listeners = new Set<(event: EngineEvent) => void>();
	snapshotCalls = 0;

	constructor(public current: EngineSnapshot) {}

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

	emit(event: EngineEvent): void {
		for (const listener of this.#listeners) listener(event);
	}

	get listenerCount(): number {
		return this.#listeners.size;
	}

	setConcurrency(name: string, value: number): void {
		this.calls.push(['setConcurrency', name, value]);
		this.#update(name, item => ({concurrency: Math.min(item.maxConcurrency, Math.max(1, value))}));
	}

	setAdaptive(name: string, on: boolean): void {
		this.calls.push(['setAdaptive', name, on]);
		this.#update(name, () => ({adaptive: on}));
	}

	pause(name: string): void {
		this.calls.push(['pause', name]);
		this.#update(name, () => ({paused: true, state: 'paused'}));
	}

	resume(name: string): void {
		this.calls.push(['resume', name]);
		this.#update(name, () => ({paused: false, state: 'running'}));
	}

	skipRest(name: string): void {
		this.calls.push(['skipRest', name]);
	}

	stop(): void {
		this.calls.push(['stop']);
		this.current = {...this.current, stopping: this.current.stopping === 'no' ? 'graceful' : 'abort'};
	}

	#update(name: string, change: (item: LaneSnapshot) => Partial<LaneSnapshot>): void {
		this.current = {
			...this.current,
			lanes: this.current.lanes.map(item => (item.name === name ? {...item, ...change(item)} : item)),
		};
	}
}
