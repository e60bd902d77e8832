import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {openStore, type CreateRunInput} from '../../source/store/index.js';
import {result, runInput, temporaryDirectory, track} from './helpers.js';

function storeWithRun(run: CreateRunInput = runInput('r1')) {
	const path = join(temporaryDirectory(), 'runs.db');
	const store = track(openStore(path));
	store.createRun(run);
	return {path, store};
}

describe('results', () => {
	test('round trip: optional fields absent stay absent', () => {
		const {store} = storeWithRun();
		const passed = result('m1', 't1', 'passed', {promptTokens: 12, completionTokens: 3, latencyMs: 123.5, attempts: 2, finishedAt: 5000});
		const errored = result('m2', 't1', 'errored', {finishedAt: 6000});
		expect(store.recordResult('r1', passed)).toBe(true);
		expect(store.recordResult('r1', errored)).toBe(true);
		expect(store.results('r1')).toEqual([passed, errored]);
		expect(Object.keys(store.results('r1')[1]!)).not.toContain('answer');
	});

	test('a second result for the same item is impossible: ignored, and false returned', () => {
		const {store} = storeWithRun();
		expect(store.recordResult('r1', result('m1', 't1', 'passed'))).toBe(true);
		expect(store.recordResult('r1', result('m1', 't1', 'failed', {answer: 'London'}))).toBe(false);
		expect(store.recordResult('r1', result('m1', 't1', 'errored'))).toBe(false);
		expect(store.recordResult('r1', result('m1', 't1', 'passed', {answer: 'again'}))).toBe(false);
		expect(store.results('r1')).toEqual([result('m1', 't1', 'passed')]);
	});

	test('a failed result is final too', () => {
		const {store} = storeWithRun();
		store.recordResult('r1', result('m1', 't1', 'failed', {answer: 'London'}));
		expect(store.recordResult('r1', result('m1', 't1', 'passed'))).toBe(false);
		expect(store.results('r1')[0]?.status).toBe('failed');
	});

	test('an errored result is replaced by a later one (retrying errors), and errors clear', () => {
		const {store} = storeWithRun();
		store.recordResult('r1', result('m1', 't1', 'errored', {attempts: 8}));
		expect(store.recordResult('r1', result('m1', 't1', 'errored', {errorMessage: 'HTTP 502', finishedAt: 3000}))).toBe(true);
		expect(store.results('r1')).toEqual([result('m1', 't1', 'errored', {errorMessage: 'HTTP 502', finishedAt: 3000})]);
		const passed = result('m1', 't1', 'passed', {finishedAt: 4000});
		expect(store.recordResult('r1', passed)).toBe(true);
		expect(store.results('r1')).toEqual([passed]);
		expect(store.recordResult('r1', result('m1', 't1', 'errored'))).toBe(false);
	});

	test('the same model and test in another run is another item', () => {
		const {store} = storeWithRun();
		store.createRun(runInput('r2'));
		expect(store.recordResult('r1', result('m1', 't1', 'passed'))).toBe(true);
		expect(store.recordResult('r2', result('m1', 't1', 'passed'))).toBe(true);
	});

	test('a result is committed when recordResult returns (another connection sees it)', () => {
		const {path, store} = storeWithRun();
		store.recordResult('r1', result('m1', 't1', 'passed'));
		const reader = track(openStore(path, {readonly: true}));
		expect(reader.results('r1')).toHaveLength(1);
	});

	test('a result for an unknown run is refused, naming the database', () => {
		const {path, store} = storeWithRun();
		expect(() => store.recordResult('r9', result('m1', 't1', 'passed'))).toThrow(`${path}: recording the result of m1 / t1 in run r9: there is no run r9`);
	});

	test('a result the schema rejects fails with the path and the item, and nothing is written', () => {
		const {path, store} = storeWithRun();
		expect(() => store.recordResult('r1', result('m1', 't1', 'passed', {attempts: 1.5}))).toThrow(new RegExp(`^${path}: recording the result of m1 / t1 in run r1: SQLITE_CONSTRAINT_DATATYPE`));
		expect(store.results('r1')).toEqual([]);
	});

	test('latencyStats: count, mean and median of answered results per model, over recent runs', () => {
		const {store} = storeWithRun(realProvider('r1'));
		store.createRun(realProvider('r2', {startedAt: 2000}));
		const latencies = {m1: [100, 300, 200, 1000], m2: [50, 70, 60]};
		for (const [model, values] of Object.entries(latencies)) {
			values.forEach((latencyMs, index) => store.recordResult(index % 2 === 0 ? 'r1' : 'r2', result(model, `t${index}`, index === 1 ? 'failed' : 'passed', {latencyMs})));
		}

		store.recordResult('r2', result('m1', 'slow-error', 'errored', {latencyMs: 99_999}));
		store.recordResult('r2', result('m3', 't1', 'errored'));
		const stats = store.latencyStats();
		expect(stats).toEqual(new Map([
			['m1', {count: 4, meanMs: 400, p50Ms: 250}],
			['m2', {count: 3, meanMs: 60, p50Ms: 60}],
		]));
		expect(store.latencyStats(['m2', 'm3'])).toEqual(new Map([['m2', {count: 3, meanMs: 60, p50Ms: 60}]]));
	});

	test('latencyStats leaves out answers from the built-in simulator: they say nothing about a real provider', () => {
		const {store} = storeWithRun(realProvider('r1'));
		store.createRun(runInput('demo', {startedAt: 2000}));
		store.recordResult('r1', result('m1', 't1', 'passed', {latencyMs: 10_000}));
		store.recordResult('demo', result('m1', 't1', 'passed', {latencyMs: 50}));
		expect(store.latencyStats(['m1'])).toEqual(new Map([['m1', {count: 1, meanMs: 10_000, p50Ms: 10_000}]]));
	});
});

/** A run whose provider "sim" is a real OpenAI-compatible one, not the simulator. */
function realProvider(id: string, overrides: Partial<CreateRunInput> = {}): CreateRunInput {
	return runInput(id, {configJson: {providers: {sim: {type: 'openai', baseURL: 'https://gw/v1', models: ['m1', 'm2']}}}, ...overrides});
}
