import type {Clock} from '../engine/clock.js';
import type {LaneSettingValues, RunStatus} from '../engine/types.js';

/** A run's status in the store: `running` until the engine says how it ended (or forever, if the process died). */
export type StoredRunStatus = 'running' | RunStatus;

/** A lane's operator-visible settings, saved so a resumed run starts where the operator left it. */
export type LaneSettings = LaneSettingValues & {lane: string};

/** A model as the run saw it: config name, provider (lane) and the name sent to the API. */
export type RunModel = {name: string; provider: string; apiModel: string};

/** What `createRun` records about a new run. */
export type CreateRunInput = {
	id: string;
	/** Wall-clock epoch ms. */
	startedAt: number;
	/** The parsed config, already sanitized by the caller; any `apiKey` field left in it is dropped anyway. */
	configJson: unknown;
	configPath: string;
	suitePath: string;
	suiteHash: string;
	models: RunModel[];
	/** The suite's test ids in suite order. */
	testIds: string[];
	/** In display order. */
	lanes: LaneSettings[];
};

/** A run as stored, JSON fields parsed: what it was created with, and how it ended. */
export type RunRecord = Omit<CreateRunInput, 'configJson'> & {
	endedAt?: number;
	status: StoredRunStatus;
	/** The config as stored (without API keys). */
	config: unknown;
};

/** One line of `listRuns`: a run and how far it got. */
export type RunListRow = {
	id: string;
	startedAt: number;
	endedAt?: number;
	status: StoredRunStatus;
	/** Models x tests. */
	items: number;
	/** Items with a final result (passed + failed + errored). */
	done: number;
	passed: number;
	failed: number;
	errored: number;
};

/**
 * A lane's shared budget in one run: the most runners of it at once that the lane saw, its id (credentials left
 * out), and how many times Redis went away meanwhile.
 */
export type SharedSummary = {runners: number; budget?: string; lost: number};

/** Requests seen by one provider in one run, from the attempts log. */
export type ProviderStats = {
	requests: number;
	rateLimited: number;
	/** Attempts beyond the first, per item. */
	retries: number;
	/** Requests that failed while the provider was down (probes and those in flight when it went down). */
	outageFailures: number;
	/** 5xx, timeouts and connection failures outside outages. */
	transientFailures: number;
	/** Times the provider went down, and the milliseconds it was down (outages that ended). */
	outages: number;
	downMs: number;
	/** Present when the lane shared its provider's budget with other runners (`shared.redis`). */
	shared?: SharedSummary;
	/** Wall-clock epoch ms of the first and last attempt. */
	firstAt: number;
	lastAt: number;
};

/** One model's results in a run, aggregated by the database. */
export type ModelStats = {
	passed: number;
	failed: number;
	errored: number;
	promptTokens: number;
	completionTokens: number;
	/** Nearest-rank percentiles of answered (passed or failed) results; absent when there is none. */
	latencyP50Ms?: number;
	latencyP95Ms?: number;
};

/** Latency of one model's answered requests (passed or failed results) across the runs in the database. */
export type LatencyStats = {count: number; meanMs: number; p50Ms: number};

/** Options of `openStore`. */
export type StoreOptions = {
	/** Open for reading only: nothing is created, migrated or written. */
	readonly?: boolean;
	/** What times the write buffer's flushes; tests pass a fake one. Default: the system clock. */
	clock?: Clock;
};
