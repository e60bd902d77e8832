import {configSchema} from '../../source/config/schema.js';
import {simulatedSpecs} from '../../source/providers/simulated-config.js';
import {DEFAULT_SIMULATOR_KEY, startSimulator, type Simulator} from '../../source/providers/simulator/index.js';
import {afterAll, afterEach, beforeAll} from 'vitest';
import {jsonl, makeTempDir, startCli, type CliProcess, type TempDir} from '../helpers/cli.js';
import {startRedisServer, type RedisServer} from '../helpers/redis-server.js';

/** One simulated provider, "gw", that every runner reaches over HTTP as an OpenAI-compatible gateway. */
export async function startSharedSimulator(simulate: object, timeScale = 1): Promise<{simulator: Simulator; startedAt: number}> {
	const config = configSchema.parse({providers: {gw: {type: 'simulated', models: ['m-a', 'm-b', 'm-c', 'm-d'], simulate}}});
	const startedAt = performance.now();
	const simulator = await startSimulator(simulatedSpecs(config), {timeScale, seed: 7});
	return {simulator, startedAt};
}

export type Runner = {process: CliProcess; model: string; dir: TempDir; db: string};

/**
 * A `lanes run --plain --json` child with a suite of its own (model `model`, `tests` items) on the shared
 * gateway, fixed at `concurrency` (the provider's true cap), sharing its budget through `redis` when given.
 */
export function startRunner(simulator: Simulator, options: {model: string; tests: number; concurrency: number; redis?: string; timeoutMs?: number; extra?: object}): Runner {
	const dir = makeTempDir('lanes-shared-');
	const config = {
		providers: {
			gw: {type: 'openai', baseURL: `${simulator.url}/gw/v1`, apiKeyEnv: 'SIM_KEY', models: [options.model], concurrency: options.concurrency, adaptive: false, ...options.extra},
		},
		request: {timeoutMs: options.timeoutMs ?? 3000},
		retry: {maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 10_000},
	};
	const suite = Array.from({length: options.tests}, (_, index) => ({id: `t${index}`, prompt: `What is ${index} + 1?`, expected: String(index + 1)}));
	const configPath = dir.write('config.json', JSON.stringify(config));
	const suitePath = dir.write('suite.jsonl', jsonl(suite));
	const args = ['run', '--plain', '--json', '--config', configPath, '--suite', suitePath, '--db', dir.file('runs.db'), ...(options.redis ? ['--redis', options.redis] : [])];
	return {process: startCli(args, {env: {SIM_KEY: DEFAULT_SIMULATOR_KEY}, timeoutMs: 60_000}), model: options.model, dir, db: dir.file('runs.db')};
}

/** What the simulator saw of `model`'s runner. */
export function requestsOf(simulator: Simulator, model: string) {
	return simulator.log().filter(entry => entry.model === model);
}

/**
 * The hooks every shared-budget CLI test file needs: one redis-server for the file, and after each test its
 * runners killed (if still running) and cleaned up, then `closeSimulator`.
 */
export function sharedWorld(closeSimulator: () => Promise<void>): {redis: () => RedisServer; runners: Runner[]} {
	let redis: RedisServer | undefined;
	const runners: Runner[] = [];
	beforeAll(async () => {
		redis = await startRedisServer();
	});

	afterAll(async () => {
		await redis?.stop();
	});

	afterEach(async () => {
		for (const runner of runners.splice(0)) {
			if (!runner.process.exitedYet()) runner.process.child.kill('SIGKILL');
			await runner.process.exited.catch(() => undefined);
			runner.dir.remove();
		}

		await closeSimulator();
	});

	return {
		redis() {
			if (!redis) throw new Error('redis-server is not started yet (use it inside a test)');
			return redis;
		},
		runners,
	};
}
