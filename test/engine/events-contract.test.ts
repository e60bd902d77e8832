import {describe, expect, it} from 'vitest';
import type {EngineEvent} from '../../source/engine/types.js';
import {realEngine} from '../helpers/real-engine.js';

/** The events without their wall-clock times: what a view relies on. */
const shape = (events: EngineEvent[]) => events.map(event => {
	const {at: _at, ...rest} = event as EngineEvent & {at?: number};
	return rest;
});

const settings = (overrides: Record<string, unknown> = {}) => ({concurrency: 2, minConcurrency: 1, maxConcurrency: 16, adaptive: false, paused: false, ...overrides});

describe('the engine\'s events, the one contract with its views, driven through every operator control', () => {
	it('setConcurrency tells the change as a limit event (cause operator) with the lane\'s settings, then the operator event', async () => {
		const run = realEngine([{name: 'azure'}]);
		expect(shape(run.during(() => run.engine.setConcurrency('azure', 5)))).toEqual([
			{type: 'limit', lane: 'azure', from: 2, to: 5, cause: 'operator', settings: settings({concurrency: 5})},
			{type: 'operator', operator: {action: 'set_concurrency', lane: 'azure', value: 5}, settings: settings({concurrency: 5})},
		]);
		// The new slots are used at once (the requests reach the client a turn later, through p-limit).
		await run.clock.until(() => run.clients.get('azure')!.held === 5, 'five requests in flight');
		await run.close();
	});

	it('pause and resume: the state change, then the operator event with the settings', async () => {
		const run = realEngine([{name: 'azure'}]);
		expect(shape(run.during(() => run.engine.pause('azure')))).toEqual([
			{type: 'state', lane: 'azure', state: 'paused'},
			{type: 'operator', operator: {action: 'pause', lane: 'azure'}, settings: settings({paused: true})},
		]);
		expect(shape(run.during(() => run.engine.resume('azure')))).toEqual([
			{type: 'state', lane: 'azure', state: 'running'},
			{type: 'operator', operator: {action: 'resume', lane: 'azure'}, settings: settings()},
		]);
		await run.close();
	});

	it('setAdaptive and skipRest are told with the settings after them', async () => {
		const run = realEngine([{name: 'azure'}]);
		expect(shape(run.during(() => run.engine.setAdaptive('azure', true)))).toEqual([
			{type: 'operator', operator: {action: 'set_adaptive', lane: 'azure', value: true}, settings: settings({adaptive: true})},
		]);
		expect(shape(run.during(() => run.engine.skipRest('azure')))).toEqual([
			{type: 'operator', operator: {action: 'skip_rest', lane: 'azure'}, settings: settings({adaptive: true})},
		]);
		await run.close();
	});

	it('stop: graceful (lanes stopping while in flight finish), then abort ends the run as interrupted', async () => {
		const run = realEngine([{name: 'azure'}, {name: 'idealab'}]);
		expect(shape(run.during(() => run.engine.stop()))).toEqual([
			{type: 'operator', operator: {action: 'stop', mode: 'graceful'}},
			{type: 'state', lane: 'azure', state: 'stopping'},
			{type: 'state', lane: 'idealab', state: 'stopping'},
		]);
		run.engine.stop();
		let status: string | undefined;
		void run.running.then(value => {
			status = value;
		});
		await run.clock.until(() => status !== undefined, 'the run to end');
		const tail = shape(run.events).filter(event => event.type === 'operator' || event.type === 'done' || (event.type === 'state' && event.state === 'stopped'));
		expect(tail.slice(-4)).toEqual([
			{type: 'operator', operator: {action: 'stop', mode: 'abort'}},
			{type: 'state', lane: 'azure', state: 'stopped'},
			{type: 'state', lane: 'idealab', state: 'stopped'},
			{type: 'done', status: 'interrupted'},
		]);
		expect(status).toBe('interrupted');
	});
});
