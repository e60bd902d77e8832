/**
 * One measured step of the scale bench, in its own process so its peak RSS is its own:
 * `node CHILD.mjs MODE OUT.json DB SUITE [STOP_AFTER]` (compiled by compiled-child.ts), MODE one of run, resume,
 * report, runs, base.
 * run and resume go the way `lanes run` / `lanes resume` do (streamed suite, store as the queue, the store
 * attached for attempts and events) with an in-process instant client in place of HTTP; report and runs call the
 * commands themselves, with stdout thrown away.
 */
import {writeFileSync} from 'node:fs';
import process from 'node:process';
import {attach} from '../source/commands/attach-store.js';
import {reportCommand} from '../source/commands/report.js';
import {runsCommand} from '../source/commands/runs.js';
import {readSuite, suiteHash} from '../source/config/load-suite.js';
import {configSchema} from '../source/config/schema.js';
import {Engine} from '../source/engine/engine.js';
import type {LaneSpec} from '../source/engine/types.js';
import type {ChatClient} from '../source/providers/types.js';
import {newRunId, openStore, type Store} from '../source/store/index.js';
import {instantConcurrency} from './instant.js';

const [mode, out, db, suite, stopAfterText] = process.argv.slice(2) as [string, string, string, string, string | undefined];
const scaleModels = Array.from({length: 10}, (_, i) => `model-${String(i + 1).padStart(2, '0')}`);
const {request, retry} = configSchema.parse({providers: {any: {type: 'simulated', models: ['m']}}});
const laneSettings = {lane: 'instant', concurrency: instantConcurrency, minConcurrency: 1, maxConcurrency: 64, adaptive: false, paused: false};
const start = performance.now();
let firstRequestMs: number | undefined;

const client: ChatClient = {
	async complete(request) {
		firstRequestMs ??= performance.now() - start;
		return {text: request.prompt.length % 2 === 0 ? 'even' : 'odd', promptTokens: 8, completionTokens: 1};
	},
};

const lane: LaneSpec = {
	name: 'instant', client, models: scaleModels.map(name => ({name, apiModel: name})),
	concurrency: instantConcurrency, minConcurrency: 1, maxConcurrency: 64, adaptive: false,
};

async function execute(store: Store, runId: string, retryErrors: boolean): Promise<Record<string, number | string>> {
	const engine = new Engine({lanes: [lane], items: store.pendingItems(runId, {retryErrors}), request, retry, sink: {recordResult: result => store.recordResult(runId, result)}});
	const detach = attach(engine, store, runId);
	const stopAfter = stopAfterText === undefined ? Number.POSITIVE_INFINITY : Number(stopAfterText);
	let results = 0;
	engine.subscribe(event => {
		if (event.type === 'result' && ++results === stopAfter) engine.stop();
	});
	const status = await engine.run();
	const endMs = performance.now() - start;
	detach();
	store.setRunStatus(runId, status, Date.now());
	store.releaseLock(runId);
	return {runId, status, results, firstRequestMs: firstRequestMs ?? Number.NaN, resultsPerSecond: results / ((endMs - (firstRequestMs ?? 0)) / 1000)};
}

async function main(): Promise<Record<string, number | string>> {
	switch (mode) {
		case 'run': {
			const digest = readSuite(suite, () => undefined);
			const store = openStore(db);
			try {
				const runId = newRunId(new Date());
				store.createRun({
					id: runId, startedAt: Date.now(), configJson: {bench: 'scale'}, configPath: 'bench', suitePath: suite, suiteHash: digest.hash,
					models: scaleModels.map(name => ({name, provider: 'instant', apiModel: name})), testIds: digest.testIds, lanes: [laneSettings],
				}, add => readSuite(suite, add));
				store.acquireLock(runId);
				return await execute(store, runId, false);
			} finally {
				store.close();
			}
		}

		case 'resume': {
			const store = openStore(db);
			try {
				const run = store.latestUnfinishedRun();
				if (!run) throw new Error('no run to resume');
				if (suiteHash(run.suitePath) !== run.suiteHash || !store.hasTestTexts(run.id)) throw new Error('the suite changed');
				store.requireIntact();
				store.acquireLock(run.id);
				store.setRunStatus(run.id, 'running');
				return await execute(store, run.id, false);
			} finally {
				store.close();
			}
		}

		case 'report': {
			const store = openStore(db, {readonly: true});
			const runId = store.listRuns()[0]!.id;
			store.close();
			const began = performance.now();
			// The command writes to stdout, which the parent sends to /dev/null.
			const variant = stopAfterText ?? 'table';
			await reportCommand(runId, {db, format: variant === 'results' ? 'csv' : variant, results: variant === 'results'});
			return {ms: performance.now() - began};
		}

		case 'runs': {
			const began = performance.now();
			await runsCommand({db, json: false});
			return {ms: performance.now() - began};
		}

		default: {
			return {};
		}
	}
}

const result = await main();
writeFileSync(out, JSON.stringify({...result, maxRssMb: process.resourceUsage().maxRSS / 1024}));
process.exit(0);
