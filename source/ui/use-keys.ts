import {useCallback, useRef, useState} from 'react';
import {useInput, type Key} from 'ink';
import type {EngineControls, EngineView, LaneSnapshot} from '../engine/types.js';
import {applyCommand, keyCommands, type Command, type KeyState, type LaneControl} from './key-commands.js';

/** The UI's own state that keys change. */
export type KeysView = {selected: number; helpOpen: boolean};

const toControl = (lane: LaneSnapshot): LaneControl => ({
	name: lane.name,
	state: lane.state,
	paused: lane.paused,
	concurrency: lane.concurrency,
	maxConcurrency: lane.maxConcurrency,
	adaptive: lane.adaptive,
});

function send(engine: EngineControls, command: Command): void {
	switch (command.type) {
		case 'setConcurrency': engine.setConcurrency(command.lane, command.value); break;
		case 'setAdaptive': engine.setAdaptive(command.lane, command.on); break;
		case 'pause': engine.pause(command.lane); break;
		case 'resume': engine.resume(command.lane); break;
		case 'skipRest': engine.skipRest(command.lane); break;
		case 'stop': engine.stop(); break;
		default: break;
	}
}

/**
 * Keys -> engine commands. Lane values come from `engine.snapshot()` at the moment of the key, not
 * from the last rendered frame, so quick presses in separate chunks build on each other too.
 */
export function useKeys(engine: EngineView & EngineControls, options: {isActive: boolean}): KeysView {
	// A ref, not only state: two input chunks can arrive before React re-subscribes the handler.
	const current = useRef<KeysView>({selected: 0, helpOpen: false});
	const [view, setView] = useState<KeysView>(current.current);

	const onInput = useCallback((input: string, key: Key) => {
		const lanes = engine.snapshot().lanes.map(toControl);
		const selected = Math.min(current.current.selected, Math.max(0, lanes.length - 1));
		const state: KeyState = {lanes, selected, helpOpen: current.current.helpOpen};
		const commands = keyCommands(input, key, state);
		for (const command of commands) send(engine, command);
		const next = commands.reduce(applyCommand, state);
		if (next.selected !== current.current.selected || next.helpOpen !== current.current.helpOpen) {
			current.current = {selected: next.selected, helpOpen: next.helpOpen};
			setView(current.current);
		}
	}, [engine]);

	useInput(onInput, {isActive: options.isActive});
	return view;
}
