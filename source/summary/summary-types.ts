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
	/** Requests refused while the provider was down; 5xx, timeouts and connection failures otherwise. */
	outageFailures: number;
	transientFailures: number;
	/** Times the provider went down (the lane stopped sending and probed), and for how long in all. */
	outages: number;
	downMs: number;
	/** Prompt and completion tokens of its answers, and per minute of the run. */
	tokens: number;
	tokensPerMinute: number;
	/**
	 * Only when the lane shared its provider's budget with other runners (`shared.redis`): the most runners at once
	 * it saw, the budget's id (credentials left out), and how many times Redis went away.
	 */
	shared?: {runners: number; budget?: string; lost: number};
};

export type ModelSummary = Counts & {
	provider: string;
	latencyP50Ms: number;
	latencyP95Ms: number;
};
