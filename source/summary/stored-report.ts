import type {ItemResult, RunStatus} from '../engine/types.js';
import {buildSummary} from './build-summary.js';
import type {RunSummary} from './summary-types.js';
import type {ProviderStats, RunRecord, Store} from '../store/index.js';

/**
 * How a stored run ended, as the summary says it: a run still marked running whose process is gone
 * (killed, crashed) was interrupted.
 */
export function summaryStatus(run: RunRecord): RunStatus {
	return run.status === 'running' ? 'interrupted' : run.status;
}

/** What a report of a run is made of, read once: its summary, its results and its request counts. */
export type StoredReport = {summary: RunSummary; results: ItemResult[]; stats: Map<string, ProviderStats>};

/** The `--json` summary of a stored run, with the results and request counts it was built from. */
export function storedReport(store: Store, run: RunRecord): StoredReport {
	const stats = store.providerStats(run.id);
	const results = store.results(run.id);
	const lastAttempt = [...stats.values()].reduce((latest, s) => Math.max(latest, s.lastAt), 0);
	const providers = run.lanes.map(lane => ({
		name: lane.lane,
		models: run.models.filter(model => model.provider === lane.lane).map(model => model.name),
		concurrency: lane.concurrency,
	}));
	const summary = buildSummary({
		runId: run.id,
		status: summaryStatus(run),
		elapsedMs: Math.max(0, (run.endedAt ?? lastAttempt) - run.startedAt),
		providers,
		testIds: run.testIds,
		results,
		requestStats: stats,
	});
	return {summary, results, stats};
}
