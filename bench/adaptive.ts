import {
	capacity, items, latency, laneBoundSeconds, meanLatencyMs, plans, providers, runPlan, simSeconds, testCount, timeScale, type Plan, type PlanOutcome,
} from './adaptive-plans.js';
import {count, fixed, percent, round, table, times, type SectionResult, type Target} from './format.js';
import {timeAtText, traceText} from './limit-trace.js';
import {settle} from './scenario.js';

type Row = {
	outcome: PlanOutcome;
	/** testCount / tests actually run: 1 for full runs. */
	scale: number;
	/** Simulated seconds, scaled to the full suite. */
	makespan: number;
	ratio: number;
	requests: number;
	limited: number;
	wasted: number;
};

/** Section 1: the seed scenario under four plans, each against the bound the simulated limits allow. */
export async function benchAdaptive(): Promise<SectionResult> {
	const boundSeconds = Math.max(...providers.map(p => laneBoundSeconds(p, testCount)));
	const dominant = providers.find(p => laneBoundSeconds(p, testCount) === boundSeconds)!;
	const rows: Row[] = [];
	// Warm-up (JIT, SDK modules, sockets) so the first plan does not pay for it; not counted.
	await runPlan({...plans.find(plan => plan.key === 'adaptive')!, tests: 1});
	for (const plan of plans) {
		const outcome = await runPlan(plan);
		const scale = testCount / plan.tests;
		const makespan = simSeconds(outcome.wallMs) * scale;
		const requests = outcome.lanes.reduce((sum, lane) => sum + lane.requests, 0);
		const limited = outcome.lanes.reduce((sum, lane) => sum + lane.rateLimited, 0);
		rows.push({outcome, scale, makespan, ratio: makespan / boundSeconds, requests, limited, wasted: requests === 0 ? 0 : limited / requests});
		await settle();
	}

	const row = (key: Plan['key']) => rows.find(r => r.outcome.plan.key === key)!;
	const [serial, fixedPlan, adaptive, reference] = [row('serial'), row('fixed'), row('adaptive'), row('reference')];
	const itemsOf = (tests: number) => providers.reduce((sum, p) => sum + items(p, tests), 0);
	const perRequest = simSeconds(serial.outcome.wallMs) / itemsOf(serial.outcome.plan.tests);
	const modelled = meanLatencyMs(providers[0]!);
	const dominantTrace = adaptive.outcome.lanes.find(lane => lane.lane === dominant.name)!.trace;

	const lines = [
		`Seed scenario through the real Engine, real SDK clients and the HTTP simulator; timeScale ${timeScale} (1 simulated s = ${1000 * timeScale} ms real).`,
		`Latency lognormal, median ${latency.latencyMs} ms, sigma ${latency.latencySigma} (mean ${fixed(modelled, 0)} ms). Times below are simulated seconds.`,
		`Simulator limits (the engine is not told): ${providers.map(p => `${p.name} ${p.simulate.maxConcurrent} in flight / ${p.simulate.rps} rps`).join(', ')}; idealab's ${dominant.models.length} models share one budget.`,
		`Suite: ${testCount} tests per model = ${providers.map(p => `${p.name} ${items(p, testCount)}`).join(', ')} items (${itemsOf(testCount)} in all).`,
		`Lower bound = max over providers of items / min(in-flight cap / mean latency, rps): ${providers.map(p => `${p.name} ${fixed(laneBoundSeconds(p, testCount))} s`).join(', ')}`,
		`  -> ${fixed(boundSeconds)} s (${dominant.name} at ${fixed(capacity(dominant), 2)} requests/s), i.e. ${fixed(boundSeconds * timeScale, 1)} s real.`,
		'',
		...table(
			['plan', 'makespan', 'real', 'vs bound', 'requests', '429s', 'wasted', 'status'],
			rows.map(r => [
				`${r.outcome.plan.label}${r.scale === 1 ? '' : ' *'}`, `${fixed(r.makespan)} s`, `${fixed(r.outcome.wallMs / 1000, 1)} s`, times(r.ratio),
				count(r.requests), count(r.limited), percent(r.wasted), r.outcome.status,
			]),
		),
		...rows.filter(r => r.scale !== 1).map(r => `* ${r.outcome.plan.key} ran ${r.outcome.plan.tests} tests per model (${itemsOf(r.outcome.plan.tests)} items, ${fixed(simSeconds(r.outcome.wallMs))} s) and is scaled by ${fixed(r.scale, 0)}: a fixed number in flight takes time in proportion to items.`),
		'  requests, 429s and wasted are as measured on those items.',
		'',
		'Per lane, full runs ("done" = when its last result came in; lane bound = its own items / capacity; 429s split as in-flight cap full / rps bucket empty):',
		...table(
			['plan / lane', 'done', 'lane bound', 'vs lane', 'requests', '429s (cap/rps)', 'peak in flight', 'limit min/mean/max/final', 'cuts', 'ups'],
			rows.filter(r => r.scale === 1).flatMap(r => r.outcome.lanes.map(lane => {
				const p = providers.find(provider => provider.name === lane.lane)!;
				const done = simSeconds(lane.doneMs) * r.scale;
				const t = lane.trace;
				const adaptiveRow = r.outcome.plan.key === 'adaptive';
				return [
					`${r.outcome.plan.key} / ${lane.lane}`, `${fixed(done)} s`, `${fixed(laneBoundSeconds(p, testCount))} s`, times(done / laneBoundSeconds(p, testCount)),
					count(lane.requests), `${lane.rateLimited} (${lane.concurrencyLimited}/${lane.rateLimited - lane.concurrencyLimited})`, String(lane.maxInFlight),
					adaptiveRow ? `${t.minLimit}/${fixed(t.meanLimit)}/${t.maxLimit}/${t.finalLimit}` : `${t.initial} fixed`,
					adaptiveRow ? String(t.cuts) : '-', adaptiveRow ? String(t.increases) : '-',
				];
			})),
		),
		'',
		`Time per request measured in (a): ${fixed(perRequest * 1000, 0)} ms simulated vs ${fixed(modelled, 0)} ms modelled, i.e. ${fixed((perRequest * 1000 - modelled) * timeScale, 1)} ms real of client + HTTP cost per request`,
		`  (${percent((perRequest * 1000) / modelled - 1)} at this timeScale; the bound ignores it, and it grows when the machine is busy).`,
		`(d) is configured with the simulator's limits (in-flight cap, rps as qps), as a user who knew them would: ${times(reference.ratio)} the bound, with nothing to learn.`,
		`(c) takes ${times(adaptive.makespan / reference.makespan)} the time of (d): what not knowing the limits costs.`,
		'',
		`(c) ${dominant.name} time at each limit: ${timeAtText(dominantTrace)}.`,
		`(c) ${dominant.name} limit path (simulated s:limit; (429) = cut on a 429): ${traceText(dominantTrace, simSeconds)}`,
	];

	const targets: Target[] = [
		{name: '(c) makespan within 1.25x of the lower bound', met: adaptive.ratio <= 1.25, detail: `${times(adaptive.ratio)} (${fixed(adaptive.makespan)} s vs ${fixed(boundSeconds)} s; reference (d) ${times(reference.ratio)})`},
		{name: '(c) under 5% of requests wasted on 429s', met: adaptive.wasted < 0.05, detail: `${percent(adaptive.wasted)} (${count(adaptive.limited)} of ${count(adaptive.requests)})`},
		{
			name: '(b) fixed plan far slower than (c)',
			met: fixedPlan.makespan / adaptive.makespan >= 1.5,
			detail: `(b) ${times(fixedPlan.ratio)} the bound; (c) is ${times(fixedPlan.makespan / adaptive.makespan)} faster than (b) and ${times(serial.makespan / adaptive.makespan)} faster than serial (a)`,
		},
	];

	return {
		title: '1. Adaptive vs fixed plans (issue 2)',
		lines,
		targets,
		json: {
			timeScale,
			latency,
			testCount,
			limits: Object.fromEntries(providers.map(p => [p.name, {models: p.models.length, maxConcurrent: p.simulate.maxConcurrent, rps: p.simulate.rps, capacityRps: round(capacity(p))}])),
			lowerBoundSimSeconds: round(boundSeconds),
			measuredSimMsPerSerialRequest: round(perRequest * 1000, 1),
			plans: Object.fromEntries(rows.map(r => [r.outcome.plan.key, {
				label: r.outcome.plan.label,
				testsRun: r.outcome.plan.tests,
				scaledBy: r.scale,
				makespanSimSeconds: round(r.makespan),
				realSeconds: round(r.outcome.wallMs / 1000),
				ratioToBound: round(r.ratio),
				requests: r.requests,
				rateLimited: r.limited,
				wastedShare: round(r.wasted, 4),
				status: r.outcome.status,
				lanes: r.outcome.lanes.map(lane => ({
					lane: lane.lane, doneSimSeconds: round(simSeconds(lane.doneMs) * r.scale), requests: lane.requests, rateLimited: lane.rateLimited,
					concurrencyLimited: lane.concurrencyLimited, maxInFlight: lane.maxInFlight, limitMin: lane.trace.minLimit, limitMean: round(lane.trace.meanLimit),
					limitMax: lane.trace.maxLimit, limitFinal: lane.trace.finalLimit, cuts: lane.trace.cuts, increases: lane.trace.increases,
				})),
			}])),
			adaptiveTimeAtLimit: Object.fromEntries([...dominantTrace.timeAt].map(([level, share]) => [level, round(share, 3)])),
			adaptiveLimitPath: dominantTrace.changes.map(change => ({atSimSeconds: round(simSeconds(change.atMs), 2), from: change.from, to: change.to, cause: change.cause})),
		},
	};
}
