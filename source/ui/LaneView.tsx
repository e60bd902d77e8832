import {Text} from 'ink';
import type {LaneSnapshot} from '../engine/types.js';
import {cell, cellRight, cellWidth, clamp, formatCount, formatEta, formatMs, formatPercent, formatQps, formatRatio, truncate} from '../text/format.js';
import type {LaneForm} from './layout.js';
import {sharedLabel, stateLabel} from './lane-state.js';
import {ProgressBar} from './ProgressBar.js';
import {Sparkline} from './Sparkline.js';

type Props = {
	lane: LaneSnapshot;
	selected: boolean;
	form: LaneForm;
	columns: number;
	/** Same for every lane, so the columns line up. */
	nameWidth: number;
	/** Digits of the largest lane's item count, for the same reason. */
	digits: number;
};

const indent = '    ';

/** One lane: three lines (`full`) or one (`compact`). Every line truncates; none wraps. */
export function LaneView({lane, selected, form, columns, nameWidth, digits}: Props) {
	const short = form === 'compact';
	const state = stateLabel(lane, short);
	const stateWidth = short ? 16 : 24;
	const done = lane.items - lane.pending;
	const tail = 2 * digits + 19;
	const count = `${cellRight(String(done), digits)}/${cell(String(lane.items), digits)} ${cellRight(formatPercent(done, lane.items), 4)}`;
	const prefix = 2 + nameWidth + 1 + stateWidth + 1;
	const barWidth = short ? clamp(columns - 72, 6, 20) : clamp(columns - prefix - tail, 6, 40);
	const mode = lane.adaptive ? 'adaptive' : 'manual';
	const qps = `${formatQps(lane.qps)} qps${lane.qpsCap === undefined ? '' : ` (cap ${formatQps(lane.qpsCap)})`}`;
	const tokens = lane.tokensPerMinute > 0 || lane.tpmCap !== undefined
		? ` · ${formatCount(lane.tokensPerMinute)} tok/min${lane.tpmCap === undefined ? '' : ` (cap ${formatCount(lane.tpmCap)})`}`
		: '';
	const outages = lane.outages > 0 ? ` · down ${lane.outages}× ${formatEta(lane.downMs)}` : '';

	// Every line is cut to the width here rather than by Ink, which caches each line it truncates: lines
	// that change every frame would grow that cache for as long as the run lasts.
	const room = Math.max(0, columns - (prefix + barWidth + 1 + cellWidth(count)));
	const ending = short && lane.state === 'stopped'
		? `  ${lane.reason ?? ''}`
		: short
			? `  ${lane.inFlight}/${lane.concurrency}  ${formatQps(lane.qps)}/s  err ${formatRatio(lane.errorRate)}  ETA ${formatEta(lane.etaMs)}`
			: `  ETA ${lane.state === 'done' ? '–' : formatEta(lane.etaMs)}`;
	const first = (
		<Text wrap="truncate-end">
			{selected ? <Text color="cyan" bold>› </Text> : '  '}
			<Text bold={selected} inverse={selected}>{cell(lane.name, nameWidth)}</Text>
			{' '}<Text color={state.color}>{cell(state.text, stateWidth)}</Text>
			{' '}<ProgressBar done={done} total={lane.items} width={barWidth}/> {count}
			{short && lane.state === 'stopped' ? <Text color="red">{truncate(ending, room)}</Text> : truncate(ending, room)}
		</Text>
	);
	if (short) return first;

	const quality = truncate(`${indent}err ${formatRatio(lane.errorRate)} · ${lane.rateLimited}×429 · ${lane.retries} retries · p50 ${formatMs(lane.latencyP50Ms)} p95 ${formatMs(lane.latencyP95Ms)} · `, columns);
	return (
		<>
			{first}
			{lane.state === 'stopped'
				? <Text wrap="truncate-end" color="red">{truncate(`${indent}stopped: ${lane.reason ?? 'no reason given'}`, columns)}</Text>
				: <Text wrap="truncate-end">{truncate(`${indent}in flight ${lane.inFlight}/${lane.concurrency} (${lane.minConcurrency}-${lane.maxConcurrency} ${mode}) · ${qps}${tokens} · ${lane.requests} requests${outages}${sharedLabel(lane)}`, columns)}</Text>}
			<Text wrap="truncate-end">
				{quality}<Sparkline values={lane.qpsHistory} width={clamp(columns - cellWidth(quality) - 1, 0, 60)}/>
			</Text>
		</>
	);
}
