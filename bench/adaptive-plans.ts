import {LimitTracer, type LaneTrace} from './limit-trace.js';
import {laneSpec, makeTests, runTimed, simClient, startSim, type LanePlan, type SimProvider} from './scenario.js';

/**
 * 1 simulated second = 100 ms real. Smaller scales run faster but make the client's fixed cost per request
 * (a few ms real, far more when the machine is busy) a large part of a simulated second.
 */
export const timeScale = 0.1;
export const latency = {latencyMs: 1000, latencySigma: 0.35};
/** Tests per model in the full runs: idealab (21 models at 5 rps) dominates the makespan. */
export const testCount = 30;

const idealabModels = [
	'qwen2.5-7b-instruct', 'qwen2.5-14b-instruct', 'qwen2.5-32b-instruct', 'qwen2.5-72b-instruct', 'qwen-max', 'qwen-plus', 'qwen-turbo',
	'DeepSeek-V3', 'DeepSeek-R1', 'deepseek-coder-v2', 'claude-3-5-sonnet', 'claude-3-5-haiku', 'claude-3-opus', 'gemini-1.5-pro',
	'gemini-1.5-flash', 'gemini-2.0-flash', 'glm-4', 'moonshot-v1-8k', 'yi-large', 'baichuan4', 'ernie-4.0',
];

/** The seed's three providers with limits the engine configs below do not know. */
export const providers: SimProvider[] = [
	{name: 'azure', dialect: 'azure', models: ['gpt-4o-mini'], simulate: {maxConcurrent: 12, rps: 10, ...latency}},
	{name: 'user_azure', dialect: 'azure', models: ['gpt-5-nano'], simulate: {maxConcurrent: 8, rps: 6, ...latency}},
	{name: 'idealab', dialect: 'openai', models: idealabModels, simulate: {maxConcurrent: 6, rps: 5, ...latency}},
];

/** The seed's fixed plan: 5 / 5 / 2 in flight, no qps. */
const seedConcurrency: Record<string, number> = {azure: 5, user_azure: 5, idealab: 2};

export type Plan = {
	key: 'serial' | 'fixed' | 'adaptive' | 'reference';
	label: string;
	lane: (provider: SimProvider) => LanePlan;
	/** One lane at a time instead of all at once. */
	oneAtATime: boolean;
	/**
	 * Tests per model actually run. Plans with a fixed number in flight take time in proportion to their items,
	 * so they run on fewer tests and are scaled up by testCount / tests; adaptive plans always run in full.
	 */
	tests: number;
};

export const plans: Plan[] = [
	{key: 'serial', label: '(a) serial, 1 in flight, one lane at a time', lane: () => ({concurrency: 1, adaptive: false}), oneAtATime: true, tests: 2},
	{key: 'fixed', label: '(b) seed plan: parallel, fixed 5/5/2', lane: p => ({concurrency: seedConcurrency[p.name]!, adaptive: false}), oneAtATime: false, tests: 10},
	{key: 'adaptive', label: '(c) lanes: adaptive from 5/5/2, max 64', lane: p => ({concurrency: seedConcurrency[p.name]!, adaptive: true, maxConcurrency: 64}), oneAtATime: false, tests: testCount},
	// Told the true limits: the best this engine does on this machine now, so (c) can be judged apart from the load.
	{
		key: 'reference', label: '(d) reference: fixed at the true limits', oneAtATime: false, tests: testCount,
		lane: p => ({concurrency: p.simulate.maxConcurrent!, qps: p.simulate.rps! / timeScale, adaptive: false}),
	},
];

/** Mean of a lognormal with this median and sigma. */
export const meanLatencyMs = (provider: SimProvider) => provider.simulate.latencyMs! * Math.exp((provider.simulate.latencySigma! ** 2) / 2);

/** Requests per simulated second the provider can serve at best: min(in-flight cap / mean latency, rps). */
export function capacity(provider: SimProvider): number {
	return Math.min(provider.simulate.maxConcurrent! / (meanLatencyMs(provider) / 1000), provider.simulate.rps!);
}

export const items = (provider: SimProvider, tests: number) => provider.models.length * tests;
/** Fewest simulated seconds this provider's work can take. */
export const laneBoundSeconds = (provider: SimProvider, tests: number) => items(provider, tests) / capacity(provider);
export const simSeconds = (realMs: number) => realMs / 1000 / timeScale;

export type LaneOutcome = {
	lane: string;
	/** Real ms from the plan's start to the lane's last result. */
	doneMs: number;
	requests: number;
	rateLimited: number;
	/** 429s the simulator gave because its in-flight cap was full (the rest: its rps bucket was empty). */
	concurrencyLimited: number;
	maxInFlight: number;
	trace: LaneTrace;
};

export type PlanOutcome = {plan: Plan; wallMs: number; lanes: LaneOutcome[]; status: string};

/** Runs one plan through the real Engine, real SDK clients and a fresh simulator. */
export async function runPlan(plan: Plan): Promise<PlanOutcome> {
	const simulator = await startSim(providers, timeScale);
	const tests = makeTests(plan.tests);
	const tracer = new LimitTracer(new Map(providers.map(p => [p.name, plan.lane(p).concurrency])));
	const specs = providers.map(p => laneSpec(p, simClient(simulator, p.name), plan.lane(p)));
	const doneMs = new Map<string, number>();
	const statuses = new Set<string>();
	let wallMs = 0;
	try {
		for (const lanes of plan.oneAtATime ? specs.map(spec => [spec]) : [specs]) {
			const offset = wallMs;
			const run = await runTimed({lanes, tests, onEvent: (event, at) => tracer.onEvent(event, offset + at)});
			for (const [lane, at] of run.laneDoneMs) doneMs.set(lane, offset + at);
			statuses.add(run.status);
			wallMs += run.wallMs;
		}

		const log = simulator.log();
		const lanes = providers.map(p => {
			const stats = simulator.stats(p.name);
			const end = doneMs.get(p.name) ?? wallMs;
			const concurrencyLimited = log.filter(entry => entry.provider === p.name && entry.status === 429 && entry.inFlightAtStart >= p.simulate.maxConcurrent!).length;
			return {
				lane: p.name, doneMs: end, requests: stats.requests, rateLimited: stats.rateLimited, concurrencyLimited,
				maxInFlight: stats.maxInFlight, trace: tracer.summary(p.name, end),
			};
		});
		return {plan, wallMs, lanes, status: [...statuses].join('/')};
	} finally {
		await simulator.close();
	}
}
