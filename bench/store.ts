import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {newRunId, openStore, type Store} from '../source/store/index.js';
import {count, fixed, percent, round, table, type SectionResult, type Target} from './format.js';
import {instantConcurrency, instantProvider, runInstant, startInstantSimulator, type InstantKind} from './instant.js';
import {makeTests, median, settle, type TimedRun} from './scenario.js';

const reps = 3;
const itemsFor: Record<InstantKind, number> = {fake: 10_000, http: 3000};
const laneSettings = {lane: instantProvider.name, concurrency: instantConcurrency, minConcurrency: 1, maxConcurrency: 64, adaptive: false, paused: false};

/** A fresh database with the run recorded and locked, as `lanes run` has it before the engine starts. */
function openRunStore(directory: string, items: number): {store: Store; runId: string} {
	const store = openStore(path.join(directory, `bench-${Math.random().toString(36).slice(2)}.db`));
	const runId = newRunId(new Date());
	const tests = Math.max(1, Math.round(items / instantProvider.models.length));
	store.createRun({
		id: runId, startedAt: Date.now(), configJson: {bench: true}, configPath: 'bench', suitePath: 'bench', suiteHash: 'bench',
		models: instantProvider.models.map(name => ({name, provider: instantProvider.name, apiModel: name})),
		testIds: makeTests(tests).map(test => test.id),
		lanes: [laneSettings],
	});
	store.acquireLock(runId);
	return {store, runId};
}

/** Wall time spent inside the store's methods during a run, nested calls counted once. */
class StoreClock {
	ms = 0;
	#depth = 0;

