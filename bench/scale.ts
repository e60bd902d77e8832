import {spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {compileScaleChild} from './compiled-child.js';
import {count, fixed, table, type SectionResult, type Target} from './format.js';

/** 10 models x 100k tests, as the issue measures; LANES_SCALE_ITEMS sets another size (develop at 100k). */
const items = Number(process.env.LANES_SCALE_ITEMS ?? 1_000_000);
const models = 10;
const tests = Math.round(items / models);

type Step = Record<string, number | string> & {maxRssMb: number; wallMs: number};

/** The Node flags `lanes` runs with, from its entry point's shebang: the child runs as the command does. */
const nodeFlags = readFileSync(path.join(import.meta.dirname, '..', 'source', 'cli.tsx'), 'utf8').split('\n', 1)[0]!.split(/\s+/).filter(word => word.startsWith('--'));

/** Runs one step in a fresh process (compiled JS, as `lanes` runs from dist/), stdout thrown away. */
function runStep(script: string, directory: string, mode: string, db: string, suite: string, extra?: string): Step {
	const out = path.join(directory, `${mode}-${extra ?? ''}.json`);
	const began = performance.now();
	const child = spawnSync(process.execPath, [...nodeFlags, script, mode, out, db, suite, ...(extra ? [extra] : [])], {
		stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', env: {...process.env, NODE_ENV: 'production'}, maxBuffer: 1 << 24,
	});
	const wallMs = performance.now() - began;
	if (child.status !== 0) throw new Error(`scale ${mode} exited ${child.status}: ${child.stderr}`);
	return {...JSON.parse(readFileSync(out, 'utf8')) as Step, wallMs};
}

function writeSuite(file: string): void {
	const lines: string[] = [];
	for (let i = 0; i < tests; i++) lines.push(JSON.stringify({id: `t${String(i + 1).padStart(6, '0')}`, prompt: `What is ${i} + ${i}?`, expected: String(2 * i)}));
	writeFileSync(file, `${lines.join('\n')}\n`);
}

/**
 * Section: a million items (10 models x 100k tests) through the store as the queue. Each step runs in its own
 * process (peak RSS is the process's maxRSS; compiled JS, as users run it): a run stopped half way, its resume to the
 * end, then report (table, json, per-result csv) and runs on the full database.
 */
export async function benchScale(): Promise<SectionResult> {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'lanes-bench-scale-'));
	const child = compileScaleChild('scale-child');
	const step = (mode: string, db: string, suite: string, extra?: string) => runStep(child, directory, mode, db, suite, extra);
	try {
		const suite = path.join(directory, 'suite.jsonl');
		const db = path.join(directory, 'scale.db');
		writeSuite(suite);
		const base = step('base', db, suite);
		const run = step('run', db, suite, String(Math.floor(items / 2)));
		const resume = step('resume', db, suite);
		const reports = ['table', 'json', 'results'].map(format => ({format, ...step('report', db, suite, format)}));
		const runs = step('runs', db, suite);
		const done = Number(run.results) + Number(resume.results);
		if (done !== items || resume.status !== 'completed') throw new Error(`the run ended with ${done} of ${items} results (${resume.status})`);
		const peakRss = Math.max(run.maxRssMb, resume.maxRssMb);
		const reportMs = Math.max(...reports.map(report => Number((report as Step).ms)));
		const reportRss = Math.max(...reports.map(report => report.maxRssMb));
		const perSecond = Math.min(Number(run.resultsPerSecond), Number(resume.resultsPerSecond));
		const dbMb = statSync(db).size / 1e6;
		const lines = [
			`${count(items)} items (${models} models x ${count(tests)} tests), one lane of ${models} models, instant in-process client; database ${fixed(dbMb, 0)} MB.`,
			`A process that loads the same modules and does nothing peaks at ${fixed(base.maxRssMb, 0)} MB.`,
			...table(['step', 'peak RSS MB', 'first request s', 'time s', 'results/s'], [
				['run (stopped half way)', fixed(run.maxRssMb, 0), fixed(Number(run.firstRequestMs) / 1000, 2), fixed(run.wallMs / 1000, 1), count(Number(run.resultsPerSecond))],
				['resume (to the end)', fixed(resume.maxRssMb, 0), fixed(Number(resume.firstRequestMs) / 1000, 2), fixed(resume.wallMs / 1000, 1), count(Number(resume.resultsPerSecond))],
				...reports.map(report => [`report --format ${report.format === 'results' ? 'csv --results' : report.format}`, fixed(report.maxRssMb, 0), '', fixed(Number((report as Step).ms) / 1000, 2), '']),
				['runs', fixed(runs.maxRssMb, 0), '', fixed(Number(runs.ms) / 1000, 2), ''],
			]),
		];
		const targets: Target[] = [
			{name: 'scale: peak RSS of run and resume <= 200 MB', met: peakRss <= 200, detail: `${fixed(peakRss, 0)} MB`},
			{name: 'scale: first request of run <= 10 s', met: Number(run.firstRequestMs) <= 10_000, detail: `${fixed(Number(run.firstRequestMs) / 1000, 2)} s`},
			{name: 'scale: first request of resume (half done) <= 5 s', met: Number(resume.firstRequestMs) <= 5000, detail: `${fixed(Number(resume.firstRequestMs) / 1000, 2)} s`},
			{name: 'scale: report <= 3 s and <= 150 MB', met: reportMs <= 3000 && reportRss <= 150, detail: `${fixed(reportMs / 1000, 2)} s, ${fixed(reportRss, 0)} MB (slowest / largest of table, json, csv --results)`},
			{name: 'scale: runs <= 0.5 s', met: Number(runs.ms) <= 500, detail: `${fixed(Number(runs.ms) / 1000, 2)} s`},
			{name: 'scale: engine plus store >= 20k results/s', met: perSecond >= 20_000, detail: `${count(perSecond)} results/s (the slower of run and resume)`},
		];
		return {
			title: `Scale: ${count(items)} items, the database as the queue`,
			lines,
			json: {items, base, run, resume, reports, runs, peakRssMb: peakRss, dbMb},
			targets,
		};
	} finally {
		// LANES_BENCH_KEEP=1 leaves the database and suite for a look (the directory is printed).
		if (process.env.LANES_BENCH_KEEP) process.stderr.write(`scale: kept ${directory}\n`);
		else rmSync(directory, {recursive: true, force: true});
		rmSync(child, {force: true});
	}
}
