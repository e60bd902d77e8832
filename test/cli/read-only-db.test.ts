import {readdirSync} from 'node:fs';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {jsonl, runCli, tempDir} from '../helpers/cli.js';
import {countingKeyEnv, startCountingProvider, type CountingProvider} from '../helpers/counting-provider.js';
import {mountSmallFs, type SmallFs} from '../helpers/small-fs.js';
import {onlyJsonObject} from './fixtures.js';

const temp = tempDir();
const mounted = mountSmallFs(8 * 1024 * 1024);
const unavailable = 'unavailable' in mounted ? mounted.unavailable : undefined;
const suite = temp.write('suite.jsonl', jsonl([{id: 't1', prompt: 'Say OK', expected: 'OK'}, {id: 't2', prompt: 'Say OK', expected: 'KO'}]));
let provider: CountingProvider;
let config: string;
let runId: string;
let summaryWhenWritten: unknown;

describe.skipIf(unavailable)(`a database on read-only storage (an archive)${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	const fs = mounted as SmallFs;
	const db = () => fs.file('archive.db');

	beforeAll(async () => {
		provider = await startCountingProvider();
		config = temp.write('paid.json', provider.config());
		const result = await runCli(['run', '--config', config, '--suite', suite, '--db', db(), '--json'], {env: countingKeyEnv});
		expect(result.code, result.stderr).toBe(0);
		summaryWhenWritten = onlyJsonObject(result.stdout);
		runId = (summaryWhenWritten as {runId: string}).runId;
		fs.remountReadOnly();
	});

	afterAll(async () => {
		await provider.close();
		fs.unmount();
	});

	test('SQLite itself cannot read it in place (what the commands below must get around)', () => {
		expect(() => new Database(db(), {readonly: true, fileMustExist: true}).prepare('SELECT count(*) FROM runs').get()).toThrow(expect.objectContaining({code: expect.stringMatching(/^SQLITE_(CANTOPEN|READONLY)/)}));
	});

	test('lanes runs lists its runs', async () => {
		const result = await runCli(['runs', '--db', db(), '--json']);
		expect(result.code, result.stderr).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({id: runId, status: 'completed', items: 4, done: 4})]);
	});

	test('lanes report shows the run as it was written', async () => {
		const json = await runCli(['report', runId, '--db', db(), '--format', 'json']);
		expect(json.code, json.stderr).toBe(0);
		expect({...onlyJsonObject(json.stdout), elapsedMs: 0}).toEqual({...(summaryWhenWritten as object), elapsedMs: 0});
		const table = await runCli(['report', runId, '--db', db()]);
		expect(table.code, table.stderr).toBe(0);
		expect(table.stdout).toContain('m-one');
	});

	test.each([
		{name: 'run', args: () => ['run', '--config', config, '--suite', suite, '--db', db()]},
		{name: 'resume', args: () => ['resume', runId, '--db', db()]},
	])('lanes $name on it: exit 2 naming the file, nothing sent', async ({args}) => {
		const before = provider.requests();
		const result = await runCli(args(), {env: countingKeyEnv});
		expect(result.code, result.stderr).toBe(2);
		expect(result.stderr).toContain(`${db()}: the database or its folder is read-only`);
		expect(result.stderr).not.toContain('    at ');
		expect(provider.requests()).toBe(before);
	});

	test('lanes run with a new database in a read-only folder: exit 2, nothing sent', async () => {
		const before = provider.requests();
		const result = await runCli(['run', '--config', config, '--suite', suite, '--db', fs.file('new.db')], {env: countingKeyEnv});
		expect(result.code, result.stderr).toBe(2);
		expect(result.stderr).toContain(`${fs.file('new.db')}: the database or its folder is read-only`);
		expect(provider.requests()).toBe(before);
		expect(readdirSync(fs.dir)).toEqual(['archive.db']);
	});
});
