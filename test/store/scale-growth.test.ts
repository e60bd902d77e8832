import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';

/**
 * Growth, not absolute numbers: the same steps at two sizes, each in its own process (bench/scale-child.ts, the
 * bench's own steps), compared as a ratio. Before the database became the queue a run cost about 2.5 KB and a
 * report about 1.4 KB per item. At these small sizes the growth is mostly SQLite's page cache filling (16 MB a
 * connection, reached only by the larger database) and V8's heap sizing itself: the bounds say "well under half
 * of before"; the 1M-item bench (`npm run bench -- scale`) measures the flat part.
 */
const directory = mkdtempSync(path.join(os.tmpdir(), 'lanes-scale-growth-'));
const sizes = {small: 1000, large: 6000} as const;
const models = 10;
type Measure = {maxRssMb: number; results?: number; status?: string};

function step(mode: string, db: string, suite: string, extra?: string): Measure {
	const out = path.join(directory, `${path.basename(db)}-${mode}-${extra ?? ''}.json`);
	const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/scale-child.ts', mode, out, db, suite, ...(extra ? [extra] : [])], {
		stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: {...process.env, NODE_ENV: 'production'},
	});
	expect(child.status, child.stderr).toBe(0);
	return JSON.parse(readFileSync(out, 'utf8')) as Measure;
}

const runs = new Map<keyof typeof sizes, {db: string; run: Measure}>();

beforeAll(() => {
	for (const [size, tests] of Object.entries(sizes) as Array<[keyof typeof sizes, number]>) {
		const suite = path.join(directory, `${size}.jsonl`);
		writeFileSync(suite, Array.from({length: tests}, (_, i) => JSON.stringify({id: `t${i}`, prompt: `What is ${i} + ${i}?`, expected: String(2 * i)})).join('\n'));
		const db = path.join(directory, `${size}.db`);
		runs.set(size, {db, run: step('run', db, suite)});
	}
}, 120_000);

afterAll(() => {
	rmSync(directory, {recursive: true, force: true});
});

const extraItems = (sizes.large - sizes.small) * models;

describe('a run six times the size', () => {
	test('records every item, and costs less than half the memory per extra item it did', () => {
		for (const [size, tests] of Object.entries(sizes) as Array<[keyof typeof sizes, number]>) {
			const {db, run} = runs.get(size)!;
			expect(run.status).toBe('completed');
			const file = new Database(db, {readonly: true});
			expect(file.prepare('SELECT COUNT(*) AS n FROM results').get()).toEqual({n: tests * models});
			file.close();
		}

		const growth = (runs.get('large')!.run.maxRssMb - runs.get('small')!.run.maxRssMb) * 1024 * 1024;
		expect(growth / extraItems).toBeLessThan(1200);
	});

	test('a report (table, and csv of every result) of six times the results: less than half the memory per extra result it took', () => {
		for (const format of ['table', 'results']) {
			const small = step('report', runs.get('small')!.db, '', format);
			const large = step('report', runs.get('large')!.db, '', format);
			const growth = (large.maxRssMb - small.maxRssMb) * 1024 * 1024;
			expect(growth / extraItems, format).toBeLessThan(700);
		}
	});
});
