import {join} from 'node:path';
import Database from 'better-sqlite3';
import {describe, expect, test} from 'vitest';
import type {EngineEvent} from '../../source/engine/types.js';
import {openStore} from '../../source/store/index.js';
import {FakeClock} from '../helpers/fake-clock.js';
import {attempt, result, runInput, temporaryDirectory, track} from './helpers.js';

function storeWithRun() {
	const path = join(temporaryDirectory(), 'runs.db');
	const clock = new FakeClock();
	const store = track(openStore(path, {clock}));
	store.createRun(runInput('r1'));
	return {path, store, clock};
}

/** Rows as another connection sees them: what is committed, not what waits in the buffer. */
function committed(path: string, table: 'attempts' | 'events'): Array<Record<string, unknown>> {
	const db = new Database(path, {readonly: true});
	try {
		return db.prepare(`SELECT * FROM ${table} ORDER BY id`).all() as Array<Record<string, unknown>>;
	} finally {
		db.close();
	}
}

describe('attempts', () => {
	test('are stored with every field', () => {
		const {path, store} = storeWithRun();
		store.recordAttempt('r1', attempt('m1', 't1', 1, {outcome: 'rate_limit', status: 429, retryAfterMs: 2000, errorMessage: 'slow down', latencyMs: 12.5, at: 1234}));
		store.recordAttempt('r1', attempt('m1', 't1', 2));
		store.close();
		expect(committed(path, 'attempts')).toEqual([
			{id: 1, run_id: 'r1', provider: 'sim', model: 'm1', test_id: 't1', attempt: 1, outcome: 'rate_limit', status: 429, latency_ms: 12.5, retry_after_ms: 2000, error_message: 'slow down', at: 1234},
			{id: 2, run_id: 'r1', provider: 'sim', model: 'm1', test_id: 't1', attempt: 2, outcome: 'ok', status: 200, latency_ms: 50, retry_after_ms: null, error_message: null, at: 1500},
		]);
	});

	test('wait in a buffer, written after 100 ms in one go', async () => {
		const {path, store, clock} = storeWithRun();
		store.recordAttempt('r1', attempt('m1', 't1', 1));
		store.recordAttempt('r1', attempt('m1', 't2', 1));
		expect(committed(path, 'attempts')).toHaveLength(0);
		await clock.advance(99);
		expect(committed(path, 'attempts')).toHaveLength(0);
		await clock.advance(1);
		expect(committed(path, 'attempts')).toHaveLength(2);
	});

	test('are written as soon as 1000 wait', () => {
		const {path, store} = storeWithRun();
		for (let index = 0; index < 999; index++) store.recordAttempt('r1', attempt('m1', `t${index}`, 1));
		expect(committed(path, 'attempts')).toHaveLength(0);
		store.recordAttempt('r1', attempt('m1', 'last', 1));
		expect(committed(path, 'attempts')).toHaveLength(1000);
	});

	test('are written on setRunStatus, releaseLock and close, without waiting for the timer', () => {
		const {path, store} = storeWithRun();
		store.recordAttempt('r1', attempt('m1', 't1', 1));
		store.setRunStatus('r1', 'interrupted', 3000);
		expect(committed(path, 'attempts')).toHaveLength(1);
		store.acquireLock('r1');
		store.recordAttempt('r1', attempt('m1', 't2', 1));
		store.releaseLock('r1');
		expect(committed(path, 'attempts')).toHaveLength(2);
		store.recordAttempt('r1', attempt('m1', 't3', 1));
		store.close();
		expect(committed(path, 'attempts')).toHaveLength(3);
	});

	test('a bad attempt is refused when recorded and does not block the others', () => {
		const {path, store} = storeWithRun();
		store.recordAttempt('r1', attempt('m1', 't1', 1));
		expect(() => store.recordAttempt('r1', attempt('m1', 't1', 2, {outcome: 'weird' as 'ok'}))).toThrow(`${path}: recording attempt 2 of m1 / t1 in run r1: outcome "weird" is not one of`);
		expect(() => store.recordAttempt('r9', attempt('m1', 't1', 1))).toThrow(`${path}: recording attempt 1 of m1 / t1 in run r9: there is no run r9`);
		store.recordAttempt('r1', attempt('m1', 't1', 2));
		store.close();
		expect(committed(path, 'attempts')).toHaveLength(2);
	});

	test('providerStats: requests, 429s, retries beyond the first attempt per item, first and last time', () => {
		const {store} = storeWithRun();
		// m1/t1: 429, 429, ok. m1/t2: ok. m2/t1: transient, ok (numbering restarted, as after a resume). m3/t1: two outage failures, ok.
		store.recordAttempt('r1', attempt('m1', 't1', 1, {outcome: 'rate_limit', status: 429, at: 100}));
		store.recordAttempt('r1', attempt('m1', 't1', 2, {outcome: 'rate_limit', status: 429, at: 200}));
		store.recordAttempt('r1', attempt('m1', 't1', 3, {at: 300}));
		store.recordAttempt('r1', attempt('m1', 't2', 1, {at: 150}));
		store.recordAttempt('r1', attempt('m2', 't1', 1, {outcome: 'transient', status: 503, at: 120}));
		store.recordAttempt('r1', attempt('m2', 't1', 1, {at: 400}));
		store.recordAttempt('r1', attempt('x1', 't1', 1, {provider: 'other', outcome: 'auth', status: 401, at: 50}));
		// While sim was down: two refused, one of them the probe, then it answered after 2 s down.
		store.recordAttempt('r1', attempt('m3', 't1', 1, {outcome: 'outage', status: 503, at: 310}));
		store.recordAttempt('r1', attempt('m3', 't1', 2, {outcome: 'outage', status: 503, at: 320}));
		store.recordAttempt('r1', attempt('m3', 't1', 3, {at: 330}));
		store.recordEvent('r1', {type: 'outage', lane: 'sim', phase: 'down', failures: 5, probeEveryMs: 200, at: 305});
		store.recordEvent('r1', {type: 'outage', lane: 'sim', phase: 'up', downMs: 2000, at: 330});
		store.createRun(runInput('r2'));
		store.recordAttempt('r2', attempt('m1', 't1', 1, {at: 999}));
		// Read straight away: attempts still waiting in the buffer are written first.
		expect(store.providerStats('r1')).toEqual(new Map([
			['other', {requests: 1, rateLimited: 0, retries: 0, outageFailures: 0, transientFailures: 0, outages: 0, downMs: 0, firstAt: 50, lastAt: 50}],
			['sim', {requests: 9, rateLimited: 2, retries: 5, outageFailures: 2, transientFailures: 1, outages: 1, downMs: 2000, firstAt: 100, lastAt: 400}],
		]));
		expect(store.providerStats('r3')).toEqual(new Map());
	});
});

