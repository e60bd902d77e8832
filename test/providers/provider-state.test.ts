import {expect, test} from 'vitest';
import {ProviderState} from '../../source/providers/simulator/provider-state.js';
import {spec} from './helpers.js';

const draws = (state: ProviderState) => Array.from({length: 20}, () => [state.drawLatency(), state.drawError()]);

test('the same seed gives the same latencies and errors; another seed does not', () => {
	const provider = spec('p', ['m'], {latencyMs: 100, latencySigma: 0.5, errorRate: 0.3});
	expect(draws(new ProviderState(provider, 1, 42, 0))).toEqual(draws(new ProviderState(provider, 1, 42, 0)));
	expect(draws(new ProviderState(provider, 1, 42, 0))).not.toEqual(draws(new ProviderState(provider, 1, 43, 0)));
});

test('latency is lognormal around the median, scaled by timeScale', () => {
	const state = new ProviderState(spec('p', ['m'], {latencyMs: 800, latencySigma: 0.35}), 0.01, 1, 0);
	const samples = Array.from({length: 2001}, () => state.drawLatency()).sort((a, b) => a - b);
	expect(samples[1000]).toBeGreaterThan(7);
	expect(samples[1000]).toBeLessThan(9);
	expect(samples.every(ms => ms > 0)).toBe(true);
});

test('errorRate is the share of 5xx draws', () => {
	const state = new ProviderState(spec('p', ['m'], {errorRate: 0.2}), 1, 1, 0);
	const errors = Array.from({length: 5000}, () => state.drawError()).filter(status => status !== undefined);
	expect(errors.length / 5000).toBeGreaterThan(0.17);
	expect(errors.length / 5000).toBeLessThan(0.23);
	expect(new Set(errors)).toEqual(new Set([500, 502, 503]));
});

test('outage windows are in scaled time since start', () => {
	const state = new ProviderState(spec('p', ['m'], {outages: [{atSeconds: 10, forSeconds: 5, status: 502}]}), 0.1, 1, 0);
	expect(state.outageStatus(999)).toBeUndefined();
	expect(state.outageStatus(1000)).toBe(502);
	expect(state.outageStatus(1499)).toBe(502);
	expect(state.outageStatus(1500)).toBeUndefined();
});

test('deployments map back to config model names', () => {
	const state = new ProviderState(spec('p', {'gpt-4o-mini': 'mini-prod'}), 1, 1, 0);
	expect(state.modelFor('mini-prod')).toBe('gpt-4o-mini');
	expect(state.modelFor('gpt-4o-mini')).toBeUndefined();
});
