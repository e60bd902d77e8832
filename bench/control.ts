import {createServer} from 'node:net';
import {systemClock, type Clock} from '../source/engine/clock.js';
import {Engine} from '../source/engine/engine.js';
import type {ItemResult, LaneSpec} from '../source/engine/types.js';
import {createChatClient} from '../source/providers/chat-client.js';
import {effectiveRps} from '../source/providers/simulator/effective-rps.js';
import {estimateTokens} from '../source/providers/token-estimate.js';
import type {ChatClient} from '../source/providers/types.js';
import {conditions, type Condition} from './conditions.js';
import {count, fixed, percent, round, table, times, type SectionResult, type Target} from './format.js';
import {runPool} from './pool.js';
import {laneSpec, makeTests, settle, simClient, simulateConfig, startSim, type SimProvider} from './scenario.js';
import {virtualWorld} from './virtual-time.js';
import {seededRandom} from '../source/providers/simulator/random.js';

/** 20x fast-forward (1 simulated second = 50 ms real): at 100x the HTTP path alone would need more than two cores. */
const timeScale = Number(process.env.LANES_BENCH_TIMESCALE ?? 0.05);
/** Virtual time runs at the held-out set's 100x, with loopback's round trip: timers there are exact. */
const virtualTimeScale = Number(process.env.LANES_BENCH_VIRTUAL_TIMESCALE ?? 0.01);
const virtualTransitMs = Number(process.env.LANES_BENCH_TRANSIT_MS ?? 0.1);
const naivePool = 64;
const virtualSeeds = Number(process.env.LANES_BENCH_SEEDS ?? 5);
type Mode = 'http' | 'virtual';
const retry = {maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000};

type PlanKey = 'lanes' | 'fixed' | 'naive';
type Outcome = {
	plan: PlanKey;
	seed: number;
	makespanSeconds: number;
	requests: number;
	refused: number;
	status: string;
	/** Items with a result, items answered twice (lanes only). */
	results?: number;
	duplicates?: number;
	/** Real seconds until the dead lane stopped (lanes only). */
	deadStopSeconds?: number;
	deadReason?: string;
};

const meanLatencyMs = (simulate: SimProvider['simulate']) => simulate.latencyMs! * Math.exp((simulate.latencySigma ?? 0.35) ** 2 / 2);

/**
 * Fewest simulated seconds the healthy providers need: each one's items against its capacity over time,
 * min(in-flight cap / mean latency, rps, tpm / tokens per request), zero while it is down.
 */
export function lowerBound(condition: Condition): number {
	const tests = makeTests(condition.tests);
	const tokens = tests.reduce((sum, test) => sum + estimateTokens({...test, maxTokens: condition.maxTokens ?? 256}), 0) / tests.length;
	const bounds = condition.providers.filter(p => p.name !== condition.deadProvider).map(provider => {
		const simulate = simulateConfig(provider);
		let remaining = provider.models.length * condition.tests;
		const step = 0.05;
		let t = 0;
		let limits = {maxConcurrent: simulate.maxConcurrent, rps: simulate.rps, tpm: simulate.tpm};
		const changes = [...simulate.changes].sort((a, b) => a.atSeconds - b.atSeconds);
		while (remaining > 0 && t < 1e6) {
			while (changes.length > 0 && changes[0]!.atSeconds <= t) {
				const {atSeconds, ...next} = changes.shift()!;
				limits = {...limits, ...Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined))};
			}

			const down = simulate.outages.some(outage => t >= outage.atSeconds && t < outage.atSeconds + outage.forSeconds);
			const rps = effectiveRps({...limits, dialect: simulate.dialect});
			const capacity = down ? 0 : Math.min(limits.maxConcurrent / (meanLatencyMs(simulate) / 1000), rps, limits.tpm === undefined ? Number.POSITIVE_INFINITY : limits.tpm / 60 / tokens);
			remaining -= capacity * step;
			t += step;
		}

		return t;
	});
	return Math.max(...bounds);
}

async function deadUrl(): Promise<string> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	await new Promise(resolve => server.close(resolve));
	return `http://127.0.0.1:${port}/v1`;
}

/** Where a condition runs: the HTTP simulator in real time, or its budgets on a virtual clock. */
type World = {
	clients: Map<string, ChatClient>;
	stats(name: string): {requests: number; rateLimited: number; errors: number};
	clock: Clock;
	random: () => number;
	/** Runs the plan to its end: in real time it is awaited, in virtual time time is moved until it ends. */
	until<T>(done: Promise<T>): Promise<T>;
	close(): Promise<void>;
};

async function httpWorld(condition: Condition): Promise<World> {
	const simulator = await startSim(condition.providers, timeScale);
	const dead = await deadUrl();
	const clients = new Map(condition.providers.map(p => [p.name, p.name === condition.deadProvider
		? createChatClient({dialect: 'openai', baseURL: dead, apiKey: 'no-key-needed'})
		: simClient(simulator, p.name)]));
	return {clients, stats: name => simulator.stats(name), clock: systemClock, random: Math.random, until: async done => done, close: async () => simulator.close()};
}

