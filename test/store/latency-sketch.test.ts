import {join} from 'node:path';
import {expect, test} from 'vitest';
import {openStore} from '../../source/store/index.js';
import {result, runInput, temporaryDirectory, track} from './helpers.js';

/** Nearest rank, as the readme defines the percentiles: the value at rank ceil(p * n / 100) in sorted order. */
const nearestRank = (sorted: number[], p: number) => sorted[Math.max(1, Math.ceil((p * sorted.length) / 100)) - 1]!;

test('p50 and p95 of thousands of distinct latencies: within 1 % of (the exact nearest rank + 1 ms); errored results left out', () => {
	const tests = Array.from({length: 3000}, (_, i) => `t${i}`);
	const store = track(openStore(join(temporaryDirectory(), 'sketch.db')));
	store.createRun(runInput('r1', {testIds: tests}));
	// Spread over four orders of magnitude, sub-millisecond included, recorded out of order.
	const latencies = tests.map((_, i) => 0.05 * (1.0031 ** ((i * 7919) % 3000)));
	tests.forEach((id, i) => store.recordResult('r1', result('m1', id, i % 3 === 0 ? 'failed' : 'passed', {latencyMs: latencies[i]})));
	tests.slice(0, 500).forEach(id => store.recordResult('r1', result('m2', id, 'errored', {latencyMs: 99_999})));
	const sorted = [...latencies].sort((a, b) => a - b);
	const stats = store.modelStats('r1');
	for (const [p, value] of [[50, stats.get('m1')!.latencyP50Ms!], [95, stats.get('m1')!.latencyP95Ms!]] as const) {
		const exact = nearestRank(sorted, p);
		expect(Math.abs(value - exact), `p${p}`).toBeLessThanOrEqual(0.01 * (exact + 1));
	}

	expect(stats.get('m1')).toMatchObject({passed: 2000, failed: 1000, errored: 0});
	expect(stats.get('m2')).toEqual({passed: 0, failed: 0, errored: 500, promptTokens: 0, completionTokens: 0});
});

test('a few distinct latencies come out exactly', () => {
	const store = track(openStore(join(temporaryDirectory(), 'sketch.db')));
	const tests = Array.from({length: 20}, (_, i) => `t${i}`);
	store.createRun(runInput('r1', {testIds: tests}));
	// 19 at 100 ms and one at 2.5 s: p50 is 100, p95 (rank 19) still 100; one more slow result moves p95 to 2500.
	tests.forEach((id, i) => store.recordResult('r1', result('m1', id, 'passed', {latencyMs: i === 0 ? 2500 : 100})));
	expect(store.modelStats('r1').get('m1')).toMatchObject({latencyP50Ms: 100, latencyP95Ms: 100});
	store.recordResult('r1', result('m2', 't0', 'passed', {latencyMs: 100}));
	store.recordResult('r1', result('m2', 't1', 'passed', {latencyMs: 2500}));
	expect(store.modelStats('r1').get('m2')).toMatchObject({latencyP50Ms: 100, latencyP95Ms: 2500});
});
