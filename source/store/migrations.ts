import type BetterSqlite3 from 'better-sqlite3';
import {InputError} from '../errors/input-error.js';

/** One step of the schema. Versions count up from 1 without gaps; a released step is never edited, only followed. */
export type Migration = {readonly version: number; readonly description: string; readonly sql: string};

/** `PRAGMA application_id` of a lanes database ("lane" in ASCII): tells our files from other programs' SQLite files. */
export const LANES_APPLICATION_ID = 0x6c_61_6e_65;

/** The tables a current lanes database must have. */
export const LANES_TABLES = ['runs', 'run_lanes', 'run_tests', 'results', 'attempts', 'events', 'run_locks'] as const;

const initialSchema = `
-- One row per run. JSON columns hold what the run was started with, for the audit trail and for resuming.
CREATE TABLE runs (
	id TEXT PRIMARY KEY,
	started_at INTEGER NOT NULL,
	ended_at INTEGER,
	status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'incomplete')),
	config_json TEXT NOT NULL CHECK (json_valid(config_json)),
	config_path TEXT NOT NULL,
	suite_path TEXT NOT NULL,
	suite_hash TEXT NOT NULL,
	models_json TEXT NOT NULL CHECK (json_valid(models_json)),
	test_ids_json TEXT NOT NULL CHECK (json_valid(test_ids_json)),
	-- models x tests, kept so listing runs does not parse JSON.
	item_count INTEGER NOT NULL CHECK (item_count >= 0)
) STRICT;
CREATE INDEX runs_by_start ON runs (started_at);

-- The operator's latest settings per lane, so a resumed run starts where they were left.
CREATE TABLE run_lanes (
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	lane TEXT NOT NULL,
	position INTEGER NOT NULL,
	concurrency INTEGER NOT NULL,
	min_concurrency INTEGER NOT NULL,
	max_concurrency INTEGER NOT NULL,
	adaptive INTEGER NOT NULL CHECK (adaptive IN (0, 1)),
	paused INTEGER NOT NULL CHECK (paused IN (0, 1)),
	qps REAL CHECK (qps > 0),
	PRIMARY KEY (run_id, lane)
) STRICT;

-- The final result of each item; the primary key makes a second result for an item impossible.
-- WITHOUT ROWID and no other index: each result is its own commit, and every b-tree a commit touches adds
-- a page to the write-ahead log, which is most of what a commit costs.
CREATE TABLE results (
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	model TEXT NOT NULL,
	test_id TEXT NOT NULL,
	provider TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'errored')),
	answer TEXT,
	latency_ms REAL,
	attempts INTEGER NOT NULL CHECK (attempts >= 0),
	prompt_tokens INTEGER,
	completion_tokens INTEGER,
	error_class TEXT CHECK (error_class IN ('rate_limit', 'transient', 'permanent', 'auth')),
	error_message TEXT,
	finished_at INTEGER NOT NULL,
	PRIMARY KEY (run_id, model, test_id)
) STRICT, WITHOUT ROWID;

-- Every request sent, whatever came of it. Written in batches, so its index costs little per row.
CREATE TABLE attempts (
	id INTEGER PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	provider TEXT NOT NULL,
	model TEXT NOT NULL,
	test_id TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'rate_limit', 'transient', 'permanent', 'auth')),
	status INTEGER,
	latency_ms REAL NOT NULL,
	retry_after_ms REAL,
	error_message TEXT,
	at INTEGER NOT NULL
) STRICT;
-- By run only: a narrower key costs each insert a quarter less than (run_id, provider, model, test_id),
-- and the per-run summary that reads it runs once.
CREATE INDEX attempts_by_run ON attempts (run_id);

-- Operator actions and controller decisions: why a lane did what it did.
CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	at INTEGER NOT NULL,
	lane TEXT,
	kind TEXT NOT NULL CHECK (kind IN ('limit', 'operator', 'lane_stopped', 'batch', 'rate_limited', 'state')),
	detail_json TEXT NOT NULL CHECK (json_valid(detail_json))
) STRICT;
CREATE INDEX events_by_run ON events (run_id, at);

-- Which process is running a run, so two processes never work on one run at once.
CREATE TABLE run_locks (
	run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
	pid INTEGER NOT NULL,
	hostname TEXT NOT NULL,
	acquired_at INTEGER NOT NULL,
	heartbeat_at INTEGER NOT NULL
) STRICT;
`;

// SQLite cannot change a CHECK constraint in place: the three tables are rebuilt with the new classes.
const outageClasses = `
CREATE TABLE results_new (
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	model TEXT NOT NULL,
	test_id TEXT NOT NULL,
	provider TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'errored')),
	answer TEXT,
	latency_ms REAL,
	attempts INTEGER NOT NULL CHECK (attempts >= 0),
	prompt_tokens INTEGER,
	completion_tokens INTEGER,
	error_class TEXT CHECK (error_class IN ('rate_limit', 'transient', 'outage', 'permanent', 'auth', 'unreachable')),
	error_message TEXT,
	finished_at INTEGER NOT NULL,
	PRIMARY KEY (run_id, model, test_id)
) STRICT, WITHOUT ROWID;
INSERT INTO results_new SELECT * FROM results;
DROP TABLE results;
ALTER TABLE results_new RENAME TO results;

CREATE TABLE attempts_new (
	id INTEGER PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	provider TEXT NOT NULL,
	model TEXT NOT NULL,
	test_id TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'rate_limit', 'transient', 'outage', 'permanent', 'auth', 'unreachable')),
	status INTEGER,
	latency_ms REAL NOT NULL,
	retry_after_ms REAL,
	error_message TEXT,
	at INTEGER NOT NULL
) STRICT;
INSERT INTO attempts_new SELECT * FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_new RENAME TO attempts;
CREATE INDEX attempts_by_run ON attempts (run_id);

CREATE TABLE events_new (
	id INTEGER PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	at INTEGER NOT NULL,
	lane TEXT,
	kind TEXT NOT NULL CHECK (kind IN ('limit', 'operator', 'lane_stopped', 'batch', 'rate_limited', 'state', 'outage')),
	detail_json TEXT NOT NULL CHECK (json_valid(detail_json))
) STRICT;
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_by_run ON events (run_id, at);
`;