	time<T>(work: () => T): T {
		if (this.#depth > 0) return work();
		this.#depth++;
		const start = performance.now();
		try {
			return work();
		} finally {
			this.ms += performance.now() - start;
			this.#depth--;
		}
	}
}

/**
 * The store's write buffer also flushes from its own 100 ms timer, outside any call we make: time that too.
 * It is a private field, so this is best effort: false when the store no longer has one.
 */
function timeBufferFlushes(store: Store, clock: StoreClock): boolean {
	const buffer = (store as unknown as {buffer?: {flush?: () => void}}).buffer;
	if (typeof buffer?.flush !== 'function') return false;
	const flush = buffer.flush.bind(buffer);
	buffer.flush = () => clock.time(flush);
	return true;
}

type StoreRun = TimedRun & {storeMs: number; timerFlushesTimed: boolean};

/**
 * One instant run with the real store wired the way execute-run.ts does it: results committed by the sink,
 * attempts and events through the write buffer, lane settings on limit changes, and the final status (which
 * writes everything still buffered) inside the timed part.
 */
async function runWithStore(kind: InstantKind, directory: string, simulator: Parameters<typeof runInstant>[0]['simulator'], items = itemsFor[kind]): Promise<StoreRun> {
	const {store, runId} = openRunStore(directory, items);
	const clock = new StoreClock();
	const timerFlushesTimed = timeBufferFlushes(store, clock);
	try {
		const run = await runInstant({
			kind,
			items,
			simulator,
			sink: {recordResult: result => clock.time(() => store.recordResult(runId, result))},
			onEvent: event => clock.time(() => {
				if (event.type === 'attempt') {
					store.recordAttempt(runId, event.attempt);
					return;
				}

				if (event.type === 'result') return;
				store.recordEvent(runId, event);
				if (event.type === 'limit') store.saveLaneSettings(runId, laneSettings);
			}),
			after: () => clock.time(() => {
				store.saveLaneSettings(runId, laneSettings);
				store.setRunStatus(runId, 'completed', Date.now());
				store.releaseLock(runId);
			}),
		});
		return {...run, storeMs: clock.ms, timerFlushesTimed};
	} finally {
		store.close();
	}
}

type Pair = {memory: TimedRun[]; store: StoreRun[]};

/** Section 3: the same instant runs with the real SQLite store as the sink and with an in-memory one. */
export async function benchStore(): Promise<SectionResult> {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'lanes-bench-store-'));
	const simulator = await startInstantSimulator();
	const runs: Record<InstantKind, Pair> = {fake: {memory: [], store: []}, http: {memory: [], store: []}};
	try {
		// Warm-up, not counted.
		await runWithStore('fake', directory, simulator, itemsFor.fake / 4);
		await runWithStore('http', directory, simulator, itemsFor.http / 6);
		for (let rep = 0; rep < reps; rep++) {
			for (const kind of ['fake', 'http'] as const) {
				// Alternate which goes first so drift in the machine's load hits both alike.
				for (const sink of rep % 2 === 0 ? ['memory', 'store'] as const : ['store', 'memory'] as const) {
					await settle();
					if (sink === 'memory') runs[kind].memory.push(await runInstant({kind, items: itemsFor[kind], simulator}));
					else runs[kind].store.push(await runWithStore(kind, directory, simulator));
				}
			}
		}
	} finally {
		await simulator.close();
		rmSync(directory, {recursive: true, force: true});
	}

	for (const [kind, pair] of Object.entries(runs)) {
		for (const run of [...pair.memory, ...pair.store]) if (run.status !== 'completed') throw new Error(`a ${kind} run ended ${run.status}`);
	}

	const summarize = (kind: InstantKind) => {
		const {memory, store} = runs[kind];
		const perResult = (run: TimedRun) => run.wallMs / run.results;
		const pairShares = store.map((run, i) => (perResult(run) - perResult(memory[i]!)) / perResult(run));
		const cpuPerResult = (run: TimedRun) => run.cpuMs / run.results;
		const cpuShares = store.map((run, i) => (cpuPerResult(run) - cpuPerResult(memory[i]!)) / cpuPerResult(run));
		return {
			memoryPerSecond: median(memory.map(run => run.results / (run.wallMs / 1000))),
			storePerSecond: median(store.map(run => run.results / (run.wallMs / 1000))),
			// Measured inside the store's calls, in the store runs themselves: the direct figure.
			directShare: median(store.map(run => run.storeMs / run.wallMs)),
			directUsPerResult: median(store.map(run => (run.storeMs * 1000) / run.results)),
			// Store run vs the in-memory run next to it: catches indirect costs too, but carries the machine's noise.
			pairShare: median(pairShares),
			pairShareRange: [Math.min(...pairShares), Math.max(...pairShares)] as const,
			cpuShare: median(cpuShares),
			cpuShareRange: [Math.min(...cpuShares), Math.max(...cpuShares)] as const,
			timerFlushesTimed: store.every(run => run.timerFlushesTimed),
		};
	};

	const fake = summarize('fake');
	const http = summarize('http');
	const lines = [
		`Instant runs of section 2 (fixed ${instantConcurrency} in flight) with the real store (a fresh database file in ${os.tmpdir()} each run) vs an in-memory sink;`,
		`${reps} pairs each, alternating order. "inside store" = wall time inside the store's methods (and its buffer's timer flushes) / run wall time;`,
		'"A/B" = (time per result with the store - the in-memory run next to it) / time per result with the store: median of the pairs, [min, max];',
		'"A/B CPU" the same with CPU time (process.cpuUsage) instead of wall time.',
		'',
		...table(
			['client', 'items/run', 'results/s in memory', 'results/s with store', 'store: inside store', 'per result', 'A/B wall (noisy)', 'A/B CPU'],
			([['SDK + HTTP simulator', 'http', http], ['fake in-process client', 'fake', fake]] as const).map(([label, kind, s]) => [
				label, count(itemsFor[kind]), count(s.memoryPerSecond), count(s.storePerSecond), percent(s.directShare), `${fixed(s.directUsPerResult, 0)} µs`,
				`${percent(s.pairShare)} [${percent(s.pairShareRange[0], 0)}, ${percent(s.pairShareRange[1], 0)}]`,
				`${percent(s.cpuShare)} [${percent(s.cpuShareRange[0], 0)}, ${percent(s.cpuShareRange[1], 0)}]`,
			]),
		),
		'',
		'The HTTP row is the fastest a real provider could answer; the fake row has no provider cost at all, so there the store is most of what is left',
		`(a durable commit per result cannot cost under a tenth of the engine's ${fixed(1e6 / fake.memoryPerSecond, 1)} µs per item); it is shown, not held to the target.`,
		`At the seed scenario's ~21 results/s, ${fixed(http.directUsPerResult, 0)} µs per result is ${percent((21 * http.directUsPerResult) / 1e6, 2)} of one core.`,
		...(http.timerFlushesTimed ? [] : ['Note: the store\'s write buffer could not be instrumented, so its timer flushes are missing from "inside store".']),
	];
	const targets: Target[] = [
		{
			name: 'store under 10% of run time (instant HTTP run)',
			met: http.directShare < 0.1,
			detail: `${percent(http.directShare)} inside the store (A/B cross-checks, noisy: wall ${percent(http.pairShare)}, CPU ${percent(http.cpuShare)})`,
		},
	];
	const json = (s: typeof fake) => ({
		memoryResultsPerSecond: round(s.memoryPerSecond, 0), storeResultsPerSecond: round(s.storePerSecond, 0),
		insideStoreShare: round(s.directShare, 4), insideStoreMicrosecondsPerResult: round(s.directUsPerResult, 1),
		abShare: round(s.pairShare, 4), abShareRange: s.pairShareRange.map(value => round(value, 4)),
		abCpuShare: round(s.cpuShare, 4), abCpuShareRange: s.cpuShareRange.map(value => round(value, 4)),
	});
	return {title: '3. Store cost (issue 3)', lines, targets, json: {reps, items: itemsFor, tmpdir: os.tmpdir(), http: json(http), fake: json(fake)}};
}
