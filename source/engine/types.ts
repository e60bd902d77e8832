import type {ChatClient, ErrorClass} from '../providers/types.js';
import type {SharedBudget, SharedView} from './shared/shared-budget.js';

export type MatchKind = 'exact' | 'contains' | 'regex';

/** One line of the suite. */
export type TestCase = {
	id: string;
	prompt: string;
	expected?: string;
	match: MatchKind;
	system?: string;
};

export type ItemStatus = 'passed' | 'failed' | 'errored';

/** The final result of one (model, test): committed to the store before it is counted anywhere. */
export type ItemResult = {
	provider: string;
	model: string;
	testId: string;
	status: ItemStatus;
	answer?: string;
	latencyMs?: number;
	attempts: number;
	promptTokens?: number;
	completionTokens?: number;
	errorClass?: ErrorClass;
	errorMessage?: string;
	/** Wall-clock epoch ms. */
	finishedAt: number;
};

/** One request sent to a provider, whatever came of it. */
export type AttemptRecord = {
	provider: string;
	model: string;
	testId: string;
	attempt: number;
	outcome: 'ok' | ErrorClass;
	status?: number;
	latencyMs: number;
	retryAfterMs?: number;
	errorMessage?: string;
	/** Wall-clock epoch ms. */
	at: number;
};

export type LaneState =
	| 'running'
	| 'paused'
	| 'resting' // Between batches.
	| 'cooling' // Waiting out a 429's Retry-After.
	| 'probing' // The provider is down: one probe at a time until it answers.
	| 'stopping' // Graceful stop: in-flight finish, nothing new.
	| 'done'
	| 'stopped'; // Auth failure or operator stop with items left.

export type ModelSpec = {
	/** Name in the config and in results. */
	name: string;
	/** Name sent to the API (deployment). */
	apiModel: string;
};

export type BatchSpec = {size: number; pauseSeconds: number};

export type LaneSpec = {
	name: string;
	client: ChatClient;
	models: ModelSpec[];
	concurrency: number;
	minConcurrency: number;
	maxConcurrency: number;
	qps?: number;
	adaptive: boolean;
	batch?: BatchSpec;
	/** Start paused (the operator paused it before a resume). */
	paused?: boolean;
	/** The environment variable the key came from, named when the provider refuses it. */
	keyVariable?: string;
	/** Tokens per minute the provider allows, if known. */
	tpm?: number;
	/** Outage detection; defaults when absent. */
	breaker?: BreakerSpec;
	/** Second copies of slow requests once nothing else is left to send (default on). */
	hedge?: boolean;
	/** The provider budget shared with other runners (`shared.redis`); absent: this lane has it alone. */
	shared?: SharedBudget;
};

export type BreakerSpec = {failures: number; maxProbeSeconds: number};


export type RequestSettings = {timeoutMs: number; maxTokens: number; temperature: number};
export type RetrySettings = {maxAttempts: number; baseDelayMs: number; maxDelayMs: number};

/** Where final results go. Synchronous so a result is durable before the engine counts it. */
export type ResultSink = {
	recordResult(result: ItemResult): void;
};

/** A lane's operator-visible settings at one moment: what the store saves so a resumed run starts from them. */
export type LaneSettingValues = {
	concurrency: number;
	minConcurrency: number;
	maxConcurrency: number;
	adaptive: boolean;
	paused: boolean;
	/** Requests-per-second cap; absent means no cap. */
	qps?: number;
};

/** Why a lane's concurrency changed. */
export type LimitCause = 'operator' | 'rate_limit' | 'error_rate' | 'increase';

export type OperatorAction =
	| {action: 'set_concurrency'; lane: string; value: number}
	| {action: 'set_adaptive'; lane: string; value: boolean}
	| {action: 'pause'; lane: string}
	| {action: 'resume'; lane: string}
	| {action: 'skip_rest'; lane: string}
	/** `signal`: the stop came from a signal (SIGINT, SIGTERM), not from a key. */
	| {action: 'stop'; mode: 'graceful' | 'abort'; signal?: string};

