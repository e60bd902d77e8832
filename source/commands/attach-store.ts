import type {EngineEvent, EngineView, LaneSettingValues, LaneSnapshot} from '../engine/types.js';
import type {Store} from '../store/index.js';
import type {LaneSettings} from '../store/types.js';

/**
 * Makes the store the run's record: every attempt, every notable event, and a lane's settings whenever the
 * controller or the operator changes them, so a resume starts where they were left. Results reach the store
 * through the engine's sink, not here. `detach` stops listening and saves every lane's settings as they end.
 */
export function attach(engine: EngineView, store: Store, runId: string): () => void {
	// The engine puts the lane's settings on every limit event and lane action: nothing is read back from it here.
	const saveLane = (lane: string, settings: LaneSettingValues | undefined) => {
		if (settings) store.saveLaneSettings(runId, {lane, ...settings});
	};

	const unsubscribe = engine.subscribe((event: EngineEvent) => {
		if (event.type === 'attempt') {
			store.recordAttempt(runId, event.attempt);
			return;
		}

		if (event.type === 'result') return;
		store.recordEvent(runId, event);
		if (event.type === 'limit') saveLane(event.lane, event.settings);
		if (event.type === 'operator' && 'lane' in event.operator) saveLane(event.operator.lane, event.settings);
	});

	return () => {
		unsubscribe();
		for (const lane of engine.snapshot().lanes) store.saveLaneSettings(runId, laneSettings(lane));
	};
}

/** What a resume starts the lane from: as the operator or the controller left it. */
export function laneSettings(lane: LaneSnapshot): LaneSettings {
	return {
		lane: lane.name,
		concurrency: lane.concurrency,
		minConcurrency: lane.minConcurrency,
		maxConcurrency: lane.maxConcurrency,
		adaptive: lane.adaptive,
		paused: lane.paused,
		qps: lane.qpsCap,
	};
}
