import {createServer} from 'node:net';
import {Engine} from '../source/engine/engine.js';
import type {ItemResult, LaneSpec} from '../source/engine/types.js';
import {createChatClient} from '../source/providers/chat-client.js';
import {effectiveRps} from '../source/providers/simulator/effective-rps.js';
import type {Simulator} from '../source/providers/simulator/index.js';
import {estimateTokens} from '../source/providers/token-estimate.js';
import type {ChatClient} from '../source/providers/types.js';
import {conditions, type Condition} from './conditions.js';
import {count, fixed, percent, round, table, times, type SectionResult, type Target} from './format.js';
import {runPool} from './pool.js';
import {laneSpec, makeTests, settle, simClient, simulateConfig, startSim, type SimProvider} from './scenario.js';

/** 20x fast-forward (1 simulated second = 50 ms real): at 100x the HTTP path alone would need more than two cores. */
const timeScale = Number(process.env.LANES_BENCH_TIMESCALE ?? 0.05);
const naivePool = 64;
const retry = {maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000};

type PlanKey = 'lanes' | 'fixed' | 'naive';
type Outcome = {
	plan: PlanKey;
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

function clientsFor(condition: Condition, simulator: Simulator, dead: string): Map<string, ChatClient> {
	return new Map(condition.providers.map(p => [p.name, p.name === condition.deadProvider
		? createChatClient({dialect: 'openai', baseURL: dead, apiKey: 'no-key-needed'})
		: simClient(simulator, p.name)]));
}

async function runCondition(condition: Condition, plan: PlanKey): Promise<Outcome> {
	const simulator = await startSim(condition.providers, timeScale);
	const dead = await deadUrl();
	const clients = clientsFor(condition, simulator, dead);
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
				...(condition.toldTpm?.includes(p.name) ? {tpm: p.simulate.tpm! / timeScale, qps: effectiveRps({dialect: p.dialect, tpm: p.simulate.tpm}) / timeScale} : {}),
			}));
			const results: ItemResult[] = [];
			const engine = new Engine({lanes: specs, tests, request: {timeoutMs: 60_000, maxTokens, temperature: 0}, retry, sink: {recordResult: result => results.push(result)}});
			const start = performance.now();
			const healthyDone = new Map<string, number>();
			engine.subscribe(event => {
				if (event.type === 'state' && event.state === 'done') healthyDone.set(event.lane, performance.now() - start);
				if (event.type === 'lane_stopped' && event.lane === condition.deadProvider) {
					extra.deadStopSeconds = (performance.now() - start) / 1000;
					extra.deadReason = event.reason;
				}
			});
			status = await engine.run();
			makespanMs = Math.max(...healthy.map(p => healthyDone.get(p.name) ?? performance.now() - start));
			const keys = new Set(results.map(result => `${result.model}\u0000${result.testId}`));
			extra.results = keys.size;
			extra.duplicates = results.length - keys.size;
		} else {
			const run = await runPool({
				lanes: condition.providers.map(p => ({name: p.name, client: clients.get(p.name)!, models: p.models, concurrency: plan === 'naive' ? naivePool : condition.plan[p.name] ?? 5})),
				tests, maxTokens, firstBackoffMs: 2 * (healthy[0]!.simulate.latencyMs ?? 1000) * timeScale,
			});
			makespanMs = Math.max(...healthy.map(p => run.lanes.get(p.name)!.doneMs));
		}

		const stats = healthy.map(p => simulator.stats(p.name));
		const requests = stats.reduce((sum, s) => sum + s.requests, 0);
		const refused = stats.reduce((sum, s) => sum + s.rateLimited + s.errors, 0);
		return {plan, makespanSeconds: makespanMs / 1000 / timeScale, requests, refused, status, ...extra};
	} finally {
		await simulator.close();
	}
}

/** Section: every condition under lanes (adaptive from the seed's plan), the fixed plan and a naive pool. */
export async function benchControl(): Promise<SectionResult> {
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
			outcomes.push(await runCondition(condition, plan));
			await settle();
		}

		for (const outcome of outcomes) {
			rows.push([
				outcome.plan === 'lanes' ? condition.key : '', outcome.plan, `${fixed(outcome.makespanSeconds)} s`, times(outcome.makespanSeconds / bound),
				count(outcome.requests), percent(outcome.requests === 0 ? 0 : outcome.refused / outcome.requests), outcome.status,
			]);
		}

		const lanes = outcomes.find(outcome => outcome.plan === 'lanes')!;
		const ratio = lanes.makespanSeconds / bound;
		const share = lanes.requests === 0 ? 0 : lanes.refused / lanes.requests;
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
			targets.push({name: `${condition.key}: within ${timeTarget}x of the lower bound`, met: ratio <= timeTarget, detail: `${times(ratio)} (${fixed(lanes.makespanSeconds)} s vs ${fixed(bound)} s)`});
			targets.push({name: `${condition.key}: at most ${percent(refusedTarget, 0)} of requests refused`, met: share <= refusedTarget, detail: `${percent(share)} (${count(lanes.refused)} of ${count(lanes.requests)})`});
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
		title: '2. Control under conditions lanes was not tuned on (issue 7)',
		lines: [
			`Each condition through the real Engine, the SDK clients and the HTTP simulator at timeScale ${timeScale} (${fixed(1 / timeScale, 0)}x). lanes start from the seed's plan`,
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
