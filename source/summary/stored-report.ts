import type {RunStatus} from '../engine/types.js';
import type {ReportInput} from './run-report.js';
import {buildSummary} from './build-summary.js';
import type {ProviderStats, RunRecord, Store} from '../store/index.js';

/**
 * How a stored run ended, as the summary says it: a run still marked running whose process is gone
 * (killed, crashed) was interrupted.
 */
export function summaryStatus(run: RunRecord): RunStatus {
	return run.status === 'running' ? 'interrupted' : run.status;
}

/** What a report of a run is made of, read once: its summary, tokens per model and its request counts. */
export type StoredReport = ReportInput & {stats: Map<string, ProviderStats>};

/** The `--json` summary of a stored run, with the tokens and request counts it was built from; all aggregated by SQL. */
export function storedReport(store: Store, run: RunRecord): StoredReport {
	const stats = store.providerStats(run.id);
	const modelStats = store.modelStats(run.id);
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
		testCount: run.testIds.length,
		modelStats,
		requestStats: stats,
	});
	return {summary, tokens: modelStats, stats};
}
