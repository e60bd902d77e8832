import {useSyncExternalStore} from 'react';
import {useStdin} from 'ink';
import type {EngineControls, EngineView} from '../engine/types.js';
import {Dashboard} from './Dashboard.js';
import type {RunInfo} from './Header.js';
import type {SnapshotStore} from './snapshot-store.js';
import {useKeys} from './use-keys.js';
import {useTerminalSize} from './use-terminal-size.js';

type Props = {
	engine: EngineView & EngineControls;
	store: SnapshotStore;
	info: RunInfo;
};

/** The whole TUI: reads the store's snapshots, sends key commands to the engine, schedules nothing. */
export function App({engine, store, info}: Props) {
	const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
	const {isRawModeSupported} = useStdin();
	const keys = useKeys(engine, {isActive: isRawModeSupported});
	const size = useTerminalSize();

	return <Dashboard state={state} info={info} keys={keys} size={size}/>;
}
