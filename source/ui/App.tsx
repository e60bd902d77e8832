import {useSyncExternalStore} from 'react';
import {Box, Static, useStdin} from 'ink';
import type {EngineControls, EngineView} from '../engine/types.js';
import type {RunSummary} from '../report/summary-types.js';
import {Dashboard} from './Dashboard.js';
import type {RunInfo} from './Header.js';
import type {SnapshotStore} from './snapshot-store.js';
import {SummaryTable, type FinishCommands} from './SummaryTable.js';
import {useKeys} from './use-keys.js';
import {useTerminalSize} from './use-terminal-size.js';

export type Finished = {summary: RunSummary; commands: FinishCommands};

type Props = {
	engine: EngineView & EngineControls;
	store: SnapshotStore;
	info: RunInfo;
	/** Set once the run has ended: the live screen gives way to the result table, printed once. */
	finished?: Finished;
};

/** The whole TUI: reads the store's snapshots, sends key commands to the engine, schedules nothing. */
export function App({engine, store, info, finished}: Props) {
	const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
	const {isRawModeSupported} = useStdin();
	const keys = useKeys(engine, {isActive: isRawModeSupported && !finished});
	const size = useTerminalSize();

	if (finished) {
		return (
			<Static items={[finished]}>
				{item => (
					<Box key="summary">
						<SummaryTable summary={item.summary} commands={item.commands} columns={size.columns}/>
					</Box>
				)}
			</Static>
		);
	}

	return <Dashboard state={state} info={info} keys={keys} size={size}/>;
}