/** Everything notable, as typed events. `at` is wall-clock epoch ms. */
export type EngineEvent =
	| {type: 'attempt'; attempt: AttemptRecord}
	| {type: 'result'; result: ItemResult}
	| {type: 'limit'; lane: string; from: number; to: number; cause: LimitCause; settings?: LaneSettingValues; at: number}
	| {type: 'state'; lane: string; state: LaneState; reason?: string; at: number}
	| {type: 'rate_limited'; lane: string; retryAfterMs: number; inFlight: number; at: number}
	| {type: 'batch'; lane: string; index: number; count: number; models: string[]; phase: 'start' | 'rest'; restMs?: number; at: number}
	// `settings`: the lane's settings after a lane action (not on `stop`).
	| {type: 'operator'; operator: OperatorAction; settings?: LaneSettingValues; at: number}
	/** The provider went down (`down`, with the failures that showed it and the probe interval) or answered again (`up`). */
	| {type: 'outage'; lane: string; phase: 'down' | 'up'; failures?: number; probeEveryMs?: number; downMs?: number; reason?: string; at: number}
	| {type: 'lane_stopped'; lane: string; reason: string; at: number}
	/**
	 * The lane joined a shared budget (`runners` of it now), its coordinator went away (`lost`: the lane goes on at
	 * `share` slots) or answers again (`rejoined`), or the lane is through with it (`left`: `runners` is the most at once).
	 * `budget`: the budget's id, with any credentials or query left out.
	 */
	| {type: 'shared'; lane: string; phase: 'joined' | 'lost' | 'rejoined' | 'left'; share?: number; runners?: number; reason?: string; budget?: string; at: number}
	| {type: 'done'; status: RunStatus; at: number};

/** completed: every item final. interrupted: the operator or a signal stopped it. incomplete: a lane stopped (auth) with items left. */
export type RunStatus = 'completed' | 'interrupted' | 'incomplete';

export type Counts = {items: number; passed: number; failed: number; errored: number; pending: number};

/** What a screen or a status line needs about one lane, at one moment. Immutable. */
export type LaneSnapshot = Counts & {
	name: string;
	state: LaneState;
	/** Why it is stopped, or what it is waiting for. */
	reason?: string;
	/** The operator paused it (it may still be finishing in-flight requests). */
	paused: boolean;
	inFlight: number;
	concurrency: number;
	minConcurrency: number;
	maxConcurrency: number;
	adaptive: boolean;
	qpsCap?: number;
	/** Requests completed per second over the last 10 s. */
	qps: number;
	/** Share of failed requests among the recent ones (0..1). */
	errorRate: number;
	requests: number;
	rateLimited: number;
	retries: number;
	latencyP50Ms?: number;
	latencyP95Ms?: number;
	etaMs?: number;
	/** Milliseconds left of a rest between batches or of a 429 wait. */
	waitMs?: number;
	batch?: {index: number; count: number};
	/** Requests per second, one value per second, oldest first (about a minute). */
	qpsHistory: number[];
	/** Tokens per minute the lane used over the last minute (as the provider counted them). */
	tokensPerMinute: number;
	/** The configured tokens-per-minute quota. */
	tpmCap?: number;
	/** While the provider is down: the wait between probes, and how long it has been down. */
	probeEveryMs?: number;
	downForMs?: number;
	/** Times the provider went down, ms it was down in all, probes sent. */
	outages: number;
	downMs: number;
	probes: number;
	/** Requests refused because the provider was down (5xx, timeouts while the breaker was open). */
	outageFailures: number;
	/** The budget's other runners, when it is shared. */
	shared?: SharedView;
};

export type EngineSnapshot = {
	elapsedMs: number;
	lanes: LaneSnapshot[];
	totals: Counts;
	etaMs?: number;
	stopping: 'no' | 'graceful' | 'abort';
	finished?: RunStatus;
};

/** Operator commands, as plain method calls: what the TUI's keys and the tests use. */
export type EngineControls = {
	/** At least 1; the lane's bounds widen to take it. With adaptive on the controller continues from it; off, it is the ceiling. */
	setConcurrency(lane: string, value: number): void;
	setAdaptive(lane: string, on: boolean): void;
	/** Takes effect before the next dispatch; in-flight requests finish. */
	pause(lane: string): void;
	resume(lane: string): void;
	/** Ends a rest between batches now. */
	skipRest(lane: string): void;
	/**
	 * First call: graceful (dispatch nothing new, let in-flight finish). Second call: abort in-flight.
	 * `signal` names the signal that asked for it, for the record.
	 */
	stop(signal?: string): void;
};

/** What a view needs: events to listen to and a snapshot to read. */
export type EngineView = {
	/** Returns an unsubscribe function. A listener that throws ends the run (see `Engine`). */
	subscribe(listener: (event: EngineEvent) => void): () => void;
	snapshot(): EngineSnapshot;
};
