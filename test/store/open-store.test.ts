import {mkdirSync, readdirSync, statSync, truncateSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, test} from 'vitest';
import {InputError} from '../../source/errors/input-error.js';
import {LANES_APPLICATION_ID, LANES_TABLES, latestVersion, MIGRATIONS, migrate} from '../../source/store/migrations.js';
import {openDatabase} from '../../source/store/open-database.js';
import {openStore} from '../../source/store/index.js';
import {result, runInput, snapshotFile, temporaryDirectory, track} from './helpers.js';

function inspect(path: string) {
	const db = new Database(path, {readonly: true});
	try {
		return {
			userVersion: db.pragma('user_version', {simple: true}),
			applicationId: db.pragma('application_id', {simple: true}),
			journalMode: db.pragma('journal_mode', {simple: true}),
			tables: db.prepare<[], {name: string}>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().map(row => row.name),
		};
	} finally {
		db.close();
	}
}

/** A lanes database with a few hundred pages, closed. */
function filledDatabase(directory: string): string {
	const path = join(directory, 'runs.db');
	const store = openStore(path);
	store.createRun(runInput('r1', {testIds: Array.from({length: 2000}, (_, index) => `t${index}`)}));
	for (let index = 0; index < 2000; index++) store.recordResult('r1', result('m1', `t${index}`, 'passed', {answer: `answer ${index} `.repeat(10)}));
	store.close();
	return path;
}

function expectRefused(path: string, directory: string, message: RegExp): void {
	const before = snapshotFile(path, directory);
	expect(() => openStore(path)).toThrow(InputError);
	expect(() => openStore(path)).toThrow(message);
	expect(() => openStore(path, {readonly: true})).toThrow(message);
	const after = snapshotFile(path, directory);
	expect(after.names).toEqual(before.names);
	expect(after.bytes.equals(before.bytes)).toBe(true);
}

describe('migrating', () => {
	test('a schema-2 database keeps its events and takes shared-budget events after the upgrade', () => {
		const path = join(temporaryDirectory(), 'v2.db');
		const db = new Database(path);
		db.pragma('journal_mode = WAL');
		migrate(db, path, MIGRATIONS.slice(0, 2));
		db.prepare(`INSERT INTO runs (id, started_at, status, config_json, config_path, suite_path, suite_hash, models_json, test_ids_json, item_count)
			VALUES ('r1', 1, 'interrupted', '{}', 'c.json', 's.jsonl', 'h', '[{"name":"m1","provider":"p","apiModel":"m1"}]', '["t1"]', 1)`).run();
		db.prepare(`INSERT INTO attempts (run_id, provider, model, test_id, attempt, outcome, latency_ms, at) VALUES ('r1', 'p', 'm1', 't1', 1, 'ok', 5, 2)`).run();
		db.prepare(`INSERT INTO events (run_id, at, lane, kind, detail_json) VALUES ('r1', 2, 'p', 'outage', '{"phase":"down"}')`).run();
		expect(() => db.prepare(`INSERT INTO events (run_id, at, lane, kind, detail_json) VALUES ('r1', 2, 'p', 'shared', '{}')`).run()).toThrow(/CHECK/);
		db.close();
		const store = track(openStore(path));
		store.recordEvent('r1', {type: 'shared', lane: 'p', phase: 'joined', runners: 1, budget: 'https://gw.example/v1', at: 3});
		store.recordEvent('r1', {type: 'shared', lane: 'p', phase: 'lost', share: 2, reason: 'connect ECONNREFUSED', at: 4});
		store.recordEvent('r1', {type: 'shared', lane: 'p', phase: 'left', runners: 3, budget: 'https://gw.example/v1', at: 5});
		store.close();
		expect(inspect(path).userVersion).toBe(latestVersion(MIGRATIONS));
		const reopened = track(openStore(path));
		expect(reopened.providerStats('r1').get('p')).toMatchObject({outages: 1, shared: {runners: 3, budget: 'https://gw.example/v1', lost: 1}});
	});

	test('a schema-1 database keeps every row and takes outage failures after the upgrade', () => {
		const path = join(temporaryDirectory(), 'old.db');
		const db = new Database(path);
		db.pragma('journal_mode = WAL');
		migrate(db, path, MIGRATIONS.slice(0, 1));
		db.prepare(`INSERT INTO runs (id, started_at, status, config_json, config_path, suite_path, suite_hash, models_json, test_ids_json, item_count)
			VALUES ('r1', 1, 'interrupted', '{}', 'c.json', 's.jsonl', 'h', '[{"name":"m1","provider":"p","apiModel":"m1"}]', '["t1","t2","t3"]', 3)`).run();
		db.prepare(`INSERT INTO results (run_id, model, test_id, provider, status, attempts, finished_at) VALUES ('r1', 'm1', 't1', 'p', 'passed', 1, 2)`).run();
		db.close();
		const store = track(openStore(path));
		store.recordResult('r1', result('m1', 't2', 'errored', {errorClass: 'outage', errorMessage: 'HTTP 503'}));
		store.recordResult('r1', result('m1', 't3', 'errored', {errorClass: 'unreachable', errorMessage: 'cannot reach'}));
		store.close();
		expect(inspect(path).userVersion).toBe(latestVersion(MIGRATIONS));
		const reopened = track(openStore(path));
		expect(reopened.results('r1').map(row => [row.testId, row.status, row.errorClass ?? null])).toEqual([
			['t1', 'passed', null], ['t2', 'errored', 'outage'], ['t3', 'errored', 'unreachable'],
		]);
	});
});

