import {count, fixed, percent, round, table, times, type SectionResult} from './format.js';
import {instantConcurrency, instantProvider, runInstant, startInstantSimulator, type InstantKind} from './instant.js';
import {median, settle} from './scenario.js';

const reps = 3;
const itemsFor: Record<InstantKind, number> = {fake: 40_000, http: 3000};

type Sample = {itemsPerCpuSecond: number; itemsPerWallSecond: number; cpuShare: number};

/** Section 2: what the engine costs per item, alone (fake client) and with the SDK and the HTTP simulator. */
export async function benchOverhead(): Promise<SectionResult> {
	const simulator = await startInstantSimulator();
	const samples: Record<InstantKind, Sample[]> = {fake: [], http: []};
	try {
		// Warm-up: JIT, connection pool, SQLite-free paths; not counted.
		await runInstant({kind: 'fake', items: 4000});
		await runInstant({kind: 'http', items: 400, simulator});
		for (let rep = 0; rep < reps; rep++) {
			for (const kind of ['fake', 'http'] as const) {
				await settle();
				const run = await runInstant({kind, items: itemsFor[kind], simulator});
				if (run.status !== 'completed') throw new Error(`${kind} run ended ${run.status}`);
				samples[kind].push({
					itemsPerCpuSecond: run.results / (run.cpuMs / 1000),
					itemsPerWallSecond: run.results / (run.wallMs / 1000),
					cpuShare: run.cpuMs / run.wallMs,
				});
			}
		}
	} finally {
		await simulator.close();
	}

	const summary = (kind: InstantKind) => ({
		itemsPerCpuSecond: median(samples[kind].map(s => s.itemsPerCpuSecond)),
		itemsPerWallSecond: median(samples[kind].map(s => s.itemsPerWallSecond)),
		cpuShare: median(samples[kind].map(s => s.cpuShare)),
		all: samples[kind].map(s => round(s.itemsPerCpuSecond, 0)),
	});
	const fake = summary('fake');
	const http = summary('http');
	// CPU per item of the engine alone over CPU per item of the whole HTTP path: the engine's share of it.
	const engineShare = http.itemsPerCpuSecond / fake.itemsPerCpuSecond;
	const lines = [
		`One lane of ${instantProvider.models.length} models, fixed ${instantConcurrency} in flight, in-memory sink; median of ${reps} runs after a warm-up.`,
		'"per core" = items / CPU seconds of this process (process.cpuUsage: user + system, all threads).',
		'',
		...table(
			['client', 'items/run', 'items/s per core', 'items/s wall', 'CPU/wall', 'runs (items/s per core)'],
			([['fake in-process client', 'fake'], ['SDK + HTTP simulator (in process)', 'http']] as const).map(([label, kind]) => {
				const s = kind === 'fake' ? fake : http;
				return [label, count(itemsFor[kind]), count(s.itemsPerCpuSecond), count(s.itemsPerWallSecond), percent(s.cpuShare, 0), s.all.map(value => count(value)).join(' / ')];
			}),
		),
		'',
		`Engine alone: ${fixed(1e6 / fake.itemsPerCpuSecond, 1)} µs CPU per item; with the SDK and the simulator (both in this process): ${fixed(1e6 / http.itemsPerCpuSecond, 0)} µs per item.`,
		`The engine is ${percent(engineShare)} of the HTTP path's CPU (the fake path is ${times(fake.itemsPerCpuSecond / http.itemsPerCpuSecond)} cheaper per item).`,
		`Scale: the seed scenario's best case is about 21 requests/s in all; the engine alone would use ${percent(21 / fake.itemsPerCpuSecond, 3)} of a core for it.`,
	];
	return {
		title: '2. Engine overhead (issue 2)',
		lines,
		targets: [],
		json: {
			reps,
			concurrency: instantConcurrency,
			items: itemsFor,
			fake: {itemsPerCpuSecond: round(fake.itemsPerCpuSecond, 0), itemsPerWallSecond: round(fake.itemsPerWallSecond, 0), cpuShare: round(fake.cpuShare), runs: fake.all},
			http: {itemsPerCpuSecond: round(http.itemsPerCpuSecond, 0), itemsPerWallSecond: round(http.itemsPerWallSecond, 0), cpuShare: round(http.cpuShare), runs: http.all},
			engineShareOfHttpCpu: round(engineShare, 4),
		},
	};
}
