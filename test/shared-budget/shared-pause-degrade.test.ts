import {expect, test} from 'vitest';
import type {Simulator} from '../../source/providers/simulator/index.js';
import {onlyJsonObject} from '../cli/fixtures.js';
import {resultCount} from '../helpers/resume-harness.js';
import {waitUntil} from '../helpers/wait.js';
import {requestsOf, startRunner, startSharedSimulator, sharedWorld} from './harness.js';

let simulator: Simulator | undefined;
const world = sharedWorld(async () => {
	await simulator?.close();
	simulator = undefined;
});
const {runners} = world;

test('one 429 pauses both: a runner that joins during another\'s Retry-After sends nothing until it ends', async () => {
	const timeScale = 4;
	const retryAfterMs = 1000 * timeScale;
	// Everything is refused (429, Retry-After 4 s) for the first 6 s of the simulator's life.
	let startedAt: number;
	({simulator, startedAt} = await startSharedSimulator({maxConcurrent: 6, rps: 1000, latencyMs: 25, outages: [{atSeconds: 0, forSeconds: 1.5, status: 429}]}, timeScale));
	const sim = simulator;
	const a = startRunner(sim, {model: 'm-a', tests: 30, concurrency: 3, redis: world.redis().url, timeoutMs: 5000});
	runners.push(a);
	const first429 = await waitUntil('A\'s first 429', () => requestsOf(sim, 'm-a').find(entry => entry.status === 429), {timeoutMs: 20_000, intervalMs: 10, context: a.process.describe});
	const b = startRunner(sim, {model: 'm-b', tests: 30, concurrency: 3, redis: world.redis().url, timeoutMs: 5000});
	runners.push(b);
	await b.process.waitForOutput('stderr', /gw: sharing its provider budget through Redis/, 20_000);
	const bJoinedAt = performance.now() - startedAt;
	// Else B could not have sent inside the pause, and the test would prove nothing.
	expect(bJoinedAt).toBeLessThan(first429.endedAt + retryAfterMs);
	const [resultA, resultB] = await Promise.all([a.process.exited, b.process.exited]);
	expect(resultA.code, a.process.describe()).toBe(0);
	expect(resultB.code, b.process.describe()).toBe(0);
	const firstOfB = Math.min(...requestsOf(sim, 'm-b').map(entry => entry.startedAt));
	expect(firstOfB).toBeGreaterThanOrEqual(first429.endedAt + retryAfterMs - 250);
	expect(resultCount(a.db) + resultCount(b.db)).toBe(60);
});

test('Redis going away mid-run: each runner says so, goes on at its last share (never the whole budget), rejoins, loses nothing', async () => {
	const cap = 6;
	({simulator} = await startSharedSimulator({maxConcurrent: cap, rps: 1000, latencyMs: 60, latencySigma: 0.2}));
	const sim = simulator;
	const a = startRunner(sim, {model: 'm-a', tests: 300, concurrency: cap, redis: world.redis().url});
	const b = startRunner(sim, {model: 'm-b', tests: 300, concurrency: cap, redis: world.redis().url});
	runners.push(a, b);
	await waitUntil('both runners to be sending', () => requestsOf(sim, 'm-a').length > 10 && requestsOf(sim, 'm-b').length > 10, {timeoutMs: 30_000, intervalMs: 20});
	await world.redis().stop();
	await Promise.all([a, b].map(async runner => runner.process.waitForOutput('stderr', /gw: Redis unreachable \(.*\): going on alone at its last share, 3 in flight/, 10_000)));
	await world.redis().start();
	await Promise.all([a, b].map(async runner => runner.process.waitForOutput('stderr', /gw: Redis is back: sharing the budget again/, 10_000)));
	const [resultA, resultB] = await Promise.all([a.process.exited, b.process.exited]);
	for (const [runner, result] of [[a, resultA], [b, resultB]] as const) {
		expect(result.code, runner.process.describe()).toBe(0);
		expect(onlyJsonObject(result.stdout).status).toBe('completed');
		expect(resultCount(runner.db)).toBe(300);
	}

	expect(sim.stats('gw').maxInFlight).toBeLessThanOrEqual(cap);
});
