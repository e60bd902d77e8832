import {describe, expect, it} from 'vitest';
import {keyCommands, type KeyInfo, type KeyState, type LaneControl} from '../../source/ui/key-commands.js';

const none: KeyInfo = {upArrow: false, downArrow: false, tab: false, shift: false, ctrl: false, meta: false, escape: false};
const laneControl = (name: string, change: Partial<LaneControl> = {}): LaneControl => ({
	name, state: 'running', paused: false, concurrency: 4, maxConcurrency: 16, adaptive: true, ...change,
});
const state = (change: Partial<KeyState> = {}): KeyState => ({
	lanes: [laneControl('azure'), laneControl('idealab', {concurrency: 2}), laneControl('groq', {concurrency: 1, maxConcurrency: 6})],
	selected: 0,
	helpOpen: false,
	...change,
});

describe('keyCommands', () => {
	it('counts every key of a chunk, each building on the one before', () => {
		expect(keyCommands('+++', none, state())).toEqual([4, 5, 6].map(from => ({type: 'setConcurrency', lane: 'azure', value: from + 1})));
		expect(keyCommands('p+', none, state())).toEqual([{type: 'pause', lane: 'azure'}, {type: 'setConcurrency', lane: 'azure', value: 5}]);
		expect(keyCommands('2p3a', none, state())).toEqual([
			{type: 'select', index: 1}, {type: 'pause', lane: 'idealab'},
			{type: 'select', index: 2}, {type: 'setAdaptive', lane: 'groq', on: false},
		]);
	});

	it('never goes below 1 nor above the lane maximum, and sends nothing for no change', () => {
		const groq = state({selected: 2});
		expect(keyCommands('-', none, groq)).toEqual([]);
		expect(keyCommands('[', none, groq)).toEqual([]);
		expect(keyCommands(']]', none, groq)).toEqual([{type: 'setConcurrency', lane: 'groq', value: 6}]);
		expect(keyCommands('[', none, state())).toEqual([{type: 'setConcurrency', lane: 'azure', value: 1}]);
	});

	it('"P" looks only at lanes that can still run', () => {
		const lanes = [laneControl('a', {paused: true, state: 'paused'}), laneControl('b', {state: 'stopped'}), laneControl('c', {state: 'done'})];
		expect(keyCommands('P', none, state({lanes}))).toEqual([{type: 'resume', lane: 'a'}]);
		expect(keyCommands('PP', none, state())).toEqual([
			...['azure', 'idealab', 'groq'].map(lane => ({type: 'pause', lane})),
			...['azure', 'idealab', 'groq'].map(lane => ({type: 'resume', lane})),
		]);
	});

	it('maps q, Ctrl-C (alone or in a chunk), and ignores other control keys', () => {
		expect(keyCommands('c', {...none, ctrl: true}, state())).toEqual([{type: 'stop'}]);
		expect(keyCommands('\u0003\u0003', none, state())).toEqual([{type: 'stop'}, {type: 'stop'}]);
		expect(keyCommands('qq', none, state())).toEqual([{type: 'stop'}, {type: 'stop'}]);
		expect(keyCommands('p', {...none, ctrl: true}, state())).toEqual([]);
		expect(keyCommands('', {...none, escape: true, meta: true}, state())).toEqual([]);
	});

	it('selects with digits, arrows and tab, wrapping around', () => {
		expect(keyCommands('9', none, state())).toEqual([]);
		expect(keyCommands('', {...none, upArrow: true}, state())).toEqual([{type: 'select', index: 2}]);
		expect(keyCommands('', {...none, downArrow: true}, state({selected: 2}))).toEqual([{type: 'select', index: 0}]);
		expect(keyCommands('', {...none, tab: true, shift: true}, state())).toEqual([{type: 'select', index: 2}]);
		expect(keyCommands('\t\t', none, state())).toEqual([{type: 'select', index: 1}, {type: 'select', index: 2}]);
	});

	it('help: "?" opens; any key closes it and does nothing else, except Ctrl-C', () => {
		expect(keyCommands('?', none, state())).toEqual([{type: 'help', open: true}]);
		expect(keyCommands('+', none, state({helpOpen: true}))).toEqual([{type: 'help', open: false}]);
		expect(keyCommands('', {...none, escape: true}, state({helpOpen: true}))).toEqual([{type: 'help', open: false}]);
		expect(keyCommands('c', {...none, ctrl: true}, state({helpOpen: true}))).toEqual([{type: 'help', open: false}, {type: 'stop'}]);
		expect(keyCommands('?+', none, state())).toEqual([{type: 'help', open: true}, {type: 'help', open: false}]);
	});

	it('does nothing for lane keys when there are no lanes', () => {
		expect(keyCommands('+pas12', none, state({lanes: []}))).toEqual([]);
	});
});
