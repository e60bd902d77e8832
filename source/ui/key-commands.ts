import type {LaneState} from '../engine/types.js';
import {clamp} from '../text/format.js';

/** The parts of Ink's `Key` the mapping reads (Ink's `Key` fits). */
export type KeyInfo = {
	upArrow: boolean;
	downArrow: boolean;
	tab: boolean;
	shift: boolean;
	ctrl: boolean;
	meta: boolean;
	escape: boolean;
};

/** What the keys need to know about one lane. */
export type LaneControl = {
	name: string;
	state: LaneState;
	paused: boolean;
	concurrency: number;
	maxConcurrency: number;
	adaptive: boolean;
};

export type KeyState = {lanes: readonly LaneControl[]; selected: number; helpOpen: boolean};

/** A UI change (`select`, `help`) or an engine call. */
export type Command =
	| {type: 'select'; index: number}
	| {type: 'help'; open: boolean}
	| {type: 'setConcurrency'; lane: string; value: number}
	| {type: 'setAdaptive'; lane: string; on: boolean}
	| {type: 'pause'; lane: string}
	| {type: 'resume'; lane: string}
	| {type: 'skipRest'; lane: string}
	| {type: 'stop'};

const steps: Record<string, number> = {'+': 1, '=': 1, '-': -1, ']': 5, '[': -5};
const ctrlC = '\u0003';
const finished = new Set<LaneState>(['done', 'stopped']);

/** The state after a command, so later keys of the same input chunk build on earlier ones. */
export function applyCommand(state: KeyState, command: Command): KeyState {
	const lane = (name: string, change: Partial<LaneControl>) => ({
		...state,
		lanes: state.lanes.map(item => (item.name === name ? {...item, ...change} : item)),
	});
	switch (command.type) {
		case 'select': return {...state, selected: command.index};
		case 'help': return {...state, helpOpen: command.open};
		case 'setConcurrency': return lane(command.lane, {concurrency: command.value});
		case 'setAdaptive': return lane(command.lane, {adaptive: command.on});
		case 'pause': return lane(command.lane, {paused: true});
		case 'resume': return lane(command.lane, {paused: false});
		default: return state;
	}
}

/**
 * Maps one `useInput` call to commands. A paste, tmux or a pty can deliver several keys at once
 * ('++', '2p'): each character counts, in order, each seeing the effect of the ones before it.
 */
export function keyCommands(input: string, key: KeyInfo, initial: KeyState): Command[] {
	const commands: Command[] = [];
	let state = initial;
	const emit = (command: Command) => {
		commands.push(command);
		state = applyCommand(state, command);
	};

	const count = state.lanes.length;
	const move = (delta: number) => {
		if (count > 0) emit({type: 'select', index: (state.selected + delta + count) % count});
	};

	if (key.ctrl && input === 'c') {
		if (state.helpOpen) emit({type: 'help', open: false});
		emit({type: 'stop'});
		return commands;
	}

	if (state.helpOpen) {
		emit({type: 'help', open: false});
		if (input.includes(ctrlC)) emit({type: 'stop'});
		return commands;
	}

	if (key.escape || key.ctrl || key.meta) return commands;
	if (key.upArrow) move(-1);
	else if (key.downArrow) move(1);
	else if (key.tab) move(key.shift ? -1 : 1);
	if (key.upArrow || key.downArrow || key.tab) return commands;

	for (const char of input) {
		if (state.helpOpen) {
			emit({type: 'help', open: false});
			continue;
		}

		const lane = state.lanes[state.selected];
		if (char === ctrlC || char === 'q') {
			emit({type: 'stop'});
		} else if (char === '?') {
			emit({type: 'help', open: true});
		} else if (char === '\t') {
			move(1);
		} else if (/^[1-9]$/.test(char)) {
			const index = Number(char) - 1;
			if (index < count) emit({type: 'select', index});
		} else if (char === 'P') {
			const active = state.lanes.filter(item => !finished.has(item.state));
			const pauseAll = active.some(item => !item.paused);
			for (const item of active) {
				if (item.paused !== pauseAll) emit({type: pauseAll ? 'pause' : 'resume', lane: item.name});
			}
		} else if (!lane) {
			continue;
		} else if (char in steps) {
			const value = clamp(lane.concurrency + steps[char]!, 1, Math.max(1, lane.maxConcurrency));
			if (value !== lane.concurrency) emit({type: 'setConcurrency', lane: lane.name, value});
		} else if (char === 'a') {
			emit({type: 'setAdaptive', lane: lane.name, on: !lane.adaptive});
		} else if (char === 'p') {
			emit({type: lane.paused ? 'resume' : 'pause', lane: lane.name});
		} else if (char === 's') {
			emit({type: 'skipRest', lane: lane.name});
		}
	}

	return commands;
}
