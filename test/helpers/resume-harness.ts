import {existsSync, readFileSync} from 'node:fs';
import Database from 'better-sqlite3';
import {providerSchema, type SimulateConfig} from '../../source/config/schema.js';
import type {Clock} from '../../source/engine/clock.js';
import {grade} from '../../source/engine/grade.js';
import type {TestCase} from '../../source/engine/types.js';
import {modelAccuracy, simulatedAnswer, startSimulator, type SimRequestLog, type Simulator} from '../../source/providers/simulator/index.js';
import {jsonl, makeTempDir, tail, type TempDir} from './cli.js';

/** How long one lanes process of the resume tests may take, unless a test says otherwise. */
const lanesTimeoutMs = 45_000;

// ---------------------------------------------------------------------------------------------------------
// The database, read the way a user's second terminal would: read-only, never holding a connection open.

/**
 * Reads the database with a read-only connection opened for this read; undefined while it does not exist.
 * A read-only connection to a WAL database creates -wal and -shm files and leaves them behind; so a
 * database closed cleanly (no -wal beside it, hence no writer) is read from a copy in memory instead, and
 * a test can compare the files before and after a command.
 */
export function readDb<T>(file: string, read: (db: Database.Database) => T): T | undefined {
	if (!existsSync(file)) return undefined;
	let db: Database.Database;
	if (existsSync(`${file}-wal`) || existsSync(`${file}-shm`)) {
		db = new Database(file, {readonly: true, fileMustExist: true, timeout: 5000});
	} else {
		const bytes = readFileSync(file);
		// An in-memory database cannot be in WAL mode: mark the copy as a rollback-journal file.
		bytes.fill(1, 18, 20);
		db = new Database(bytes, {readonly: true});
	}

	try {
		return read(db);
	} finally {
		db.close();
	}
}

/** Rows in `results` (all runs); 0 while the database does not exist. */
export function resultCount(file: string): number {
	return readDb(file, db => (db.prepare('SELECT count(*) AS n FROM results').get() as {n: number}).n) ?? 0;
}

export type ResultRow = {model: string; test_id: string; status: string; finished_at: number; provider: string; answer: string | null};

/** Every result row of a run. */
export function resultRows(file: string, runId: string): ResultRow[] {
	return readDb(file, db => db.prepare('SELECT model, test_id, status, finished_at, provider, answer FROM results WHERE run_id = ?').all(runId) as ResultRow[]) ?? [];
}

/** The id of the only run in the database. */
export function onlyRunId(file: string): string {
	const ids = readDb(file, db => (db.prepare('SELECT id FROM runs').all() as Array<{id: string}>).map(row => row.id)) ?? [];
	if (ids.length !== 1) throw new Error(`expected exactly one run in ${file}, found ${ids.length}`);
	return ids[0]!;
}

/** The run's row and its lock, as stored. */
export function runState(file: string, runId: string): {run: unknown; lock: unknown; lanes: unknown} {
	return readDb(file, db => ({
		run: db.prepare('SELECT status, ended_at, suite_hash, item_count FROM runs WHERE id = ?').get(runId),
		lock: db.prepare('SELECT pid, hostname, acquired_at FROM run_locks WHERE run_id = ?').get(runId),
		lanes: db.prepare('SELECT * FROM run_lanes WHERE run_id = ? ORDER BY position').all(runId),
	})) ?? {run: undefined, lock: undefined, lanes: undefined};
}

export const itemKey = (model: string, testId: string) => `${model} / ${testId}`;

// ---------------------------------------------------------------------------------------------------------
// A world: the simulator in this process, a config whose providers are real `openai` / `azure` providers
// pointing at it, a suite and the environment with the keys.

export type WorldProvider = {
	dialect: 'openai' | 'azure';
	/** Config model name -> name sent to the API (the Azure deployment). */
	models: Record<string, string>;
	/** `simulate` fields (latencyMs is before timeScale). */
	simulate?: Record<string, unknown>;
	/** Lane fields of the config (concurrency, adaptive, ...). */
	lane?: Record<string, unknown>;
};

