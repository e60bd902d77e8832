import {describe, expect, it} from 'vitest';
import type {ItemResult} from '../../source/engine/types.js';
import {buildSummary} from '../../source/summary/build-summary.js';

const result = (model: string, testId: string, status: ItemResult['status'], latencyMs?: number): ItemResult =>
	({provider: model === 'b1' ? 'b' : 'a', model, testId, status, attempts: 1, finishedAt: 0, latencyMs});

describe('buildSummary', () => {
	it('counts each model, provider and the totals; pending is what has no result', () => {
		const summary = buildSummary({
			runId: 'r1', status: 'interrupted', elapsedMs: 1234.6, testIds: ['t1', 't2', 't3'],
			providers: [{name: 'a', models: ['a1', 'a2'], concurrency: 4}, {name: 'b', models: ['b1'], concurrency: 2}],
			results: [result('a1', 't1', 'passed', 100), result('a1', 't2', 'failed', 300), result('a2', 't1', 'errored'), result('b1', 't3', 'passed', 50)],
			requestStats: new Map([['a', {requests: 9, rateLimited: 2, retries: 3}]]),
		});
		expect(summary.totals).toEqual({items: 9, passed: 2, failed: 1, errored: 1, pending: 5});
		expect(summary.providers.a).toEqual({items: 6, passed: 1, failed: 1, errored: 1, pending: 3, requests: 9, rateLimited: 2, retries: 3, concurrency: 4,
			outageFailures: 0, transientFailures: 0, outages: 0, downMs: 0, tokens: 0, tokensPerMinute: 0,
		});
		expect(summary.providers.b).toMatchObject({items: 3, passed: 1, pending: 2, requests: 0});
		expect(summary.models.a1).toEqual({provider: 'a', items: 3, passed: 1, failed: 1, errored: 0, pending: 1, latencyP50Ms: 100, latencyP95Ms: 300});
		expect(summary.models.a2).toMatchObject({errored: 1, latencyP50Ms: 0});
		expect(summary.elapsedMs).toBe(1235);
	});

	it('leaves out results of tests that are no longer part of the run', () => {
		const summary = buildSummary({
			runId: 'r1', status: 'completed', elapsedMs: 0, testIds: ['t1'],
			providers: [{name: 'a', models: ['a1'], concurrency: 1}],
			results: [result('a1', 't1', 'passed', 10), result('a1', 'dropped', 'failed', 10)],
			requestStats: new Map(),
		});
		expect(summary.totals).toEqual({items: 1, passed: 1, failed: 0, errored: 0, pending: 0});
	});
});
