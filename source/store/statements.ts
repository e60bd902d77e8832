import type Database from 'better-sqlite3';
import type {
	AttemptValues, EventParams, LaneParams, LaneRow, LockRow, ModelStatsRow, ProviderStatsRow, ResultRow, ResultValues, RunListDbRow, RunRow, TestRow,
} from './rows.js';
import {SKETCH_FUNCTION} from './latency-sketch.js';
import {resultsCsvColumns, type ResultsCsvRow} from './results-csv.js';

// Results of the run's own tests only: a resume --force may have dropped some, and theirs stay for the record.
// Only a narrowed run pays for the check (SQLite evaluates the uncorrelated flag once).
const ownTest = `((SELECT narrowed FROM runs WHERE id = @runId) = 0
	OR EXISTS (SELECT 1 FROM run_tests AS t WHERE t.run_id = @runId AND t.id = r.test_id))`;
const statusCounts = `COUNT(CASE r.status WHEN 'passed' THEN 1 END) AS passed, COUNT(CASE r.status WHEN 'failed' THEN 1 END) AS failed,
	COUNT(CASE r.status WHEN 'errored' THEN 1 END) AS errored`;

const resultColumns = 'model, test_id, provider, status, answer, latency_ms, attempts, prompt_tokens, completion_tokens, error_class, error_message, finished_at';

