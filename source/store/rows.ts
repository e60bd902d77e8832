import type {AttemptRecord, EngineEvent, ItemResult, TestCase} from '../engine/types.js';
import type {ErrorClass} from '../providers/types.js';
import type {LaneSettings, RunListRow, StoredRunStatus} from './types.js';

/** SQLite binds null, never undefined: every optional field goes through this. */
const orNull = <T>(value: T | undefined): T | null => value ?? null;

/** Timestamps are whole epoch ms in the schema; a fractional clock reading must not fail a write. */
const epochMs = (value: number): number => Math.round(value);

/** A `runs` row as SQLite returns it. */
export type RunRow = {
	id: string;
	started_at: number;
	ended_at: number | null;
	status: StoredRunStatus;
	config_json: string;
	config_path: string;
	suite_path: string;
	suite_hash: string;
	models_json: string;
	test_ids_json: string;
	item_count: number;
};

/** A `run_lanes` row, without its keys. */
export type LaneRow = {
	lane: string;
	concurrency: number;
	min_concurrency: number;
	max_concurrency: number;
	adaptive: 0 | 1;
	paused: 0 | 1;
	qps: number | null;
};

/** Parameters of `saveLane`; a null position appends the lane after the others. */
export type LaneParams = {
	runId: string;
	lane: string;
	position: number | null;
	concurrency: number;
	minConcurrency: number;
	maxConcurrency: number;
	adaptive: 0 | 1;
	paused: 0 | 1;
	qps: number | null;
};

/** Lane settings as statement parameters (booleans as 0/1, absent qps as null). */
export function laneParams(runId: string, settings: LaneSettings, position: number | null): LaneParams {
	return {
		runId,
		lane: settings.lane,
		position,
		concurrency: settings.concurrency,
		minConcurrency: settings.minConcurrency,
		maxConcurrency: settings.maxConcurrency,
		adaptive: settings.adaptive ? 1 : 0,
		paused: settings.paused ? 1 : 0,
		qps: orNull(settings.qps),
	};
}

/** Lane settings from a row; an absent qps stays absent. */
export function laneFromRow(row: LaneRow): LaneSettings {
	const settings: LaneSettings = {
		lane: row.lane,
		concurrency: row.concurrency,
		minConcurrency: row.min_concurrency,
		maxConcurrency: row.max_concurrency,
		adaptive: row.adaptive === 1,
		paused: row.paused === 1,
	};
	if (row.qps !== null) settings.qps = row.qps;
	return settings;
}

/** A `results` row without its run id. */
export type ResultRow = {
	model: string;
	test_id: string;
	provider: string;
	status: ItemResult['status'];
	answer: string | null;
	latency_ms: number | null;
	attempts: number;
	prompt_tokens: number | null;
	completion_tokens: number | null;
	error_class: ErrorClass | null;
	error_message: string | null;
	finished_at: number;
};

/**
 * Values of `recordResult`, in column order: bound by position because this runs once per result, and
 * positional binding is measurably cheaper than looking up named parameters.
 */
export type ResultValues = [
	runId: string, model: string, testId: string, provider: string, status: ItemResult['status'], answer: string | null,
	latencyMs: number | null, attempts: number, promptTokens: number | null, completionTokens: number | null,
	errorClass: ErrorClass | null, errorMessage: string | null, finishedAt: number,
];

/** A result as statement values: absent fields as null, the finish time as whole ms. */
export function resultValues(runId: string, result: ItemResult): ResultValues {
	return [
		runId, result.model, result.testId, result.provider, result.status, orNull(result.answer),
		orNull(result.latencyMs), result.attempts, orNull(result.promptTokens), orNull(result.completionTokens),
		orNull(result.errorClass), orNull(result.errorMessage), epochMs(result.finishedAt),
	];
}

/** An ItemResult from a row: null columns become absent fields, as the engine wrote them. */
export function resultFromRow(row: ResultRow): ItemResult {
	const result: ItemResult = {
		provider: row.provider,
		model: row.model,
		testId: row.test_id,
		status: row.status,
		attempts: row.attempts,
		finishedAt: row.finished_at,
	};
	if (row.answer !== null) result.answer = row.answer;
	if (row.latency_ms !== null) result.latencyMs = row.latency_ms;
	if (row.prompt_tokens !== null) result.promptTokens = row.prompt_tokens;
	if (row.completion_tokens !== null) result.completionTokens = row.completion_tokens;
	if (row.error_class !== null) result.errorClass = row.error_class;
	if (row.error_message !== null) result.errorMessage = row.error_message;
	return result;
}

/** Values of `insertAttempt`, in column order (bound by position: thousands a second). */
export type AttemptValues = [
	runId: string, provider: string, model: string, testId: string, attempt: number, outcome: AttemptRecord['outcome'],
	status: number | null, latencyMs: number, retryAfterMs: number | null, errorMessage: string | null, at: number,
];