describe('events', () => {
	const events: EngineEvent[] = [
		{type: 'limit', lane: 'sim', from: 8, to: 4, cause: 'rate_limit', at: 10},
		{type: 'operator', operator: {action: 'set_concurrency', lane: 'sim', value: 12}, at: 11},
		{type: 'operator', operator: {action: 'stop', mode: 'graceful'}, at: 12},
		{type: 'lane_stopped', lane: 'sim', reason: 'HTTP 401', at: 13},
		{type: 'batch', lane: 'sim', index: 1, count: 3, models: ['m1'], phase: 'rest', restMs: 30_000, at: 14},
		{type: 'rate_limited', lane: 'sim', retryAfterMs: 2000, inFlight: 5, at: 15},
		{type: 'state', lane: 'sim', state: 'cooling', reason: 'Retry-After 2 s', at: 16},
	];

	test('operator actions and controller decisions are stored with lane, kind and detail', () => {
		const {path, store} = storeWithRun();
		for (const event of events) store.recordEvent('r1', event);
		store.close();
		const rows = committed(path, 'events').map(row => ({at: row.at, lane: row.lane, kind: row.kind, detail: JSON.parse(row.detail_json as string) as unknown}));
		expect(rows).toEqual([
			{at: 10, lane: 'sim', kind: 'limit', detail: {from: 8, to: 4, cause: 'rate_limit'}},
			{at: 11, lane: 'sim', kind: 'operator', detail: {operator: {action: 'set_concurrency', lane: 'sim', value: 12}}},
			{at: 12, lane: null, kind: 'operator', detail: {operator: {action: 'stop', mode: 'graceful'}}},
			{at: 13, lane: 'sim', kind: 'lane_stopped', detail: {reason: 'HTTP 401'}},
			{at: 14, lane: 'sim', kind: 'batch', detail: {index: 1, count: 3, models: ['m1'], phase: 'rest', restMs: 30_000}},
			{at: 15, lane: 'sim', kind: 'rate_limited', detail: {retryAfterMs: 2000, inFlight: 5}},
			{at: 16, lane: 'sim', kind: 'state', detail: {state: 'cooling', reason: 'Retry-After 2 s'}},
		]);
	});

	test('attempt, result and done events are not stored as events', () => {
		const {path, store} = storeWithRun();
		store.recordEvent('r1', {type: 'attempt', attempt: attempt('m1', 't1', 1)});
		store.recordEvent('r1', {type: 'result', result: result('m1', 't1', 'passed')});
		store.recordEvent('r1', {type: 'done', status: 'completed', at: 20});
		store.close();
		expect(committed(path, 'events')).toEqual([]);
		expect(committed(path, 'attempts')).toEqual([]);
	});
});
