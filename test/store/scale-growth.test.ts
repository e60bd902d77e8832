import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {compileScaleChild} from '../../bench/compiled-child.js';

/**
 * Growth, not absolute numbers: the same steps at two sizes, each in its own process (bench/scale-child.ts, the
 * bench's own steps), compared as a ratio. Before the database became the queue a run cost about 2.5 KB and a
 * report about 1.4 KB per item. A run's growth at these small sizes is mostly SQLite's page cache filling (16 MB
 * for the writer, reached only by the larger database) and V8's heap sizing itself (about 0.8 KB an item seen):
 * its bound says "under half of before". A report reads through a 2 MB cache and one pass per model (about
 * 0.02 KB an item for the table, 0.2 KB for the streamed CSV seen): its bound is under a third of before.
 * The 1M-item bench (`npm run bench -- scale`) measures the flat part.
 */
const directory = mkdtempSync(path.join(os.tmpdir(), 'lanes-scale-growth-'));
// Compiled, as users run lanes: under tsx the loader's own 50 MB makes the heap size itself differently.
const childScript = compileScaleChild('scale-growth-child');
const sizes = {small: 1000, large: 6000} as const;
const models = 10;
type Measure = {maxRssMb: number; results?: number; status?: string};

function step(mode: string, db: string, suite: string, extra?: string): Measure {
	const out = path.join(directory, `${path.basename(db)}-${mode}-${extra ?? ''}.json`);
	const child = spawnSync(process.execPath, [childScript, mode, out, db, suite, ...(extra ? [extra] : [])], {
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
	rmSync(childScript, {force: true});
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

	test('a report (table, and csv of every result) of six times the results: less than a third of the memory per extra result it took', () => {
		for (const format of ['table', 'results']) {
			const small = step('report', runs.get('small')!.db, '', format);
			const large = step('report', runs.get('large')!.db, '', format);
			const growth = (large.maxRssMb - small.maxRssMb) * 1024 * 1024;
			expect(growth / extraItems, format).toBeLessThan(400);
		}
	});
});
