import {Text} from 'ink';
import type {EngineSnapshot} from '../engine/types.js';
import {cellWidth, clamp, formatDuration, formatEta, formatPercent, truncate} from '../text/format.js';
import {ProgressBar} from './ProgressBar.js';

export type RunInfo = {runId: string; suitePath: string; dbPath: string};

type Props = {snapshot: EngineSnapshot; info: RunInfo; columns: number; lines: 1 | 2};

/** Run id, elapsed, suite and db; then the overall progress, counts and ETA. */
export function Header({snapshot, info, columns, lines}: Props) {
	const {totals} = snapshot;
	const done = totals.items - totals.pending;
	// Lines are cut to the width here, not by Ink: Ink caches every line it truncates, and a line that
	// changes each frame would grow that cache for as long as the run lasts.
	const rest = truncate(` · elapsed ${formatDuration(snapshot.elapsedMs)} · suite ${info.suitePath} · db ${info.dbPath}`, columns - 4 - cellWidth(info.runId));
	const counts = [`${done}/${totals.items} ${formatPercent(done, totals.items)}`, `${totals.passed} passed`, `${totals.failed} failed`, `${totals.errored} errored`, `ETA ${snapshot.finished ? '–' : formatEta(snapshot.etaMs)}`];
	const barWidth = clamp(columns - cellWidth(counts.join('  ')) - 2, 0, 40);
	return (
		<>
			{lines === 2 && (
				<Text wrap="truncate-end">
					run <Text bold>{info.runId}</Text>{rest}
				</Text>
			)}
			<Text wrap="truncate-end">
				{barWidth >= 4 && <><ProgressBar done={done} total={totals.items} width={barWidth}/> </>}{counts[0]}
				{'  '}<Text color="green">{counts[1]}</Text>
				{'  '}<Text color={totals.failed > 0 ? 'red' : undefined}>{counts[2]}</Text>
				{'  '}<Text color={totals.errored > 0 ? 'yellow' : undefined}>{counts[3]}</Text>
				{'  '}{counts[4]}
			</Text>
		</>
	);
}

/** Whether the run has something to announce on a line of its own (see `Notice`). */
export function hasNotice(snapshot: EngineSnapshot): boolean {
	return snapshot.stopping !== 'no' || snapshot.finished !== undefined;
}

/** "stopping: waiting for N in-flight requests (q again to abort)", and the like. */
export function Notice({snapshot}: {snapshot: EngineSnapshot}) {
	const inFlight = snapshot.lanes.reduce((sum, lane) => sum + lane.inFlight, 0);
	const requests = `${inFlight} in-flight request${inFlight === 1 ? '' : 's'}`;
	if (snapshot.finished) return <Text wrap="truncate-end" bold>run {snapshot.finished}</Text>;
	if (snapshot.stopping === 'abort') return <Text wrap="truncate-end" color="red" bold>aborting: cancelling {requests}</Text>;
	return <Text wrap="truncate-end" color="yellow" bold>stopping: waiting for {requests} (q again to abort)</Text>;
}
