/**
 * Not a test: measures the store's write path the way an instant provider drives it, next to the floor of
 * plain better-sqlite3 doing one commit per row on the same disk. Run with `npx tsx test/store/measure-throughput.ts`.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {openStore} from '../../source/store/index.js';

const results = 20_000;
const attemptsPerResult = 2;
const directory = mkdtempSync(join(tmpdir(), 'lanes-throughput-'));

function timed(label: string, action: () => void): void {
	const cpu = process.cpuUsage();
	const start = performance.now();
	action();
	const wall = performance.now() - start;
	const used = process.cpuUsage(cpu);
	console.log(`${label}: ${wall.toFixed(0)} ms wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU`);
}

function storeRun(label: string, withResults: boolean, withAttempts: boolean): void {
	const store = openStore(join(directory, `${label}.db`));
	const runId = 'r20261126-0645-ab12';
	store.createRun({
		id: runId, startedAt: Date.now(), configJson: {}, configPath: 'c.json', suitePath: 's.jsonl', suiteHash: 'h',
		models: Array.from({length: 10}, (_, i) => ({name: `model-${i}`, provider: `provider-${i % 3}`, apiModel: `model-${i}`})),
		testIds: Array.from({length: results / 10}, (_, i) => `test-${i}`),
		lanes: [],
	});
	timed(label, () => {
		for (let index = 0; index < results; index++) {
			const model = `model-${index % 10}`;
			const testId = `test-${Math.floor(index / 10)}`;
			const provider = `provider-${index % 3}`;
			const at = Date.now();
			if (withAttempts) {
				for (let attempt = 1; attempt <= attemptsPerResult; attempt++) {
					const last = attempt === attemptsPerResult;
					store.recordAttempt(runId, {provider, model, testId, attempt, outcome: last ? 'ok' : 'rate_limit', status: last ? 200 : 429, latencyMs: 12.5, at});
				}
			}

			if (withResults) {
				store.recordResult(runId, {provider, model, testId, status: 'passed', answer: 'Paris', latencyMs: 12.5, attempts: attemptsPerResult, promptTokens: 12, completionTokens: 3, finishedAt: at});
			}
		}

		store.close();
	});
}

/** The floor: the same rows, one autocommit INSERT each, into a bare table (WAL, synchronous NORMAL). */
function rawFloor(): void {
	const db = new Database(join(directory, 'raw.db'));
	db.pragma('journal_mode = WAL');
	db.pragma('synchronous = NORMAL');
	db.exec('CREATE TABLE r (run_id TEXT, model TEXT, test_id TEXT, status TEXT, answer TEXT, latency_ms REAL, finished_at INTEGER, PRIMARY KEY (run_id, model, test_id)) WITHOUT ROWID');
	const insert = db.prepare('INSERT INTO r VALUES (?, ?, ?, ?, ?, ?, ?)');
	timed(`raw better-sqlite3, ${results} single-row commits`, () => {
		for (let index = 0; index < results; index++) insert.run('r20261126-0645-ab12', `model-${index % 10}`, `test-${Math.floor(index / 10)}`, 'passed', 'Paris', 12.5, Date.now());
		db.close();
	});
}

try {
	rawFloor();
	storeRun(`store: ${results} results + ${results * attemptsPerResult} attempts`, true, true);
	storeRun(`store: ${results} results`, true, false);
	storeRun(`store: ${results * attemptsPerResult} attempts`, false, true);
} finally {
	rmSync(directory, {recursive: true, force: true});
}