/** Every statement the store runs, prepared once when it opens. */
export function prepareStatements(db: Database.Database) {
	return {
		runExists: db.prepare<[string], {one: 1}>('SELECT 1 AS one FROM runs WHERE id = ?'),
		insertRun: db.prepare<{id: string; startedAt: number; configJson: string; configPath: string; suitePath: string; suiteHash: string; modelsJson: string; testIdsJson: string; itemCount: number}>(`
			INSERT INTO runs (id, started_at, status, config_json, config_path, suite_path, suite_hash, models_json, test_ids_json, item_count, narrowed)
			VALUES (@id, @startedAt, 'running', @configJson, @configPath, @suitePath, @suiteHash, @modelsJson, @testIdsJson, @itemCount, 0)`),
		// A lane seen for the first time goes after the others; a known lane keeps its place.
		saveLane: db.prepare<LaneParams>(`
			INSERT INTO run_lanes (run_id, lane, position, concurrency, min_concurrency, max_concurrency, adaptive, paused, qps)
			VALUES (@runId, @lane, COALESCE(@position, (SELECT COALESCE(MAX(position) + 1, 0) FROM run_lanes WHERE run_id = @runId)),
				@concurrency, @minConcurrency, @maxConcurrency, @adaptive, @paused, @qps)
			ON CONFLICT (run_id, lane) DO UPDATE SET
				concurrency = excluded.concurrency, min_concurrency = excluded.min_concurrency, max_concurrency = excluded.max_concurrency,
				adaptive = excluded.adaptive, paused = excluded.paused, qps = excluded.qps`),
		setRunStatus: db.prepare<{id: string; status: string; endedAt: number | null}>(`
			UPDATE runs SET status = @status, ended_at = CASE WHEN @status = 'running' THEN NULL ELSE COALESCE(@endedAt, ended_at) END
			WHERE id = @id`),
		// Only an errored result may be replaced (a retry of errors); a passed or failed one is final.
		recordResult: db.prepare<ResultValues>(`
			INSERT INTO results (run_id, ${resultColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (run_id, model, test_id) DO UPDATE SET
				provider = excluded.provider, status = excluded.status, answer = excluded.answer, latency_ms = excluded.latency_ms,
				attempts = excluded.attempts, prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
				error_class = excluded.error_class, error_message = excluded.error_message, finished_at = excluded.finished_at
			WHERE results.status = 'errored'`),
		insertAttempt: db.prepare<AttemptValues>(`
			INSERT INTO attempts (run_id, provider, model, test_id, attempt, outcome, status, latency_ms, retry_after_ms, error_message, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		insertEvent: db.prepare<EventParams>(`
			INSERT INTO events (run_id, at, lane, kind, detail_json) VALUES (@runId, @at, @lane, @kind, @detail)`),

		getRun: db.prepare<[string], RunRow>('SELECT * FROM runs WHERE id = ?'),
		runLanes: db.prepare<[string], LaneRow>(`
			SELECT lane, concurrency, min_concurrency, max_concurrency, adaptive, paused, qps FROM run_lanes WHERE run_id = ? ORDER BY position`),
		latestUnfinishedRun: db.prepare<[], {id: string}>(`
			SELECT id FROM runs WHERE status <> 'completed' ORDER BY started_at DESC, id DESC LIMIT 1`),
		// A finished run's counts are cached on the row (see cacheCounts): listing never scans their results.
		listRuns: db.prepare<[], Omit<RunListDbRow, 'done' | 'passed' | 'failed' | 'errored'> & {
			models_json: string; done: number | null; passed: number | null; failed: number | null; errored: number | null;
		}>(`
			SELECT id, started_at, ended_at, status, item_count, models_json,
				done_count AS done, passed_count AS passed, failed_count AS failed, errored_count AS errored
			FROM runs ORDER BY started_at DESC, id DESC`),
		// Only the run's own items count: a resume with --force may have narrowed it, and the results of the
		// items it dropped stay for the record. The scope is bound, so each list is read once, not per row.
		runCounts: db.prepare<{runId: string; models: string}, Pick<RunListDbRow, 'done' | 'passed' | 'failed' | 'errored'>>(`
			SELECT COUNT(*) AS done,
				COUNT(CASE status WHEN 'passed' THEN 1 END) AS passed,
				COUNT(CASE status WHEN 'failed' THEN 1 END) AS failed,
				COUNT(CASE status WHEN 'errored' THEN 1 END) AS errored
			FROM results AS r
			WHERE r.run_id = @runId AND ${ownTest}
				AND r.model IN (SELECT json_extract(value, '$.name') FROM json_each(@models))`),
		narrowRun: db.prepare<{id: string; models: string; testIds: string; itemCount: number}>(`
			UPDATE runs SET models_json = @models, test_ids_json = @testIds, item_count = @itemCount, narrowed = 1 WHERE id = @id`),
		results: db.prepare<[string], ResultRow>(`SELECT ${resultColumns} FROM results WHERE run_id = ? ORDER BY finished_at, model, test_id`),
		finalKeys: db.prepare<{runId: string; includeErrored: 0 | 1}, {model: string; test_id: string}>(`
			SELECT model, test_id FROM results WHERE run_id = @runId AND (@includeErrored OR status <> 'errored')`),
		// Retries are attempts beyond each item's first, even when a resumed run numbers attempts anew: every
		// request minus the distinct items with a first attempt, read from the partial index attempts_first.
		providerStats: db.prepare<[string], ProviderStatsRow>(`
			SELECT a.provider, COUNT(*) AS requests, COUNT(CASE a.outcome WHEN 'rate_limit' THEN 1 END) AS rate_limited,
				COUNT(*) - COALESCE((SELECT COUNT(*) FROM (SELECT DISTINCT f.model, f.test_id FROM attempts AS f
					WHERE f.run_id = a.run_id AND f.provider = a.provider AND f.attempt = 1)), 0) AS retries,
				COUNT(CASE a.outcome WHEN 'outage' THEN 1 END) AS outage_failures,
				COUNT(CASE WHEN a.outcome IN ('transient', 'unreachable') THEN 1 END) AS transient_failures,
				MIN(a.at) AS first_at, MAX(a.at) AS last_at
			FROM attempts AS a WHERE a.run_id = ? GROUP BY a.provider ORDER BY a.provider`),
		// Times each lane's provider went down, and how long it stayed down (an outage still open at the end has no 'up').
		outageStats: db.prepare<[string], {lane: string; outages: number; down_ms: number}>(`
			SELECT lane, COUNT(CASE json_extract(detail_json, '$.phase') WHEN 'down' THEN 1 END) AS outages,
				COALESCE(SUM(json_extract(detail_json, '$.downMs')), 0) AS down_ms
			FROM events WHERE run_id = ? AND kind = 'outage' GROUP BY lane`),
		// Lanes that shared their provider's budget: the most runners at once any of their events saw, the budget, and
		// how often Redis went away. The budget comes from the latest event that names it.
		sharedStats: db.prepare<[string], {lane: string; runners: number; budget: string | null; lost: number}>(`
			SELECT lane, MAX(COALESCE(json_extract(detail_json, '$.runners'), 1)) AS runners,
				(SELECT json_extract(e.detail_json, '$.budget') FROM events e WHERE e.run_id = events.run_id AND e.lane = events.lane
					AND e.kind = 'shared' AND json_extract(e.detail_json, '$.budget') IS NOT NULL ORDER BY e.at DESC, e.id DESC LIMIT 1) AS budget,
				COUNT(CASE json_extract(detail_json, '$.phase') WHEN 'lost' THEN 1 END) AS lost
			FROM events WHERE run_id = ? AND kind = 'shared' GROUP BY lane`),
		// Answered requests (passed or failed) of the most recent runs: the provider's recent speed, read
		// through the primary key's run_id prefix rather than an index every result commit would pay for.
		// Answers from the built-in simulator say nothing about a real provider of the same model name.
		recentLatencies: db.prepare<{runs: number}, {model: string; latency_ms: number}>(`
			SELECT results.model, results.latency_ms FROM results JOIN runs ON runs.id = results.run_id
			WHERE results.run_id IN (SELECT id FROM runs ORDER BY started_at DESC LIMIT @runs)
				AND results.status <> 'errored' AND results.latency_ms IS NOT NULL
				AND coalesce(json_extract(runs.config_json, '$.providers."' || results.provider || '".type'), '') <> 'simulated'`),

		insertTest: db.prepare<[runId: string, position: number, id: string, prompt: string, expected: string | null, match: string, system: string | null]>(`
			INSERT INTO run_tests (run_id, position, id, prompt, expected, match, system) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		insertTestId: db.prepare<[runId: string, position: number, id: string]>(`
			INSERT INTO run_tests (run_id, position, id, match) VALUES (?, ?, ?, 'exact')`),
		narrowTests: db.prepare<{id: string; testIds: string}>(`
			DELETE FROM run_tests WHERE run_id = @id AND id NOT IN (SELECT value FROM json_each(@testIds))`),
		deleteTests: db.prepare<[string]>('DELETE FROM run_tests WHERE run_id = ?'),
		testExtent: db.prepare<[string], {tests: number; end: number; missing: number}>(`
			SELECT COUNT(*) AS tests, COALESCE(MAX(position) + 1, 0) AS end, COUNT(*) - COUNT(prompt) AS missing FROM run_tests WHERE run_id = ?`),
		// One window of positions at a time, crossed with the cohort's models in their order: the sort is of one
		// page, and each item's final result is looked up through the results primary key.
		pendingPage: db.prepare<{runId: string; models: string; from: number; to: number; retryErrors: 0 | 1}, TestRow & {model: number}>(`
			SELECT CAST(m.key AS INTEGER) AS model, t.id, t.prompt, t.expected, t.match, t.system
			FROM run_tests AS t, json_each(@models) AS m
			WHERE t.run_id = @runId AND t.position >= @from AND t.position < @to
				AND NOT EXISTS (SELECT 1 FROM results AS r WHERE r.run_id = @runId AND r.model = m.value AND r.test_id = t.id
					AND (r.status <> 'errored' OR @retryErrors = 0))
			ORDER BY t.position, m.key`),
		// In position order, stopping at the first test with work: a resume skips its done stretch without reading it.
		firstPending: db.prepare<{runId: string; models: string; from: number; retryErrors: 0 | 1}, {position: number}>(`
			SELECT t.position FROM run_tests AS t
			WHERE t.run_id = @runId AND t.position >= @from
				AND EXISTS (SELECT 1 FROM json_each(@models) AS m WHERE NOT EXISTS (
					SELECT 1 FROM results AS r WHERE r.run_id = @runId AND r.model = m.value AND r.test_id = t.id
						AND (r.status <> 'errored' OR @retryErrors = 0)))
			ORDER BY t.position LIMIT 1`),
		// Per model in one pass over the results primary key (no sort): counts, tokens and latency percentiles
		// from a bounded sketch (latency-sketch.ts). Memory is per model, whatever the number of results.
		modelStats: db.prepare<{runId: string}, ModelStatsRow>(`
			SELECT r.model, ${statusCounts}, COALESCE(SUM(r.prompt_tokens), 0) AS prompt_tokens,
				COALESCE(SUM(r.completion_tokens), 0) AS completion_tokens,
				${SKETCH_FUNCTION}(CASE WHEN r.status <> 'errored' THEN r.latency_ms END) AS latency
			FROM results AS r WHERE r.run_id = @runId AND ${ownTest} GROUP BY r.model`),
		modelCounts: db.prepare<{runId: string}, Pick<ModelStatsRow, 'model' | 'passed' | 'failed' | 'errored'>>(`
			SELECT r.model, ${statusCounts} FROM results AS r WHERE r.run_id = @runId AND ${ownTest} GROUP BY r.model`),
		// In primary-key order, so SQLite streams them: sorting a million rows by time would cost seconds and a temp file.
		resultsCsv: db.prepare<{runId: string}, ResultsCsvRow>(`
			SELECT ${resultsCsvColumns} FROM results AS r
			WHERE r.run_id = @runId AND ${ownTest}
			ORDER BY model, test_id`).raw(true),
		cacheCounts: db.prepare<{id: string; done: number | null; passed: number | null; failed: number | null; errored: number | null}>(`
			UPDATE runs SET done_count = @done, passed_count = @passed, failed_count = @failed, errored_count = @errored WHERE id = @id`),

		getLock: db.prepare<[string], LockRow>('SELECT * FROM run_locks WHERE run_id = ?'),
		takeLock: db.prepare<{runId: string; pid: number; hostname: string; now: number}>(`
			INSERT INTO run_locks (run_id, pid, hostname, acquired_at, heartbeat_at) VALUES (@runId, @pid, @hostname, @now, @now)
			ON CONFLICT (run_id) DO UPDATE SET pid = excluded.pid, hostname = excluded.hostname, acquired_at = excluded.acquired_at,
				heartbeat_at = excluded.heartbeat_at`),
		// Both only ever touch our own lock: one taken over by another process stays theirs.
		heartbeat: db.prepare<{runId: string; pid: number; hostname: string; now: number}>(`
			UPDATE run_locks SET heartbeat_at = @now WHERE run_id = @runId AND pid = @pid AND hostname = @hostname`),
		releaseLock: db.prepare<{runId: string; pid: number; hostname: string}>(`
			DELETE FROM run_locks WHERE run_id = @runId AND pid = @pid AND hostname = @hostname`),
	};
}

/** The prepared statements of one connection. */
export type Statements = ReturnType<typeof prepareStatements>;
