import {expect, test} from 'vitest';
import type {Simulator} from '../../source/providers/simulator/index.js';
import {onlyJsonObject} from '../cli/fixtures.js';
import {resultCount} from '../helpers/resume-harness.js';
import {waitUntil} from '../helpers/wait.js';
import {runCli} from '../helpers/cli.js';
import {requestsOf, startRunner, startSharedSimulator, sharedWorld} from './harness.js';

let simulator: Simulator | undefined;
const world = sharedWorld(async () => {
	await simulator?.close();
	simulator = undefined;
});
const {runners} = world;

const cap = 6;

test('two runners fixed at the true cap never hold more than the cap at the provider, and finish every item', async () => {
	({simulator} = await startSharedSimulator({maxConcurrent: cap, rps: 1000, latencyMs: 60, latencySigma: 0.2}));
	const a = startRunner(simulator, {model: 'm-a', tests: 80, concurrency: cap, redis: world.redis().url});
	const b = startRunner(simulator, {model: 'm-b', tests: 80, concurrency: cap, redis: world.redis().url});
	runners.push(a, b);
	const [resultA, resultB] = await Promise.all([a.process.exited, b.process.exited]);
	expect(resultA.code, a.process.describe()).toBe(0);
	expect(resultB.code, b.process.describe()).toBe(0);
	const stats = simulator.stats('gw');
	expect(stats.maxInFlight).toBeLessThanOrEqual(cap);
	expect(stats.rateLimited).toBeLessThanOrEqual(Math.ceil(0.02 * stats.requests));
	// Both ran at once: the other's requests were at the provider while each of them was.
	const bStarts = requestsOf(simulator, 'm-b').map(entry => entry.startedAt);
	const aRequests = requestsOf(simulator, 'm-a');
	expect(aRequests.some(entry => bStarts.some(start => start > entry.startedAt && start < entry.endedAt))).toBe(true);
	for (const [runner, result] of [[a, resultA], [b, resultB]] as const) {
		expect(onlyJsonObject(result.stdout).status).toBe('completed');
		expect(resultCount(runner.db)).toBe(80);
		expect(result.stderr).toMatch(/gw: sharing its provider budget through Redis/);
		// The run records that it shared: the --json summary, and `lanes report` read back from the database.
		const summary = onlyJsonObject(result.stdout) as {runId: string; providers: Record<string, {shared?: unknown}>};
		expect(summary.providers.gw!.shared).toEqual({runners: 2, budget: `${simulator.url}/gw/v1`, lost: 0});
		const report = await runCli(['report', summary.runId, '--db', runner.db]);
		expect(report.code).toBe(0);
		expect(report.stdout).toContain(`gw shared its provider budget ${simulator.url}/gw/v1 through Redis (2 runners at most at once)`);
	}
});

test('a runner killed with SIGKILL frees its share within one lease time', async () => {
	({simulator} = await startSharedSimulator({maxConcurrent: cap, rps: 1000, latencyMs: 80, latencySigma: 0.2}));
	const timeoutMs = 1000;
	const leaseMs = timeoutMs + 2000;
	const a = startRunner(simulator, {model: 'm-a', tests: 2000, concurrency: cap, redis: world.redis().url, timeoutMs});
	const b = startRunner(simulator, {model: 'm-b', tests: 2000, concurrency: cap, redis: world.redis().url, timeoutMs});
	runners.push(a, b);
	const sim = simulator;
	const both = () => requestsOf(sim, 'm-a').length > 20 && requestsOf(sim, 'm-b').length > 20;
	await waitUntil('both runners to be sending', both, {timeoutMs: 30_000, intervalMs: 50, context: () => a.process.describe() + b.process.describe()});
	const concurrentB = (after: number) => {
		// B's requests at the provider at once, after `after` (ms on the simulator's log clock).
		const entries = requestsOf(sim, 'm-b').filter(entry => entry.startedAt >= after && entry.status !== 499);
		let most = 0;
		for (const entry of entries) most = Math.max(most, entries.filter(other => other.startedAt <= entry.startedAt && other.endedAt > entry.startedAt).length);
		return most;
	};

	// Once A had joined (its requests at the provider, B's heartbeat since, B's excess drained), B kept to its half.
	const aJoined = requestsOf(sim, 'm-a')[0]!.startedAt;
	await waitUntil('the log to cover a second after A joined', () => sim.log().some(entry => entry.startedAt > aJoined + 2000), {timeoutMs: 10_000, intervalMs: 50});
	expect(concurrentB(aJoined + 1000)).toBeLessThanOrEqual(cap / 2);
	const beforeKill = Math.max(...sim.log().map(entry => entry.endedAt));
	a.process.child.kill('SIGKILL');
	await waitUntil(`B to hold all ${cap} slots within one lease (${leaseMs} ms)`, () => concurrentB(beforeKill) >= cap, {timeoutMs: leaseMs + 1500, intervalMs: 50, context: () => b.process.describe()});
	expect(sim.stats('gw').maxInFlight).toBeLessThanOrEqual(cap);
});

test('a bad Redis URL is bad input: exit 2 naming the flag, before any database is made', async () => {
	({simulator} = await startSharedSimulator({maxConcurrent: cap}));
	const runner = startRunner(simulator, {model: 'm-a', tests: 3, concurrency: cap, redis: 'http://user:secret@127.0.0.1:6379'});
	runners.push(runner);
	const result = await runner.process.exited;
	expect(result.code).toBe(2);
	expect(result.stderr).toMatch(/--redis: expected redis:\/\/ or rediss:\/\/, got http:\/\//);
	expect(result.stderr).not.toContain('secret');
	expect(runner.dir.entries()).not.toContain('runs.db');
});
