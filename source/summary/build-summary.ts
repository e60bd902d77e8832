import type {Counts, RunStatus} from '../engine/types.js';
import type {ModelStats} from '../store/types.js';
import type {ModelSummary, ProviderSummary, RunSummary} from './summary-types.js';

export type SummaryInput = {
	runId: string;
	status: RunStatus;
	elapsedMs: number;
	/** Provider -> its models, in config order. */
	providers: Array<{name: string; models: string[]; concurrency: number}>;
	/** How many tests the run has (each model has that many items). */
	testCount: number;
	/** Per model, as the store aggregates the run's results (`Store.modelStats`): only the run's own tests. */
	modelStats: ReadonlyMap<string, ModelStats>;
	/** Per provider, from the recorded attempts (the whole run, resumed parts included). */
	requestStats: ReadonlyMap<string, Partial<Pick<ProviderSummary, 'requests' | 'rateLimited' | 'retries' | 'outageFailures' | 'transientFailures' | 'outages' | 'downMs' | 'shared'>>>;
};

const emptyCounts = (items: number): Counts => ({items, passed: 0, failed: 0, errored: 0, pending: items});

/** The `--json` summary shape, from per-model result counts and request counts. */
export function buildSummary(input: SummaryInput): RunSummary {
	const {testCount} = input;
	const models: Record<string, ModelSummary> = {};
	const providers: Record<string, ProviderSummary> = {};
	const totals = emptyCounts(0);
	for (const provider of input.providers) {
		const stats = input.requestStats.get(provider.name);
		providers[provider.name] = {
			...emptyCounts(provider.models.length * testCount),
			requests: stats?.requests ?? 0,
			rateLimited: stats?.rateLimited ?? 0,
			retries: stats?.retries ?? 0,
			concurrency: provider.concurrency,
			outageFailures: stats?.outageFailures ?? 0,
			transientFailures: stats?.transientFailures ?? 0,
			outages: stats?.outages ?? 0,
			downMs: Math.round(stats?.downMs ?? 0),
			tokens: 0,
			tokensPerMinute: 0,
			...(stats?.shared ? {shared: stats.shared} : {}),
		};
		for (const model of provider.models) {
			const stats = input.modelStats.get(model);
			const summary: ModelSummary = {
				provider: provider.name, ...emptyCounts(testCount), latencyP50Ms: Math.round(stats?.latencyP50Ms ?? 0), latencyP95Ms: Math.round(stats?.latencyP95Ms ?? 0),
			};
			models[model] = summary;
			providers[provider.name]!.tokens += (stats?.promptTokens ?? 0) + (stats?.completionTokens ?? 0);
			for (const status of ['passed', 'failed', 'errored'] as const) {
				const count = stats?.[status] ?? 0;
				for (const counts of [summary, providers[provider.name]!, totals]) {
					counts[status] += count;
					counts.pending -= count;
				}
			}
		}

		totals.items += provider.models.length * testCount;
		totals.pending += provider.models.length * testCount;
	}

	const minutes = input.elapsedMs / 60_000;
	for (const provider of Object.values(providers)) provider.tokensPerMinute = minutes > 0 ? Math.round(provider.tokens / minutes) : 0;
	return {runId: input.runId, status: input.status, elapsedMs: Math.round(input.elapsedMs), totals, providers, models};
}