const outcomes = new Set<string>(['ok', 'rate_limit', 'transient', 'outage', 'permanent', 'auth', 'unreachable']);

/**
 * The row for one attempt, checked now: attempts are written later in a batch, and one bad row would
 * otherwise fail the whole batch far from the call that caused it.
 */
export function attemptValues(runId: string, attempt: AttemptRecord): AttemptValues {
	if (!outcomes.has(attempt.outcome)) throw new TypeError(`outcome "${attempt.outcome}" is not one of ${[...outcomes].join(', ')}`);
	if (!Number.isInteger(attempt.attempt)) throw new TypeError(`attempt number ${attempt.attempt} is not an integer`);
	if (!Number.isFinite(attempt.latencyMs) || !Number.isFinite(attempt.at)) throw new TypeError('latencyMs and at must be finite numbers');
	if (attempt.status !== undefined && !Number.isInteger(attempt.status)) throw new TypeError(`HTTP status ${attempt.status} is not an integer`);
	return [
		runId, attempt.provider, attempt.model, attempt.testId, attempt.attempt, attempt.outcome,
		orNull(attempt.status), attempt.latencyMs, orNull(attempt.retryAfterMs), orNull(attempt.errorMessage), epochMs(attempt.at),
	];
}

/** The engine events that belong in the audit trail; attempts and results have tables of their own. */
export type StoredEvent = Extract<EngineEvent, {type: 'limit' | 'operator' | 'lane_stopped' | 'batch' | 'rate_limited' | 'state' | 'outage' | 'shared'}>;

const storedKinds = new Set<string>(['limit', 'operator', 'lane_stopped', 'batch', 'rate_limited', 'state', 'outage', 'shared']);

/** Parameters of `insertEvent`. */
export type EventParams = {runId: string; at: number; lane: string | null; kind: StoredEvent['type']; detail: string};

/** The row for an event worth keeping, or undefined for one that is not (attempt, result, done). */
export function eventParams(runId: string, event: EngineEvent): EventParams | undefined {
	if (!storedKinds.has(event.type)) return undefined;
	const stored = event as StoredEvent;
	if (!Number.isFinite(stored.at)) throw new TypeError('at must be a finite number');
	const lane = 'lane' in stored ? stored.lane : stored.type === 'operator' && 'lane' in stored.operator ? stored.operator.lane : undefined;
	// Columns hold what is common; the rest of the event, whatever its kind, is the detail.
	const detail: Record<string, unknown> = {...stored};
	delete detail.type;
	delete detail.at;
	delete detail.lane;
	return {runId, at: epochMs(stored.at), lane: orNull(lane), kind: stored.type, detail: JSON.stringify(detail)};
}

/** A row of the run list query. */
export type RunListDbRow = {
	id: string;
	started_at: number;
	ended_at: number | null;
	status: StoredRunStatus;
	item_count: number;
	done: number;
	passed: number;
	failed: number;
	errored: number;
};

/** A run list row in the store's public shape. */
export function runListRow(row: RunListDbRow): RunListRow {
	const listed: RunListRow = {
		id: row.id,
		startedAt: row.started_at,
		status: row.status,
		items: row.item_count,
		done: row.done,
		passed: row.passed,
		failed: row.failed,
		errored: row.errored,
	};
	if (row.ended_at !== null) listed.endedAt = row.ended_at;
	return listed;
}

/** A `run_locks` row. */
export type LockRow = {run_id: string; pid: number; hostname: string; acquired_at: number; heartbeat_at: number};

/** A row of the provider statistics query. */
export type ProviderStatsRow = {provider: string; requests: number; rate_limited: number; retries: number; outage_failures: number; transient_failures: number; first_at: number; last_at: number};

/** A `run_tests` row as a page reads it. */
export type TestRow = {id: string; prompt: string | null; expected: string | null; match: string; system: string | null};

/** Results of one model with one status, and their tokens. */
/** Per model of a run: results per status, tokens, and the latency sketch's percentiles as JSON (NULL without any). */
export type ModelStatsRow = {model: string; passed: number; failed: number; errored: number; prompt_tokens: number; completion_tokens: number; latency: string | null};

/** A stored test as the engine's TestCase; absent fields stay absent. */
export function testFromRow(row: TestRow): TestCase {
	if (row.prompt === null) throw new Error(`test ${row.id} has no stored prompt (a run from before schema 3 that was not resumed)`);
	const test: TestCase = {id: row.id, prompt: row.prompt, match: row.match as TestCase['match']};
	if (row.expected !== null) test.expected = row.expected;
	if (row.system !== null) test.system = row.system;
	return test;
}

/** `insertTest` values of a test at a position. */
export function testValues(runId: string, position: number, test: TestCase): [string, number, string, string, string | null, string, string | null] {
	return [runId, position, test.id, test.prompt, orNull(test.expected), test.match, orNull(test.system)];
}