function virtualWorldFor(condition: Condition, scale: number, seed: number): World {
	const world = virtualWorld(condition.providers, {timeScale: scale, transitMs: virtualTransitMs, seed, deadProvider: condition.deadProvider});
	return {
		clients: new Map(condition.providers.map(p => [p.name, world.client(p.name)])),
		stats: name => world.stats(name),
		clock: world.clock,
		random: seededRandom(seed * 7919),
		until: async done => world.clock.runUntil(done),
		close: async () => undefined,
	};
}

async function runCondition(condition: Condition, plan: PlanKey, mode: Mode, seed: number): Promise<Outcome> {
	const scale = mode === 'virtual' ? virtualTimeScale : timeScale;
	const world = mode === 'virtual' ? virtualWorldFor(condition, scale, seed) : await httpWorld(condition);
	const {clients, clock} = world;
	const tests = makeTests(condition.tests);
	const maxTokens = condition.maxTokens ?? 256;
	const healthy = condition.providers.filter(p => p.name !== condition.deadProvider);
	try {
		let makespanMs: number;
		let status = 'completed';
		const extra: Partial<Outcome> = {};
		if (plan === 'lanes') {
			const specs: LaneSpec[] = condition.providers.map(p => ({
				...laneSpec(p, clients.get(p.name)!, {concurrency: condition.plan[p.name] ?? 5, adaptive: true, maxConcurrency: 64}),
				// The simulator's quota is per simulated minute; the lane runs on real time.
				...(condition.toldTpm?.includes(p.name) ? {tpm: p.simulate.tpm! / scale, qps: effectiveRps({dialect: p.dialect, tpm: p.simulate.tpm}) / scale} : {}),
			}));
			const results: ItemResult[] = [];
			const engine = new Engine({lanes: specs, tests, clock, random: world.random, request: {timeoutMs: 60_000, maxTokens, temperature: 0}, retry, sink: {recordResult: result => results.push(result)}});
			const start = clock.now();
			const healthyDone = new Map<string, number>();
			engine.subscribe(event => {
				if (event.type === 'state' && event.state === 'done') healthyDone.set(event.lane, clock.now() - start);
				if (event.type === 'lane_stopped' && event.lane === condition.deadProvider) {
					extra.deadStopSeconds = (clock.now() - start) / 1000;
					extra.deadReason = event.reason;
				}
			});
			status = await world.until(engine.run());
			makespanMs = Math.max(...healthy.map(p => healthyDone.get(p.name) ?? clock.now() - start));
			const keys = new Set(results.map(result => `${result.model}\u0000${result.testId}`));
			extra.results = keys.size;
			extra.duplicates = results.length - keys.size;
		} else {
			const run = await world.until(runPool({
				lanes: condition.providers.map(p => ({name: p.name, client: clients.get(p.name)!, models: p.models, concurrency: plan === 'naive' ? naivePool : condition.plan[p.name] ?? 5})),
				tests, maxTokens, firstBackoffMs: 2 * (healthy[0]!.simulate.latencyMs ?? 1000) * scale, clock,
			}));
			makespanMs = Math.max(...healthy.map(p => run.lanes.get(p.name)!.doneMs));
			// A pool that gave items up finished early by not doing them: its makespan is not comparable.
			const gaveUp = healthy.reduce((sum, p) => sum + run.lanes.get(p.name)!.gaveUp, 0);
			if (gaveUp > 0) status = `${gaveUp} given up`;
		}

		const stats = healthy.map(p => world.stats(p.name));
		const requests = stats.reduce((sum, s) => sum + s.requests, 0);
		const refused = stats.reduce((sum, s) => sum + s.rateLimited + s.errors, 0);
		return {plan, seed, makespanSeconds: makespanMs / 1000 / scale, requests, refused, status, ...extra};
	} finally {
		await world.close();
	}
}

/** Section: every condition under lanes (adaptive from the seed's plan), the fixed plan and a naive pool. */
export async function benchControl(): Promise<SectionResult> {
	return controlSection('http');
}

/** Section: the same conditions on a virtual clock (the simulator's budgets without sockets), 100x and load-immune. */
export async function benchControlVirtual(): Promise<SectionResult> {
	return controlSection('virtual');
}