// The database is the queue: a run's tests live next to its results, so pending items are read in pages
// (tests by position, minus final results) instead of being held in memory. Runs from before keep their ids
// only (prompt NULL): a resume reads the texts from the suite file again. Finished runs cache their counts,
// so listing runs never scans their results.
const runTests = `
CREATE TABLE run_tests (
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	-- Suite order; gaps are allowed (a resume --force keeps the positions of the tests that remain).
	position INTEGER NOT NULL,
	id TEXT NOT NULL,
	-- NULL only for runs created before schema 3, until a resume stores the texts.
	prompt TEXT,
	expected TEXT,
	match TEXT NOT NULL,
	system TEXT
) STRICT;
CREATE UNIQUE INDEX run_tests_by_position ON run_tests (run_id, position);
CREATE UNIQUE INDEX run_tests_by_id ON run_tests (run_id, id);
INSERT INTO run_tests (run_id, position, id, match)
	SELECT runs.id, CAST(ids.key AS INTEGER), ids.value, 'exact' FROM runs, json_each(runs.test_ids_json) AS ids;

ALTER TABLE runs ADD COLUMN done_count INTEGER;
ALTER TABLE runs ADD COLUMN passed_count INTEGER;
ALTER TABLE runs ADD COLUMN failed_count INTEGER;
ALTER TABLE runs ADD COLUMN errored_count INTEGER;
`;

// `shared` events (a lane joined, lost, rejoined or left a budget shared with other runners), so the
// report can say the run shared its budget. The same rebuild as migration 2's, with one kind more.
const sharedBudgetEvents = `
CREATE TABLE events_new (
	id INTEGER PRIMARY KEY,
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	at INTEGER NOT NULL,
	lane TEXT,
	kind TEXT NOT NULL CHECK (kind IN ('limit', 'operator', 'lane_stopped', 'batch', 'rate_limited', 'state', 'outage', 'shared')),
	detail_json TEXT NOT NULL CHECK (json_valid(detail_json))
) STRICT;
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_by_run ON events (run_id, at);
`;

// Reports of a million results: a run that was never narrowed (resume --force) skips the per-result check that
// its test is still the run's, and retries (attempts beyond each item's first) count distinct items from a
// partial index of first attempts (one row an item and session) instead of sorting every attempt. Runs from
// before are marked narrowed: they may be, and the check only costs time.
const scaleReports = `
ALTER TABLE runs ADD COLUMN narrowed INTEGER NOT NULL DEFAULT 1 CHECK (narrowed IN (0, 1));
CREATE INDEX attempts_first ON attempts (run_id, provider, model, test_id) WHERE attempt = 1;
`;

/** Every schema step, in order. */
export const MIGRATIONS: readonly Migration[] = [
	{version: 1, description: 'runs, lanes, results, attempts, events and locks', sql: initialSchema},
	{version: 2, description: 'outage and unreachable failures, outage events', sql: outageClasses},
	{version: 3, description: 'the tests of each run (the queue), cached counts of finished runs', sql: runTests},
	{version: 4, description: 'shared budget events', sql: sharedBudgetEvents},
	{version: 5, description: 'scale reports: runs.narrowed, an index of first attempts', sql: scaleReports},
];

/** The schema version a list of migrations leads to. */
export function latestVersion(migrations: readonly Migration[]): number {
	return migrations.at(-1)?.version ?? 0;
}

/** The error for a database from the future: refusing beats guessing at a schema we do not know. */
export function newerSchemaError(path: string, found: number, known: number): InputError {
	return new InputError(`${path} was written by a newer version of lanes (schema ${found}, this one knows ${known}); use a newer lanes or another --db`);
}

/**
 * Applies every pending migration in one IMMEDIATE transaction (all or nothing, and a second process
 * migrating at the same moment waits, then finds nothing left to do). Returns how many were applied.
 */
export function migrate(db: BetterSqlite3.Database, path: string, migrations: readonly Migration[]): number {
	migrations.forEach((migration, index) => {
		if (migration.version !== index + 1) throw new Error(`migration ${index + 1} is numbered ${migration.version}`);
	});
	const latest = latestVersion(migrations);
	const current = userVersion(db);
	if (current > latest) throw newerSchemaError(path, current, latest);
	if (current === latest) return 0;

	const apply = db.transaction(() => {
		// Read again under the write lock: another process may have migrated since.
		const locked = userVersion(db);
		if (locked > latest) throw newerSchemaError(path, locked, latest);
		const pending = migrations.filter(migration => migration.version > locked);
		for (const migration of pending) db.exec(migration.sql);
		if (locked === 0) db.pragma(`application_id = ${LANES_APPLICATION_ID}`);
		db.pragma(`user_version = ${latest}`);
		return pending.length;
	});
	return apply.immediate();
}

/** `PRAGMA user_version`. */
export function userVersion(db: BetterSqlite3.Database): number {
	return db.pragma('user_version', {simple: true}) as number;
}