export type World = {
	simulator: Simulator;
	folder: TempDir;
	configPath: string;
	suitePath: string;
	tests: TestCase[];
	/** Every model with its provider, in config order. */
	models: Array<{name: string; provider: string}>;
	/** Environment for the children: each provider's key in its `apiKeyEnv` variable. */
	env: Record<string, string>;
	/** Options for `startCli` / `runCli`: `env`, and a 45 s bound on the process. */
	cli: {env: Record<string, string>; timeoutMs: number};
	/** Ms since the simulator started, on its clock (the scale of `SimRequestLog` times). */
	simNow(): number;
	/** A simulator log time as wall-clock epoch ms (the scale of `results.finished_at`). */
	simToEpoch(simMs: number): number;
	/** Calls `hook` after every simulator timer callback (that is where delayed answers are sent). */
	afterSimulatorTimer(hook: (() => void) | undefined): void;
	/**
	 * Changes a simulated provider's median latency (before timeScale) for the requests that follow: the
	 * simulator draws each latency from its provider's settings when the request arrives.
	 */
	setLatencyMs(provider: string, latencyMs: number): void;
	/** Requests answered 200 so far, all providers. */
	served(): number;
	/** (model, test id) of a logged request, by its prompt. */
	itemOf(entry: SimRequestLog): string;
	/** Passes per model of an uninterrupted run: the simulator's fixed answers, graded as the engine grades. */
	predictedPasses(): Map<string, number>;
	close(): Promise<void>;
};

/** `n` addition tests "What is A + B?" with distinct prompts, expecting the sum, matched exactly. */
export function additionTests(n: number): TestCase[] {
	return Array.from({length: n}, (_, index) => {
		const a = 11 + index;
		const b = (7 * index) + 5;
		return {id: `t${String(index + 1).padStart(2, '0')}`, prompt: `What is ${a} + ${b}?`, expected: String(a + b), match: 'exact' as const};
	});
}

/** A suite file's text. */
export function suiteText(tests: readonly TestCase[]): string {
	return jsonl(tests.map(test => ({id: test.id, prompt: test.prompt, expected: test.expected, match: test.match})));
}

export async function startWorld(options: {
	providers: Record<string, WorldProvider>;
	tests?: TestCase[];
	timeScale?: number;
	/** The key every simulated provider accepts (and the children send); default: one per provider. */
	apiKey?: string;
	/** Extra top-level config fields (retry, request). */
	config?: Record<string, unknown>;
	/** More providers for the config as they are (e.g. one pointing at another server). */
	extraProviders?: Record<string, object>;
}): Promise<World> {
	const folder = makeTempDir('lanes-resume-');
	const tests = options.tests ?? additionTests(40);
	const specs = Object.entries(options.providers).map(([name, provider]) => {
		const parsed = providerSchema.parse({
			type: 'simulated',
			models: Object.keys(provider.models),
			simulate: {dialect: provider.dialect, maxConcurrent: 64, rps: 10_000, ...(options.apiKey ? {apiKey: options.apiKey} : {apiKey: `sim-key-${name}-${process.pid}`}), ...provider.simulate},
		});
		return {name, models: new Map(Object.entries(provider.models)), simulate: (parsed as {simulate: SimulateConfig}).simulate};
	});

	let hook: (() => void) | undefined;
	// The system clock, with a tap after each timer: the simulator sends delayed answers from its timers.
	const clock: Clock = {
		now: () => performance.now(),
		setTimeout: (callback, ms) => setTimeout(() => {
			callback();
			hook?.();
		}, Math.max(0, ms)),
		clearTimeout(timer) {
			clearTimeout(timer as NodeJS.Timeout);
		},
	};
	// startSimulator reads the clock first thing: its zero is this moment (to within microseconds).
	const simulatorZero = performance.now();
	const simulator = await startSimulator(specs, {timeScale: options.timeScale ?? 0.01, seed: 7, clock});

	const env: Record<string, string> = {};
	const providers: Record<string, object> = {};
	for (const spec of specs) {
		const target = simulator.targets.get(spec.name)!;
		const variable = `LANES_TEST_KEY_${spec.name.toUpperCase()}`;
		env[variable] = target.apiKey;
		const lane = options.providers[spec.name]!.lane ?? {};
		const models = Object.fromEntries([...spec.models].map(([model, deployment]) => [model, {deployment}]));
		providers[spec.name] = target.dialect === 'azure'
			? {type: 'azure', endpoint: target.endpoint, apiVersion: target.apiVersion, apiKeyEnv: variable, models, ...lane}
			: {type: 'openai', baseURL: target.baseURL, apiKeyEnv: variable, models, ...lane};
	}

	const config = {
		providers: {...providers, ...options.extraProviders},
		request: {timeoutMs: 10_000},
		retry: {maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 100},
		...options.config,
	};
	const configPath = folder.write('lanes.json', config);
	const suitePath = folder.write('suite.jsonl', suiteText(tests));
	const testByPrompt = new Map(tests.map(test => [test.prompt, test.id]));

	return {
		simulator,
		folder,
		configPath,
		suitePath,
		tests,
		models: specs.flatMap(spec => [...spec.models.keys()].map(name => ({name, provider: spec.name}))),
		env,
		cli: {env, timeoutMs: lanesTimeoutMs},
		simNow: () => performance.now() - simulatorZero,
		// Through the clocks' offset as it is now: the times compared are from the last minute or so.
		simToEpoch: simMs => simulatorZero + simMs + (Date.now() - performance.now()),
		afterSimulatorTimer(next) {
			hook = next;
		},
		setLatencyMs(provider, latencyMs) {
			const spec = specs.find(candidate => candidate.name === provider);
			if (!spec) throw new Error(`no provider ${provider}`);
			spec.simulate.latencyMs = latencyMs;
		},
		served: () => specs.reduce((sum, spec) => sum + simulator.stats(spec.name).served, 0),
		itemOf(entry) {
			const testId = testByPrompt.get(entry.prompt);
			if (testId === undefined) throw new Error(`the simulator logged a prompt that is in no test: ${JSON.stringify(entry.prompt)}`);
			return itemKey(entry.model, testId);
		},
		predictedPasses() {
			const passes = new Map<string, number>();
			for (const spec of specs) {
				for (const model of spec.models.keys()) {
					const accuracy = modelAccuracy(model, spec.simulate);
					passes.set(model, tests.filter(test => grade(test, simulatedAnswer(model, test.prompt, accuracy)) === 'passed').length);
				}
			}

			return passes;
		},
		async close() {
			hook = undefined;
			await simulator.close();
			folder.remove();
		},
	};
}

