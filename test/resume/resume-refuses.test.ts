import {latestVersion, MIGRATIONS} from '../../source/store/migrations.js';
import {copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {runCli, startCli} from '../helpers/cli.js';
import {
	itemKey, onlyRunId, resultCount, resultRows, runState, startWorld, suiteText,
	type World,
} from '../helpers/resume-harness.js';
import {waitUntil} from '../helpers/wait.js';

// Slow on purpose (200 ms a request, one at a time a lane): the run is still going while a second
// process tries to resume it, and is stopped by SIGTERM afterwards.
let world: World;
let db: string;
let runId: string;

/** The database files next to `file`: itself and any -wal, -shm or -journal. */
const family = (file: string) => readdirSync(path.dirname(file)).filter(name => name.startsWith(path.basename(file))).sort();

/** A file's bytes and the names of the files beside it, to show a refusal left all of it alone. */
const fingerprint = (file: string) => ({bytes: readFileSync(file), files: family(file)});

beforeAll(async () => {
	world = await startWorld({
		providers: {
			fast: {dialect: 'openai', models: {'fast-a': 'fast-a', 'fast-b': 'fast-b', 'fast-c': 'fast-c'}, simulate: {latencyMs: 20_000}, lane: {concurrency: 1, adaptive: false}},
			az: {dialect: 'azure', models: {'az-one': 'dep-one'}, simulate: {latencyMs: 20_000}, lane: {concurrency: 1, adaptive: false}},
		},
	});
	db = world.folder.file('base.db');
});
afterAll(async () => {
	await world?.close();
});

const refusal = (exit: {code: number | null; stdout: string; stderr: string}) => {
	expect(exit.code, exit.stderr).toBe(2);
	expect(exit.stdout).toBe('');
	// One clear message, not a stack trace.
	expect(exit.stderr).toMatch(/^lanes: /);
	expect(exit.stderr).not.toMatch(/\n\s+at /);
	return exit.stderr;
};

describe.sequential('lanes resume refuses, exit 2, with the database left as it was', () => {
	test('a run that another live process is running: the message names its pid; lock and run untouched', async () => {
		const runner = startCli(['run', '--config', world.configPath, '--suite', world.suitePath, '--db', db, '--plain', '--json'], {...world.cli, timeoutMs: 60_000});
		await waitUntil('the first results', () => world.served() >= 3 && resultCount(db) >= 3, {abortIf: () => (runner.exitedYet() ? 'the run ended first' : undefined), context: runner.describe});
		runId = onlyRunId(db);
		const before = runState(db, runId);
		expect(before.lock).toMatchObject({pid: runner.pid});

		const message = refusal(await runCli(['resume', runId, '--db', db, '--plain', '--json'], world.cli));
		expect(message).toContain(`run ${runId} is being run by process ${runner.pid}`);
		expect(runner.exitedYet(), 'the run must still be going, or the refusal proved nothing').toBe(false);
		expect(runState(db, runId)).toEqual(before);

		runner.child.kill('SIGTERM');
		const stopped = await runner.exited;
		expect(stopped.code, runner.describe()).toBe(3);
		expect(runState(db, runId).lock, 'a graceful stop releases the lock').toBeUndefined();
	}, 60_000);

	test('a database with a newer schema, and a file that is not a database: refused, the bytes unchanged', async () => {
		if (!runId) throw new Error('needs the run of the first test');
		expect(family(db), 'the stopped run closed its database cleanly').toEqual(['base.db']);
		const newer = world.folder.file('newer.db');
		copyFileSync(db, newer);
		const connection = new Database(newer);
		connection.pragma(`user_version = ${latestVersion(MIGRATIONS) + 1}`);
		connection.close();
		const notes = world.folder.write('notes.txt', 'Shopping list\n- eggs\n- a database, maybe\n');
		const beforeNewer = fingerprint(newer);
		const beforeNotes = fingerprint(notes);

		const [newerExit, notesExit] = await Promise.all([
			runCli(['resume', runId, '--db', newer, '--plain', '--json'], world.cli),
			runCli(['resume', runId, '--db', notes, '--plain', '--json'], world.cli),
		]);

		expect(refusal(newerExit)).toContain(`${newer} was written by a newer version of lanes (schema ${latestVersion(MIGRATIONS) + 1}, this one knows ${latestVersion(MIGRATIONS)})`);
		expect(fingerprint(newer)).toEqual(beforeNewer);
		expect(refusal(notesExit)).toContain(`${notes} is not a lanes database`);
		expect(fingerprint(notes)).toEqual(beforeNotes);
	}, 60_000);

	test('a changed suite: the message says what changed, nothing is written; --force finishes the tests that still exist', async () => {
		if (!runId) throw new Error('needs the run of the first test');
		const changed = world.folder.file('changed.db');
		copyFileSync(db, changed);
		// Two tests gone, one new: every other line stays byte for byte the same.
		const [t05, t06] = [world.tests[4]!, world.tests[5]!];
		const kept = world.tests.filter(test => test !== t05 && test !== t06);
		const added = {id: 't41', prompt: 'What is 500 + 1?', expected: '501', match: 'exact' as const};
		writeFileSync(world.suitePath, suiteText([...kept, added]));
		const before = fingerprint(changed);
		const rowsBefore = resultRows(changed, runId);

		const message = refusal(await runCli(['resume', runId, '--db', changed, '--plain', '--json'], world.cli));
		expect(message).toContain(`${world.suitePath}: the suite changed since the run started`);
		expect(message).toMatch(/2 tests removed \(t05, t06\)/);
		expect(message).toMatch(/1 tests? added \(t41\)/);
		expect(message).toContain('--force');
		expect(fingerprint(changed)).toEqual(before);

		// The slow provider of the first test has got quick: the rest of the run takes a moment, not seconds.
		for (const provider of ['fast', 'az']) world.setLatencyMs(provider, 1000);
		const forcedAt = world.simNow();
		const forced = await runCli(['resume', runId, '--db', changed, '--force', '--plain', '--json'], {...world.cli, timeoutMs: 60_000});
		expect(forced.code, forced.stderr).toBe(0);
		const summary = JSON.parse(forced.stdout);
		expect(summary).toMatchObject({runId, status: 'completed', totals: {items: 4 * kept.length, pending: 0}});

		// Each remaining item once; the removed tests keep what they had; the new test is not part of this run.
		const rows = resultRows(changed, runId);
		const keys = rows.map(row => itemKey(row.model, row.test_id));
		expect(new Set(keys).size).toBe(keys.length);
		const expected = [
			...world.models.flatMap(model => kept.map(test => itemKey(model.name, test.id))),
			...rowsBefore.filter(row => row.test_id === t05.id || row.test_id === t06.id).map(row => itemKey(row.model, row.test_id)),
		];
		expect(keys.sort()).toEqual(expected.sort());
		const sentForGone = world.simulator.log().filter(entry => entry.startedAt >= forcedAt && [t05.prompt, t06.prompt, added.prompt].includes(entry.prompt));
		expect(sentForGone, 'requests for tests no longer in the run').toEqual([]);

		// The run is now what still exists: listed and reported complete, not waiting for the removed tests.
		const listed = await runCli(['runs', '--db', changed, '--json'], world.cli);
		expect(JSON.parse(listed.stdout).find((run: {id: string}) => run.id === runId)).toMatchObject({status: 'completed', items: 4 * kept.length, done: 4 * kept.length});
		const report = await runCli(['report', runId, '--db', changed, '--format', 'json'], world.cli);
		expect(JSON.parse(report.stdout).totals).toEqual(summary.totals);
		expect(existsSync(changed)).toBe(true);
	}, 60_000);
});