describe('creating', () => {
	test('creates the directories, the file and the schema, marked with user_version and application_id', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'a', 'b', 'runs.db');
		track(openStore(path)).close();
		// Nothing but the database is left next to it (no temporary file, no -wal after close).
		expect(readdirSync(join(directory, 'a', 'b'))).toEqual(['runs.db']);
		expect(inspect(path)).toEqual({userVersion: latestVersion(MIGRATIONS), applicationId: LANES_APPLICATION_ID, journalMode: 'wal', tables: [...LANES_TABLES].sort()});
	});

	test('sets WAL, foreign keys and the busy timeout on the connection', () => {
		const path = join(temporaryDirectory(), 'runs.db');
		const db = openDatabase(path);
		try {
			expect(db.pragma('journal_mode', {simple: true})).toBe('wal');
			expect(db.pragma('synchronous', {simple: true})).toBe(1);
			expect(db.pragma('foreign_keys', {simple: true})).toBe(1);
			expect(db.pragma('busy_timeout', {simple: true})).toBe(5000);
		} finally {
			db.close();
		}
	});

	test('reopening is idempotent and keeps the data', () => {
		const path = join(temporaryDirectory(), 'runs.db');
		const first = track(openStore(path));
		first.createRun(runInput('r1'));
		first.recordResult('r1', result('m1', 't1', 'passed'));
		first.close();
		const before = inspect(path);
		const second = track(openStore(path));
		expect(second.results('r1')).toHaveLength(1);
		second.close();
		expect(inspect(path)).toEqual(before);
	});

	test('a failed creation leaves no file and no new directory behind', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'new', 'deeper', 'runs.db');
		const broken = [{version: 1, description: 'broken', sql: 'CREATE TABLE ok (x); CREATE TABLE broken ('}];
		expect(() => openDatabase(path, {migrations: broken})).toThrow(`${path}: creating the database`);
		expect(readdirSync(directory)).toEqual([]);
	});

	test('an empty file (as from touch) becomes a lanes database', () => {
		const path = join(temporaryDirectory(), 'runs.db');
		writeFileSync(path, '');
		track(openStore(path)).close();
		expect(inspect(path).userVersion).toBe(latestVersion(MIGRATIONS));
	});

	test('read-only: a missing file is refused and not created', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'missing.db');
		expect(() => openStore(path, {readonly: true})).toThrow(new InputError(`${path}: no such database`));
		expect(readdirSync(directory)).toEqual([]);
	});

	test('read-only: reads work, writes are refused naming the file', () => {
		const path = join(temporaryDirectory(), 'runs.db');
		const writer = track(openStore(path));
		writer.createRun(runInput('r1'));
		writer.close();
		const reader = track(openStore(path, {readonly: true}));
		expect(reader.getRun('r1')?.id).toBe('r1');
		expect(() => reader.createRun(runInput('r2'))).toThrow(`${path}: creating a run: the database is open read-only`);
	});
});

describe('refusing without changing the file', () => {
	test('a database from a newer lanes', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'x.db');
		track(openStore(path)).close();
		const db = new Database(path);
		db.pragma('user_version = 7');
		db.close();
		expectRefused(path, directory, new RegExp(`^.*x\\.db was written by a newer version of lanes \\(schema 7, this one knows ${latestVersion(MIGRATIONS)}\\); use a newer lanes or another --db$`));
	});

	test('a text file', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'notes.db');
		writeFileSync(path, 'these are my notes, not a database\n'.repeat(10));
		expectRefused(path, directory, /notes\.db is not a lanes database: file is not a database/);
	});

	test('a file shorter than a SQLite header', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'short.db');
		writeFileSync(path, 'SQLite format 3\u0000');
		expectRefused(path, directory, /short\.db is not a lanes database: file is not a database/);
	});

	test('a SQLite database with other tables', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'other.db');
		const db = new Database(path);
		db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5); CREATE TABLE customers (name TEXT)");
		db.close();
		expectRefused(path, directory, /other\.db is not a lanes database: it holds tables of another program \(customers, invoices\); use another --db/);
	});

	test('a WAL-mode SQLite database of another program, without creating -wal or -shm', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'other-wal.db');
		const db = new Database(path);
		db.pragma('journal_mode = WAL');
		db.exec('CREATE TABLE notes (body TEXT)');
		db.close();
		expectRefused(path, directory, /other-wal\.db is not a lanes database: it holds tables of another program \(notes\)/);
	});

	test('a truncated database', () => {
		const directory = temporaryDirectory();
		const path = filledDatabase(directory);
		truncateSync(path, Math.floor(statSync(path).size / 2));
		expectRefused(path, directory, /runs\.db is damaged \(.+\); restore it from a backup or use another --db/);
	});

	test('a database with overwritten pages: opening reads no page, the integrity check finds them', () => {
		const directory = temporaryDirectory();
		const path = filledDatabase(directory);
		const bytes = snapshotFile(path, directory).bytes;
		bytes.fill(0x5a, 4096 * 2, 4096 * 6);
		writeFileSync(path, bytes);
		const before = snapshotFile(path, directory);
		const store = openStore(path, {readonly: true});
		try {
			expect(store.checkIntegrity().length).toBeGreaterThan(0);
			expect(() => store.requireIntact()).toThrow(/runs\.db is damaged \(.+\); restore it from a backup or use another --db/s);
		} finally {
			store.close();
		}

		expect(snapshotFile(path, directory).bytes.equals(before.bytes)).toBe(true);
	});

	test('an intact database passes the integrity check', () => {
		const store = openStore(filledDatabase(temporaryDirectory()));
		try {
			expect(store.checkIntegrity()).toEqual([]);
		} finally {
			store.close();
		}
	});

	test('a directory', () => {
		const directory = temporaryDirectory();
		const path = join(directory, 'folder.db');
		mkdirSync(path);
		expect(() => openStore(path)).toThrow(new InputError(`${path} is not a file; --db needs a database file`));
	});
});
