import type {RunStatus} from '../engine/types.js';
import {buildSummary} from '../report/build-summary.js';
import type {RunSummary} from '../report/summary-types.js';
import type {RunRecord, Store} from '../store/index.js';

/**
 * How a stored run ended, as the summary says it: a run still marked running whose process is gone
 * (killed, crashed) was interrupted.
 */
export function summaryStatus(run: RunRecord): RunStatus {
	return run.status === 'running' ? 'interrupted' : run.status;
}

/** The `--json` summary of a stored run, from its results and attempts. */
export function storedSummary(store: Store, run: RunRecord): RunSummary {
	const stats = store.providerStats(run.id);
	const lastAttempt = Math.max(0, ...[...stats.values()].map(s => s.lastAt));
	const providers = run.lanes.map(lane => ({
		name: lane.lane,
		models: run.models.filter(model => model.provider === lane.lane).map(model => model.name),
		concurrency: lane.concurrency,
	}));
	return buildSummary({
		runId: run.id,
		status: summaryStatus(run),
		elapsedMs: Math.max(0, (run.endedAt ?? lastAttempt) - run.startedAt),
		providers,
		testIds: run.testIds,
		results: store.results(run.id),
		requestStats: stats,
	});
}
