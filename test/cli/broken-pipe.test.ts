import Database from 'better-sqlite3';
import {expect, test} from 'vitest';
import {cliCommand, jsonl, runCli, runShell, tempDir} from '../helpers/cli.js';
import {fastConfig, onlyJsonObject, suiteTests} from './fixtures.js';

const temp = tempDir();

// One request at a time, 250 ms each: the second line (a status line, every 2 s) comes long before the end.
test('lanes run … 2>&1 | head -2: the run stops as interrupted when the pipe closes, and resumes to the end', async () => {
	const config = temp.write('config.json', fastConfig({timeScale: 1, providers: {
		alpha: {type: 'simulated', models: ['m-one', 'm-two'], concurrency: 1, adaptive: false, simulate: {latencyMs: 250, latencySigma: 0, maxConcurrent: 32, rps: 100}},
	}}));
	const suite = temp.write('suite.jsonl', jsonl(suiteTests));
	const db = temp.file('pipe.db');
	const {file, args} = cliCommand(['run', '--config', config, '--suite', suite, '--db', db, '--plain']);
	const quoted = [file, ...args].map(arg => `'${arg}'`).join(' ');
	const piped = await runShell(`bash -c "${quoted} 2>&1 | head -2; echo lanes-exit=\\\${PIPESTATUS[0]} >&2"`);
	expect(piped.stderr, piped.stdout).toContain('lanes-exit=3');
	expect(piped.stdout.trim().split('\n')).toHaveLength(2);

	const database = new Database(db, {readonly: true});
	const [run] = database.prepare('SELECT id, status FROM runs').all() as Array<{id: string; status: string}>;
	const stored = (database.prepare('SELECT count(*) AS n FROM results').get() as {n: number}).n;
	database.close();
	expect(run!.status).toBe('interrupted');
	expect(stored).toBeLessThan(2 * suiteTests.length);

	const resumed = await runCli(['resume', run!.id, '--db', db, '--json'], {timeoutMs: 30_000});
	expect(resumed.code, resumed.stderr).toBe(0);
	expect(onlyJsonObject(resumed.stdout).totals).toMatchObject({items: 2 * suiteTests.length, pending: 0});
});