async function controlSection(mode: Mode): Promise<SectionResult> {
	const wanted = process.env.LANES_BENCH_CONDITIONS?.split(',');
	const rows: string[][] = [];
	const targets: Target[] = [];
	const json: Record<string, unknown> = {};
	for (const condition of conditions) {
		if (wanted && !wanted.includes(condition.key)) continue;
		const bound = lowerBound(condition);
		const outcomes: Outcome[] = [];
		for (const plan of ['lanes', 'fixed', 'naive'] as const) {
			// The dead-host condition is about lanes stopping; the baselines only retry into nothing.
			if (condition.deadProvider && plan !== 'lanes') continue;
			// Virtual runs are cheap: lanes go once per seed (the simulator's draws and the lane's jitter), and the worst counts.
			for (let seed = 1; seed <= (mode === 'virtual' && plan === 'lanes' ? virtualSeeds : 1); seed++) {
				outcomes.push(await runCondition(condition, plan, mode, seed));
				if (mode === 'http') await settle();
			}
		}

		for (const outcome of outcomes) {
			rows.push([
				outcome === outcomes[0] ? condition.key : '', outcome.plan === 'lanes' && mode === 'virtual' ? `lanes s${outcome.seed}` : outcome.plan, `${fixed(outcome.makespanSeconds)} s`, times(outcome.makespanSeconds / bound),
				count(outcome.requests), percent(outcome.requests === 0 ? 0 : outcome.refused / outcome.requests), outcome.status,
			]);
		}

		const laneRuns = outcomes.filter(outcome => outcome.plan === 'lanes');
		const shareOf = (outcome: Outcome) => outcome.requests === 0 ? 0 : outcome.refused / outcome.requests;
		const slowest = laneRuns.reduce((a, b) => b.makespanSeconds > a.makespanSeconds ? b : a);
		const wasteful = laneRuns.reduce((a, b) => shareOf(b) > shareOf(a) ? b : a);
		const lanes = {...slowest, results: Math.min(...laneRuns.map(run => run.results ?? 0)), duplicates: Math.max(...laneRuns.map(run => run.duplicates ?? 0))};
		const ratio = slowest.makespanSeconds / bound;
		const share = shareOf(wasteful);
		const worst = laneRuns.length > 1 ? `worst of ${laneRuns.length} seeds: ` : '';
		const items = condition.providers.filter(p => p.name !== condition.deadProvider).reduce((sum, p) => sum + p.models.length * condition.tests, 0);
		const timeTarget = condition.key === 'reasoning' ? 1.25 : 1.2;
		const refusedTarget = condition.key === 'faults' ? 0.15 : condition.key === 'outage' ? 0.05 : 0.03;
		if (condition.deadProvider) {
			targets.push({
				name: `${condition.key}: the unreachable lane stops (exit 4) within a minute, the others finish`,
				met: lanes.status === 'incomplete' && (lanes.deadStopSeconds ?? Number.POSITIVE_INFINITY) <= 60 && lanes.results === items,
				detail: `status ${lanes.status}, stopped after ${fixed(lanes.deadStopSeconds ?? Number.NaN, 2)} s real: "${lanes.deadReason ?? 'never'}"; ${lanes.results}/${items} healthy items final`,
			});
		} else {
			targets.push({name: `${condition.key}: within ${timeTarget}x of the lower bound`, met: ratio <= timeTarget, detail: `${worst}${times(ratio)} (${fixed(lanes.makespanSeconds)} s vs ${fixed(bound)} s)`});
			targets.push({name: `${condition.key}: at most ${percent(refusedTarget, 0)} of requests refused`, met: share <= refusedTarget, detail: `${worst}${percent(share)} (${count(wasteful.refused)} of ${count(wasteful.requests)})`});
		}

		targets.push({name: `${condition.key}: nothing lost or answered twice`, met: lanes.duplicates === 0 && lanes.results === items, detail: `${lanes.results}/${items} final, ${lanes.duplicates} twice`});
		json[condition.key] = {
			label: condition.label, lowerBoundSimSeconds: round(bound),
			plans: Object.fromEntries(outcomes.map(outcome => [outcome.plan, {
				makespanSimSeconds: round(outcome.makespanSeconds), ratioToBound: round(outcome.makespanSeconds / bound), requests: outcome.requests,
				refused: outcome.refused, refusedShare: round(outcome.requests === 0 ? 0 : outcome.refused / outcome.requests, 4), status: outcome.status,
				...(outcome.deadStopSeconds === undefined ? {} : {deadStopRealSeconds: round(outcome.deadStopSeconds)}),
			}])),
		};
	}

	return {
		title: mode === 'http' ? '2. Control under conditions lanes was not tuned on (issue 7)' : '2b. The same conditions in virtual time (issue 7)',
		lines: [
			mode === 'http'
				? `Each condition through the real Engine, the SDK clients and the HTTP simulator at timeScale ${timeScale} (${fixed(1 / timeScale, 0)}x). lanes start from the seed's plan`
				: `Each condition through the real Engine on a virtual clock, against the simulator's own budgets (ProviderState) without sockets, at ${fixed(1 / virtualTimeScale, 0)}x with ${virtualTransitMs} ms each way; timers are exact, so the machine's load does not count. lanes start from the seed's plan`,
			`(5/5/2, adaptive, max 64) and are told no limit; "fixed" is that plan with per-request retries, "naive" a pool of ${naivePool} per provider.`,
			'Refused = 429s and 5xx answered by the healthy providers / requests they saw. Bound = items against capacity over time (zero while down).',
			...conditions.filter(c => !wanted || wanted.includes(c.key)).map(c => `  ${c.key}: ${c.label}; lower bound ${fixed(lowerBound(c))} s`),
			'',
			...table(['condition', 'plan', 'makespan', 'vs bound', 'requests', 'refused', 'status'], rows),
		],
		targets,
		json,
	};
}
