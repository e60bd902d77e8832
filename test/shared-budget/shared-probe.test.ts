import {expect, test} from 'vitest';
import type {Simulator} from '../../source/providers/simulator/index.js';
import {resultCount} from '../helpers/resume-harness.js';
import {requestsOf, startRunner, startSharedSimulator, sharedWorld} from './harness.js';

let simulator: Simulator | undefined;
const world = sharedWorld(async () => {
	await simulator?.close();
	simulator = undefined;
});
const {runners} = world;

test('the breaker sends one probe for both runners: during an outage, at most one request per probe interval reaches the provider', async () => {
	const outage = {atSeconds: 4, forSeconds: 10};
	const probeEveryMs = 1000;
	({simulator} = await startSharedSimulator({maxConcurrent: 6, rps: 1000, latencyMs: 100, latencySigma: 0.2, outages: [{...outage, status: 503}]}));
	const sim = simulator;
	// Probes back off from two healthy latencies to the cap of one second: 3.5 s after a runner first met the
	// outage, each would probe once a second on its own.
	const extra = {breaker: {failures: 3, maxProbeSeconds: probeEveryMs / 1000}};
	const a = startRunner(sim, {model: 'm-a', tests: 400, concurrency: 6, redis: world.redis().url, extra});
	const b = startRunner(sim, {model: 'm-b', tests: 400, concurrency: 6, redis: world.redis().url, extra});
	runners.push(a, b);
	const [resultA, resultB] = await Promise.all([a.process.exited, b.process.exited]);
	expect(resultA.code, a.process.describe()).toBe(0);
	expect(resultB.code, b.process.describe()).toBe(0);
	expect(resultCount(a.db) + resultCount(b.db)).toBe(800);

	// From when both had met the outage (a runner slow to start on a busy machine meets it later) and backed off.
	const outageStart = outage.atSeconds * 1000;
	const to = (outage.atSeconds + outage.forSeconds) * 1000 - 100;
	const met = (model: string) => Math.min(...requestsOf(sim, model).filter(entry => entry.startedAt >= outageStart).map(entry => entry.startedAt));
	const from = Math.max(met('m-a'), met('m-b')) + 3500;
	expect(to - from, 'both runners met the outage early enough to leave a window of 3 s').toBeGreaterThanOrEqual(3000);
	const during = sim.log().filter(entry => entry.startedAt >= from && entry.startedAt < to);
	const context = `probes at ${during.map(entry => `${entry.model}@${Math.round(entry.startedAt)}`).join(', ')}`;
	// Both were still running then, or the test would prove nothing.
	expect(requestsOf(sim, 'm-a').some(entry => entry.startedAt >= to), context).toBe(true);
	expect(requestsOf(sim, 'm-b').some(entry => entry.startedAt >= to), context).toBe(true);
	expect(during.length, context).toBeGreaterThan(0);
	expect(during.length, context).toBeLessThanOrEqual(Math.floor((to - from) / probeEveryMs) + 1);
	const starts = during.map(entry => entry.startedAt).sort((x, y) => x - y);
	// One claim lasts one probe interval; the next probe, from either runner, goes after it (a few ms of HTTP aside).
	for (let index = 1; index < starts.length; index++) expect(starts[index]! - starts[index - 1]!, context).toBeGreaterThanOrEqual(probeEveryMs - 50);
});
