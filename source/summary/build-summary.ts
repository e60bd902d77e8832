import {percentile} from '../engine/lane-metrics.js';
import type {Counts, ItemResult, RunStatus} from '../engine/types.js';
import type {ModelSummary, ProviderSummary, RunSummary} from './summary-types.js';

export type SummaryInput = {
	runId: string;
	status: RunStatus;
	elapsedMs: number;
	/** Provider -> its models, in config order. */
	providers: Array<{name: string; models: string[]; concurrency: number}>;
	/** The run's tests: results of any other test (dropped by `resume --force`) are not counted. */
	testIds: readonly string[];
	results: readonly ItemResult[];
	/** Per provider, from the recorded attempts (the whole run, resumed parts included). */
	requestStats: ReadonlyMap<string, Partial<Pick<ProviderSummary, 'requests' | 'rateLimited' | 'retries' | 'outageFailures' | 'transientFailures' | 'outages' | 'downMs' | 'shared'>>>;
};

const emptyCounts = (items: number): Counts => ({items, passed: 0, failed: 0, errored: 0, pending: items});

/** The `--json` summary shape, from final results and request counts. */
export function buildSummary(input: SummaryInput): RunSummary {
	const testCount = input.testIds.length;
	const inRun = new Set(input.testIds);
	const models: Record<string, ModelSummary> = {};
	const providers: Record<string, ProviderSummary> = {};
	const totals = emptyCounts(0);
	const latencies = new Map<string, number[]>();
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
			models[model] = {provider: provider.name, ...emptyCounts(testCount), latencyP50Ms: 0, latencyP95Ms: 0};
			latencies.set(model, []);
		}

		totals.items += provider.models.length * testCount;
		totals.pending += provider.models.length * testCount;
	}

	for (const result of input.results) {
		const model = models[result.model];
		if (!model || !inRun.has(result.testId)) continue;
		for (const counts of [model, providers[model.provider]!, totals]) {
			counts[result.status]++;
			counts.pending--;
		}

		providers[model.provider]!.tokens += (result.promptTokens ?? 0) + (result.completionTokens ?? 0);
		if (result.latencyMs !== undefined && result.status !== 'errored') latencies.get(result.model)!.push(result.latencyMs);
	}

	for (const [name, values] of latencies) {
		values.sort((a, b) => a - b);
		models[name]!.latencyP50Ms = Math.round(percentile(values, 50) ?? 0);
		models[name]!.latencyP95Ms = Math.round(percentile(values, 95) ?? 0);
	}

	const minutes = input.elapsedMs / 60_000;
	for (const provider of Object.values(providers)) provider.tokensPerMinute = minutes > 0 ? Math.round(provider.tokens / minutes) : 0;
	return {runId: input.runId, status: input.status, elapsedMs: Math.round(input.elapsedMs), totals, providers, models};
}
