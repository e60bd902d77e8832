import {rmSync, writeFileSync} from 'node:fs';
import Database from 'better-sqlite3';
import {afterAll, describe, expect, test} from 'vitest';
import {jsonl, runCli, runShell, tempDir} from '../helpers/cli.js';
import {mountSmallFs} from '../helpers/small-fs.js';
import {fastConfig, onlyJsonObject} from './fixtures.js';

const temp = tempDir();
const fs = mountSmallFs(16 * 1024 * 1024);
const unavailable = 'unavailable' in fs ? fs.unavailable : undefined;
afterAll(() => {
	if (!('unavailable' in fs)) fs.unmount();
});

type Row = {model: string; test_id: string; status: string; answer: string | null};

function storedRows(db: string): Row[] {
	const database = new Database(db, {readonly: true});
	try {
		return database.prepare('SELECT model, test_id, status, answer FROM results ORDER BY model, test_id').all() as Row[];
	} finally {
		database.close();
	}
}

describe.skipIf(unavailable)(`the disk holding the database fills up during a run${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
	test('exit 3 naming the file, the --json summary, the resume command; the resume completes once there is space', async () => {
		if ('unavailable' in fs) return;
		// Answers of about 1 KB each: a few hundred results outgrow what the filler leaves.
		const tests = Array.from({length: 200}, (_, index) => ({id: `t${index}`, prompt: `Repeat exactly: ${`word${index} `.repeat(150)}`, expected: `word${index}`, match: 'contains'}));
		const suite = temp.write('suite.jsonl', jsonl(tests));
		const config = temp.write('config.json', fastConfig({providers: {
			alpha: {type: 'simulated', models: ['m-one', 'm-two'], concurrency: 8, simulate: {latencyMs: 100, maxConcurrent: 64, rps: 1000, accuracy: {'m-one': 1, 'm-two': 1}}},
		}}));
		const db = fs.file('lanes.db');
		const filler = fs.file('filler');
		writeFileSync(filler, Buffer.alloc(15 * 1024 * 1024 + 200 * 1024));

		const first = await runCli(['run', '--config', config, '--suite', suite, '--db', db, '--json']);
		expect(first.code, first.stderr).toBe(3);
		expect(first.stderr).toContain(`the disk holding the database ${db} is full`);
		expect(first.stderr).not.toMatch(/unexpected error/i);
		expect(first.stderr).not.toContain('    at ');
		const summary = onlyJsonObject(first.stdout);
		expect(summary.status).toBe('interrupted');
		expect(summary.totals.pending).toBeGreaterThan(0);
		const stored = storedRows(db);
		// Everything the summary counted is in the database.
		expect(stored.length).toBe(summary.totals.passed + summary.totals.failed + summary.totals.errored);
		const resumeLine = first.stderr.split('\n').find(line => line.startsWith('resume: '));
		expect(resumeLine, first.stderr).toContain(summary.runId);

		rmSync(filler);
		const resumed = await runShell(resumeLine!.slice('resume: '.length).replace(/^npm run lanes --/, `${process.execPath} --import tsx source/cli.tsx`) + ' --json');
		expect(resumed.code, resumed.stderr).toBe(0);
		expect(onlyJsonObject(resumed.stdout).totals).toMatchObject({items: 400, passed: 400, pending: 0});
		// Nothing recorded before the disk filled was lost or changed.
		const after = storedRows(db);
		expect(after).toHaveLength(400);
		expect(after).toEqual(expect.arrayContaining(stored));
	});
});
