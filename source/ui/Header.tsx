import {Text} from 'ink';
import type {EngineSnapshot} from '../engine/types.js';
import {clamp, formatDuration, formatEta, formatPercent} from '../report/format.js';
import {ProgressBar} from './ProgressBar.js';

export type RunInfo = {runId: string; suitePath: string; dbPath: string};

type Props = {snapshot: EngineSnapshot; info: RunInfo; columns: number; lines: 1 | 2};

/** Run id, elapsed, suite and db; then the overall progress, counts and ETA. */
export function Header({snapshot, info, columns, lines}: Props) {
	const {totals} = snapshot;
	const done = totals.items - totals.pending;
	return (
		<>
			{lines === 2 && (
				<Text wrap="truncate-end">
					run <Text bold>{info.runId}</Text> · elapsed {formatDuration(snapshot.elapsedMs)} · suite {info.suitePath} · db {info.dbPath}
				</Text>
			)}
			<Text wrap="truncate-end">
				<ProgressBar done={done} total={totals.items} width={clamp(columns - 66, 8, 40)}/> {done}/{totals.items} {formatPercent(done, totals.items)}
				{'  '}<Text color="green">{totals.passed} passed</Text>
				{'  '}<Text color={totals.failed > 0 ? 'red' : undefined}>{totals.failed} failed</Text>
				{'  '}<Text color={totals.errored > 0 ? 'yellow' : undefined}>{totals.errored} errored</Text>
				{'  '}ETA {snapshot.finished ? '–' : formatEta(snapshot.etaMs)}
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