/** Every (model, test id) of a world's run. */
export function allItems(world: World): string[] {
	return world.models.flatMap(model => world.tests.map(test => itemKey(model.name, test.id)));
}

/** Passed results per model from result rows. */
export function passesByModel(rows: readonly ResultRow[]): Map<string, number> {
	const passes = new Map<string, number>();
	for (const row of rows) passes.set(row.model, (passes.get(row.model) ?? 0) + (row.status === 'passed' ? 1 : 0));
	return passes;
}

/**
 * The printed `resume:` command as argv for `startCli`: `npm run lanes -- ARGS` (how lanes prints it when
 * run through tsx) or `lanes ARGS`, with the single-quoting lanes uses undone.
 */
export function resumeArgs(stderrOrScreen: string): string[] {
	const line = stderrOrScreen.split('\n').map(text => text.trim()).find(text => text.startsWith('resume:'));
	if (!line) throw new Error(`no "resume:" line in:\n${tail(stderrOrScreen, 2500)}`);
	const words = shellWords(line.slice('resume:'.length).trim());
	if (words[0] === 'npm' && words[1] === 'run' && words[2] === 'lanes' && words[3] === '--') return words.slice(4);
	if (words[0] === 'lanes') return words.slice(1);
	throw new Error(`unexpected resume command: ${line}`);
}

function shellWords(text: string): string[] {
	const words: string[] = [];
	let word: string | undefined;
	for (let index = 0; index < text.length; index++) {
		const char = text[index]!;
		if (char === '\'') {
			const end = text.indexOf('\'', index + 1);
			if (end < 0) throw new Error(`unbalanced quote in ${text}`);
			word = (word ?? '') + text.slice(index + 1, end);
			index = end;
		} else if (char === '\\' && index + 1 < text.length) {
			word = (word ?? '') + text[++index];
		} else if (/\s/.test(char)) {
			if (word !== undefined) words.push(word);
			word = undefined;
		} else {
			word = (word ?? '') + char;
		}
	}

	if (word !== undefined) words.push(word);
	return words;
}
