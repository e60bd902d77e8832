import {describe, expect, it} from 'vitest';
import {parseConfig, readConfigFile} from '../../source/config/load-config.js';
import {estimate} from '../../source/estimate/estimate.js';

const hours = (ms: number | undefined) => Number(((ms ?? Number.NaN) / 3_600_000).toFixed(1));

describe('estimate', () => {
	it('gives the seed\'s own numbers from a config that states them', () => {
		const result = estimate({config: readConfigFile('config/seed-estimate.json'), tests: 100, observed: new Map(), assumedLatencyMs: 10_000});
		expect(hours(result.serialMs)).toBe(6.4);
		expect(hours(result.configuredMs)).toBe(2.9);
		expect(result.providers.map(p => [p.provider, p.items, Math.round(p.configuredMs / 1000)])).toEqual([['azure', 100, 200], ['user_azure', 100, 200], ['idealab', 2100, 10_500]]);
	});

	it('uses observed latencies where there are any and says which numbers are assumed', () => {
		const config = parseConfig({providers: {
			gw: {type: 'openai', baseURL: 'https://gw.example/v1', apiKeyEnv: 'K', models: ['seen', 'unseen'], concurrency: 4},
			az: {type: 'azure', endpoint: 'https://r.openai.azure.com', apiKeyEnv: 'K2', models: ['other'], concurrency: 2, qps: 0.1},
		}}, 'test');
		const result = estimate({config, tests: 10, observed: new Map([['seen', {count: 5, meanMs: 2000}]]), assumedLatencyMs: 4000});
		const [gw, az] = result.providers;
		expect(gw).toMatchObject({latencyMs: 2000, latencySource: 'observed', serialMs: 20 * 2000, configuredMs: (20 / 2) * 1000, atLimitsMs: undefined});
		// qps 0.1 caps it below what concurrency 2 at 4 s would do (0.5/s).
		expect(az).toMatchObject({latencyMs: 4000, latencySource: 'assumed', configuredMs: 100_000});
		expect(result.assumptions.join('\n')).toMatch(/gw: 1 of 2 models have no history/);
		expect(result.assumptions.join('\n')).toMatch(/az: no earlier runs of its models; assumed 4 s per request/);
		expect(result.atLimitsMs).toBeUndefined();
	});

	it('never plans faster than a simulated provider allows, and adds the rests between batches', () => {
		const config = parseConfig({providers: {sim: {
			type: 'simulated', models: ['a', 'b', 'c'], concurrency: 10, batch: {size: 1, pauseSeconds: 5},
			simulate: {maxConcurrent: 2, rps: 100, latencyMs: 1000, latencySigma: 0},
		}}}, 'test');
		const [sim] = estimate({config, tests: 10, observed: new Map(), assumedLatencyMs: 10_000}).providers;
		// 30 items at 2 per second (2 at once, 1 s each) plus two 5 s rests.
		expect(sim!.atLimitsMs).toBe(15_000);
		expect(sim!.configuredMs).toBe(25_000);
	});
});
