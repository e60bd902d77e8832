import {describe, expect, it} from 'vitest';
import type {ModelStats} from '../../source/store/index.js';
import {buildSummary} from '../../source/summary/build-summary.js';

const stats = (counts: Partial<ModelStats>): ModelStats => ({passed: 0, failed: 0, errored: 0, promptTokens: 0, completionTokens: 0, ...counts});

describe('buildSummary', () => {
	it('counts each model, provider and the totals; pending is what has no result', () => {
		const summary = buildSummary({
			runId: 'r1', status: 'interrupted', elapsedMs: 1234.6, testCount: 3,
			providers: [{name: 'a', models: ['a1', 'a2'], concurrency: 4}, {name: 'b', models: ['b1'], concurrency: 2}],
			modelStats: new Map([
				['a1', stats({passed: 1, failed: 1, latencyP50Ms: 100.4, latencyP95Ms: 300})],
				['a2', stats({errored: 1})],
				['b1', stats({passed: 1, latencyP50Ms: 50, latencyP95Ms: 50})],
			]),
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

	it('counts models of the run only: stats of a model no longer in it are left out', () => {
		const summary = buildSummary({
			runId: 'r1', status: 'completed', elapsedMs: 0, testCount: 1,
			providers: [{name: 'a', models: ['a1'], concurrency: 1}],
			modelStats: new Map([['a1', stats({passed: 1})], ['gone', stats({failed: 5})]]),
			requestStats: new Map(),
		});
		expect(summary.totals).toEqual({items: 1, passed: 1, failed: 0, errored: 0, pending: 0});
		expect(summary.models.gone).toBeUndefined();
	});
});
