import {join} from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, test} from 'vitest';
import {itemKey, newRunId, openStore} from '../../source/store/index.js';
import {result, runInput, temporaryDirectory, track} from './helpers.js';

function newStore() {
	const path = join(temporaryDirectory(), 'runs.db');
	return {path, store: track(openStore(path))};
}

describe('run ids', () => {
	test('look like r20261126-0645-ab12, in UTC', () => {
		expect(newRunId(new Date('2026-11-26T06:45:59Z'))).toMatch(/^r20261126-0645-[a-z\d]{4}$/);
	});

	test('sort by start time and differ within a minute', () => {
		const ids = [newRunId(new Date('2026-01-02T09:05:00Z')), newRunId(new Date('2026-01-02T10:00:00Z')), newRunId(new Date('2026-11-26T06:45:00Z'))];
		expect([...ids].sort()).toEqual(ids);
		const sameMinute = new Set(Array.from({length: 50}, () => newRunId(new Date('2026-01-02T09:05:00Z'))));
		expect(sameMinute.size).toBeGreaterThan(45);
	});
});

describe('runs', () => {
	test('a run comes back as it was created, status running, lanes in order', () => {
		const {store} = newStore();
		const input = runInput('r1', {
			lanes: [
				{lane: 'zeta', concurrency: 2, minConcurrency: 1, maxConcurrency: 8, adaptive: false, paused: true, qps: 2.5},
				{lane: 'alpha', concurrency: 4, minConcurrency: 1, maxConcurrency: 16, adaptive: true, paused: false},
			],
		});
		store.createRun(input);
		expect(store.getRun('r1')).toEqual({
			id: 'r1',
			startedAt: 1000,
			status: 'running',
			config: input.configJson,
			configPath: input.configPath,
			suitePath: input.suitePath,
			suiteHash: input.suiteHash,
			models: input.models,
			testIds: input.testIds,
			lanes: input.lanes,
		});
		expect(store.getRun('nope')).toBeUndefined();
	});

	test('a run id is used once', () => {
		const {path, store} = newStore();
		store.createRun(runInput('r1'));
		expect(() => store.createRun(runInput('r1'))).toThrow(new RegExp(`^${path}: creating run r1: SQLITE_CONSTRAINT_PRIMARYKEY`));
	});

	test('no apiKey is ever stored, at any depth and in any spelling; apiKeyEnv is kept', () => {
		const {path, store} = newStore();
		const secret = 'sk-very-secret-1234';
		store.createRun(runInput('r1', {
			configJson: {
				apiKey: secret,
				providers: {sim: {type: 'simulated', apiKeyEnv: 'SIM_KEY', simulate: {apiKey: secret}}, list: [{api_key: secret, APIKEY: secret, 'api-key': secret}]},
			},
		}));
		expect(store.getRun('r1')?.config).toEqual({providers: {sim: {type: 'simulated', apiKeyEnv: 'SIM_KEY', simulate: {}}, list: [{}]}});
		store.close();
		const db = new Database(path, {readonly: true});
		const stored = db.prepare<[], {config_json: string}>('SELECT config_json FROM runs').get()!.config_json;
		db.close();
		expect(stored).not.toContain(secret);
		expect(stored).not.toMatch(/"api[-_]?key"/i);
	});

	test('lane settings are updated in place, and a new lane goes last', () => {
		const {store} = newStore();
		store.createRun(runInput('r1'));
		store.saveLaneSettings('r1', {lane: 'extra', concurrency: 1, minConcurrency: 1, maxConcurrency: 2, adaptive: false, paused: false});
		store.saveLaneSettings('r1', {lane: 'sim', concurrency: 9, minConcurrency: 2, maxConcurrency: 16, adaptive: false, paused: true, qps: 5});
		expect(store.getRun('r1')?.lanes).toEqual([
			{lane: 'sim', concurrency: 9, minConcurrency: 2, maxConcurrency: 16, adaptive: false, paused: true, qps: 5},
			{lane: 'extra', concurrency: 1, minConcurrency: 1, maxConcurrency: 2, adaptive: false, paused: false},
		]);
	});

	test('status and end time; running again (a resume) clears the end time', () => {
		const {path, store} = newStore();
		store.createRun(runInput('r1'));
		store.setRunStatus('r1', 'interrupted', 5000);
		expect(store.getRun('r1')).toMatchObject({status: 'interrupted', endedAt: 5000});
		store.setRunStatus('r1', 'running');
		expect(store.getRun('r1')?.status).toBe('running');
		expect(store.getRun('r1')?.endedAt).toBeUndefined();
		store.setRunStatus('r1', 'completed', 9000);
		expect(store.getRun('r1')).toMatchObject({status: 'completed', endedAt: 9000});
		expect(() => store.setRunStatus('missing', 'completed', 1)).toThrow(`${path}: setting the status of run missing: there is no such run`);
	});

	test('latestUnfinishedRun: the newest run that did not complete', () => {
		const {store} = newStore();
		expect(store.latestUnfinishedRun()).toBeUndefined();
		store.createRun(runInput('r-old', {startedAt: 1000}));
		store.createRun(runInput('r-mid', {startedAt: 2000}));
		store.createRun(runInput('r-new', {startedAt: 3000}));
		store.setRunStatus('r-new', 'completed', 3500);
		store.setRunStatus('r-old', 'incomplete', 1500);
		expect(store.latestUnfinishedRun()?.id).toBe('r-mid');
		store.setRunStatus('r-mid', 'completed', 2500);
		expect(store.latestUnfinishedRun()?.id).toBe('r-old');
		store.setRunStatus('r-old', 'completed', 1600);
		expect(store.latestUnfinishedRun()).toBeUndefined();
	});

	test('listRuns: newest first, items = models x tests, counts by status', () => {
		const {store} = newStore();
		store.createRun(runInput('r1', {startedAt: 1000}));
		store.createRun(runInput('r2', {startedAt: 2000, testIds: ['t1']}));
		store.recordResult('r1', result('m1', 't1', 'passed'));
		store.recordResult('r1', result('m1', 't2', 'failed'));
		store.recordResult('r1', result('m2', 't1', 'errored'));
		store.recordResult('r1', result('m2', 't2', 'passed'));
		store.setRunStatus('r1', 'interrupted', 1800);
		store.acquireLock('r2');
		expect(store.listRuns()).toEqual([
			{id: 'r2', startedAt: 2000, status: 'running', items: 2, done: 0, passed: 0, failed: 0, errored: 0},
			{id: 'r1', startedAt: 1000, endedAt: 1800, status: 'interrupted', items: 6, done: 4, passed: 2, failed: 1, errored: 1},
		]);
	});

	test('narrowRun: a run narrowed to fewer tests and models counts only those; the other results stay', () => {
		const {store} = newStore();
		store.createRun(runInput('r1'));
		store.recordResult('r1', result('m1', 't1', 'passed'));
		store.recordResult('r1', result('m1', 't3', 'failed'));
		store.recordResult('r1', result('m2', 't1', 'passed'));
		store.narrowRun('r1', {models: [{name: 'm1', provider: 'sim', apiModel: 'm1'}], testIds: ['t1', 't2']});
		expect(store.listRuns()[0]).toMatchObject({items: 2, done: 1, passed: 1, failed: 0});
		expect(store.getRun('r1')).toMatchObject({testIds: ['t1', 't2'], models: [{name: 'm1'}]});
		expect(store.results('r1')).toHaveLength(3);
	});

	test('listRuns: a run marked running whose process is gone reads as interrupted', () => {
		const {store} = newStore();
		store.createRun(runInput('killed'));
		// No live process holds its lock (its process was killed with -9 before it could say how it ended).
		expect(store.listRuns()[0]?.status).toBe('interrupted');
		expect(store.getRun('killed')?.status).toBe('running');
	});

	test('finalKeys: items with a final result, errored ones only when asked', () => {
		const {store} = newStore();
		store.createRun(runInput('r1'));
		store.recordResult('r1', result('m1', 't1', 'passed'));
		store.recordResult('r1', result('m1', 't2', 'errored'));
		store.recordResult('r1', result('m2', 't1', 'failed'));
		expect(store.finalKeys('r1', {includeErrored: false})).toEqual(new Set([itemKey('m1', 't1'), itemKey('m2', 't1')]));
		expect(store.finalKeys('r1', {includeErrored: true})).toEqual(new Set([itemKey('m1', 't1'), itemKey('m2', 't1'), itemKey('m1', 't2')]));
		expect(itemKey('m1', 't1')).toBe('m1\u0000t1');
	});
});
