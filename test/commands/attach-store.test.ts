import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {attach} from '../../source/commands/attach-store.js';
import type {EngineEvent, EngineView} from '../../source/engine/types.js';
import {openStore} from '../../source/store/index.js';
import {realEngine} from '../helpers/real-engine.js';
import {runInput, temporaryDirectory, track} from '../store/helpers.js';
import {FakeEngine, lane, snapshot} from '../ui/fake-engine.js';

function storeWithRun() {
	const store = track(openStore(join(temporaryDirectory(), 'runs.db')));
	store.createRun(runInput('r1', {lanes: [{lane: 'sim', concurrency: 4, minConcurrency: 1, maxConcurrency: 16, adaptive: true, paused: false}]}));
	return store;
}

const saved = (store: ReturnType<typeof storeWithRun>) => store.getRun('r1')!.lanes.find(item => item.lane === 'sim');

describe('attach(engine, store, runId)', () => {
	it('saves what the operator changes on the real engine, so a resume starts from it', async () => {
		const store = storeWithRun();
		const real = realEngine([{name: 'sim', concurrency: 4, adaptive: true}]);
		const detach = attach(real.engine, store, 'r1');
		real.engine.setConcurrency('sim', 9);
		real.engine.setAdaptive('sim', false);
		real.engine.pause('sim');
		expect(saved(store)).toMatchObject({concurrency: 9, adaptive: false, paused: true});
		detach();
		await real.close();
	});

	it('takes the settings an event carries, without asking the engine for a snapshot', () => {
		const store = storeWithRun();
		const engine = new FakeEngine(snapshot([lane('sim', {concurrency: 2})]));
		const detach = attach(engine, store, 'r1');
		const calls = engine.snapshotCalls;
		const settings = {concurrency: 12, minConcurrency: 1, maxConcurrency: 20, adaptive: true, paused: false};
		const event: EngineEvent = {type: 'limit', lane: 'sim', from: 8, to: 12, cause: 'increase', at: 1, settings};
		engine.emit(event);
		expect(engine.snapshotCalls).toBe(calls);
		expect(saved(store)).toMatchObject(settings);
		// detach saves every lane as the engine ends it.
		detach();
		expect(saved(store)).toMatchObject({concurrency: 2});
	});

	it('records notable events and attempts, not results', () => {
		const store = storeWithRun();
		const listeners: Array<(event: EngineEvent) => void> = [];
		const engine: EngineView = {subscribe: listener => (listeners.push(listener), () => {}), snapshot: () => snapshot([])};
		attach(engine, store, 'r1');
		const emit = (event: EngineEvent) => listeners.forEach(listener => listener(event));
		emit({type: 'attempt', attempt: {provider: 'sim', model: 'm1', testId: 't1', attempt: 1, outcome: 'ok', latencyMs: 5, at: 1}});
		emit({type: 'result', result: {provider: 'sim', model: 'm1', testId: 't1', status: 'passed', attempts: 1, finishedAt: 2}});
		emit({type: 'lane_stopped', lane: 'sim', reason: 'auth', at: 3});
		expect(store.providerStats('r1').get('sim')?.requests).toBe(1);
		expect(store.results('r1')).toEqual([]);
	});
});
