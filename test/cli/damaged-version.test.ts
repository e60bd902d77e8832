import {readFileSync} from 'node:fs';
import Database from 'better-sqlite3';
import {expect, test} from 'vitest';
import {jsonl, runCli, tempDir} from '../helpers/cli.js';
import {fastConfig, onlyJsonObject, suiteTests} from './fixtures.js';

const temp = tempDir();

test('a lanes database whose user_version was reset to 0: exit 2 saying it is damaged, the file untouched', async () => {
	const config = temp.write('config.json', fastConfig({providers: {alpha: {type: 'simulated', models: ['m-one'], simulate: {latencyMs: 100, maxConcurrent: 32, rps: 100}}}}));
	const suite = temp.write('suite.jsonl', jsonl(suiteTests));
	const db = temp.file('reset.db');
	const first = await runCli(['run', '--config', config, '--suite', suite, '--db', db, '--json']);
	expect(first.code, first.stderr).toBe(0);
	// One provider: "1 lane", not "1 lanes".
	expect(first.stderr).toMatch(/items on 1 lane;/);
	const database = new Database(db);
	database.pragma('user_version = 0');
	database.close();
	const before = readFileSync(db);

	for (const args of [['runs', '--db', db], ['report', onlyJsonObject(first.stdout).runId, '--db', db], ['run', '--config', config, '--suite', suite, '--db', db]]) {
		const result = await runCli(args);
		expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(2);
		expect(result.stderr).toContain(`${db} is damaged`);
		expect(result.stderr).toContain('user_version 0');
		expect(result.stderr).not.toContain('    at ');
	}

	expect(readFileSync(db).equals(before)).toBe(true);
});
