import type {Counts, RunStatus} from '../engine/types.js';

/** The `--json` summary: a contract relied on by scripts. Extend, never rename. */
export type RunSummary = {
	runId: string;
	status: RunStatus;
	elapsedMs: number;
	totals: Counts;
	providers: Record<string, ProviderSummary>;
	models: Record<string, ModelSummary>;
};

export type ProviderSummary = Counts & {
	requests: number;
	rateLimited: number;
	retries: number;
	concurrency: number;
};

export type ModelSummary = Counts & {
	provider: string;
	latencyP50Ms: number;
	latencyP95Ms: number;
};
