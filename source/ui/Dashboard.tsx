import {Box, Text} from 'ink';
import {EventLog} from './EventLog.js';
import {clamp, widest} from '../text/format.js';
import {Header, hasNotice, Notice, type RunInfo} from './Header.js';
import {HelpOverlay, KeyFooter} from './KeyHelp.js';
import {LaneView} from './LaneView.js';
import {computeLayout} from './layout.js';
import type {UiState} from './snapshot-store.js';
import type {KeysView} from './use-keys.js';
import type {TerminalSize} from './use-terminal-size.js';

type Props = {state: UiState; info: RunInfo; keys: KeysView; size: TerminalSize};

/** The live screen: header, lanes, event log, key hints; sized to stay shorter than the terminal. */
export function Dashboard({state, info, keys, size}: Props) {
	const {engine: snapshot, events} = state;
	const {lanes} = snapshot;
	const {columns, rows} = size;
	const selected = clamp(keys.selected, 0, Math.max(0, lanes.length - 1));
	const notice = hasNotice(snapshot);
	const layout = computeLayout({rows, laneCount: lanes.length, selected, notice});
	const nameWidth = clamp(widest(lanes.map(lane => lane.name)), 4, 14);
	const digits = Math.max(1, ...lanes.map(lane => String(lane.items).length));
	const shown = lanes.slice(layout.first, layout.first + layout.shown);
	const above = layout.first;
	const below = layout.hidden - above;

	return (
		<Box flexDirection="column" width={columns}>
			<Header snapshot={snapshot} info={info} columns={columns} lines={layout.headerLines}/>
			{notice && <Notice snapshot={snapshot}/>}
			{keys.helpOpen ? <HelpOverlay rows={layout.body}/> : (
				<>
					{shown.map((lane, index) => (
						<LaneView key={lane.name} lane={lane} selected={layout.first + index === selected} form={layout.form} columns={columns} nameWidth={nameWidth} digits={digits}/>
					))}
					{layout.hidden > 0 && (
						<Text wrap="truncate-end" dimColor>
							+{layout.hidden} more lanes ({above} above, {below} below; ↑↓ to scroll)
						</Text>
					)}
					<EventLog lines={events} count={layout.eventLines} columns={columns}/>
				</>
			)}
			{layout.footer && <KeyFooter/>}
		</Box>
	);
}
