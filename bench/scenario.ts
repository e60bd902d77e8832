import {configSchema, providerSchema, type SimulateConfig} from '../source/config/schema.js';
import {Engine} from '../source/engine/engine.js';
import type {EngineEvent, ItemResult, LaneSpec, ResultSink, RunStatus, TestCase} from '../source/engine/types.js';
import {createChatClient} from '../source/providers/chat-client.js';
import {startSimulator, type SimulatedProviderSpec, type Simulator} from '../source/providers/simulator/index.js';
import type {ChatClient} from '../source/providers/types.js';

/** A simulated provider as the bench describes it: its models and the limits the engine is not told. */
export type SimProvider = {
	name: string;
	dialect: 'openai' | 'azure';
	models: string[];
	simulate: Partial<Omit<SimulateConfig, 'dialect'>>;
};

/** The simulator's settings for one provider, with the schema's defaults filled in as a parsed config has them. */
export function simulateConfig(provider: SimProvider): SimulateConfig {
	const parsed = providerSchema.parse({type: 'simulated', models: provider.models, simulate: {...provider.simulate, dialect: provider.dialect}});
	if (parsed.type !== 'simulated') throw new Error('unreachable');
	return parsed.simulate;
}

/** Starts the real HTTP simulator for these providers. */
export async function startSim(providers: SimProvider[], timeScale: number, seed = 1): Promise<Simulator> {
	const specs: SimulatedProviderSpec[] = providers.map(provider => ({
		name: provider.name,
		models: new Map(provider.models.map(model => [model, model])),
		simulate: simulateConfig(provider),
	}));
	return startSimulator(specs, {timeScale, seed});
}

/** A real HTTP client (the official SDK) for one simulated provider. */
export function simClient(simulator: Simulator, name: string): ChatClient {
	const target = simulator.targets.get(name);
	if (!target) throw new Error(`the simulator has no provider "${name}"`);
	return createChatClient(target);
}

/** `n` tests whose expected answer is "OK" (the simulator's answers mostly fail them; grading is not measured). */
export function makeTests(n: number): TestCase[] {
	return Array.from({length: n}, (_, i) => ({id: `t${String(i + 1).padStart(4, '0')}`, prompt: `What is ${i} + ${i}?`, expected: String(2 * i), match: 'exact' as const}));
}

export type LanePlan = {concurrency: number; adaptive: boolean; maxConcurrency?: number; qps?: number};

/** A lane spec for a provider with the given plan. */
export function laneSpec(provider: Pick<SimProvider, 'name' | 'models'>, client: ChatClient, plan: LanePlan): LaneSpec {
	return {
		name: provider.name,
		client,
		models: provider.models.map(model => ({name: model, apiModel: model})),
		concurrency: plan.concurrency,
		minConcurrency: 1,
		maxConcurrency: plan.maxConcurrency ?? Math.max(64, plan.concurrency),
		adaptive: plan.adaptive,
		qps: plan.qps,
	};
}

/** The config's defaults: what a run without a "request" or "retry" section uses. */
const {request: requestDefaults, retry: retryDefaults} = configSchema.parse({providers: {any: {type: 'simulated', models: ['m']}}});

export type TimedRun = {
	status: RunStatus;
	wallMs: number;
	/** User + system CPU of this process during the run. */
	cpuMs: number;
	results: number;
	/** Ms after the start at which each lane reported `done`. */
	laneDoneMs: Map<string, number>;
};

/** An in-memory sink that keeps every result, as a test would. */
export function memorySink(): ResultSink & {results: ItemResult[]} {
	const results: ItemResult[] = [];
	return {results, recordResult: result => void results.push(result)};
}

/**
 * Runs a real Engine to the end and times it: wall time with performance.now, CPU with process.cpuUsage.
 * `onEvent` sees every event with its time since the start.
 */
export async function runTimed(options: {
	lanes: LaneSpec[];
	tests: TestCase[];
	sink?: ResultSink;
	onEvent?: (event: EngineEvent, sinceStartMs: number) => void;
	/** Work done once the engine has finished that still counts (flushing a store). */
	after?: () => void;
}): Promise<TimedRun> {
	let results = 0;
	const inner = options.sink ?? memorySink();
	const sink: ResultSink = {
		recordResult(result) {
			inner.recordResult(result);
			results++;
		},
	};
	const engine = new Engine({lanes: options.lanes, tests: options.tests, request: requestDefaults, retry: retryDefaults, sink});
	const laneDoneMs = new Map<string, number>();
	const cpu = process.cpuUsage();
	const start = performance.now();
	engine.subscribe(event => {
		const since = performance.now() - start;
		if (event.type === 'state' && event.state === 'done') laneDoneMs.set(event.lane, since);
		options.onEvent?.(event, since);
	});
	const status = await engine.run();
	options.after?.();
	const wallMs = performance.now() - start;
	const used = process.cpuUsage(cpu);
	return {status, wallMs, cpuMs: (used.user + used.system) / 1000, results, laneDoneMs};
}

/** Median of a non-empty list. */
export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Lets timers and sockets of the previous measurement settle so they do not count against the next. */
export async function settle(ms = 200): Promise<void> {
	await new Promise(resolve => setTimeout(resolve, ms));
	(globalThis as {gc?: () => void}).gc?.();
}
