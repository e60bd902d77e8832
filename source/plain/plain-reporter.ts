import type {EngineView, LaneSnapshot} from '../engine/types.js';
import {EventLineLog} from '../event-log/event-lines.js';
import {cell, formatDuration, formatEta, formatMs, widest} from '../text/format.js';

export type PlainReporterOptions = {
	write: (line: string) => void;
	/** Status lines every this many ms. */
	intervalMs?: number;
};

const clockText = (ms: number) => {
	const s = Math.floor(ms / 1000);
	return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

/** One status line per lane, as the plain reporter prints it. */
export function laneLine(lane: LaneSnapshot, nameWidth: number): string {
	const done = lane.passed + lane.failed + lane.errored;
	const percent = lane.items === 0 ? 100 : Math.floor((done / lane.items) * 100);
	const state = lane.waitMs === undefined ? lane.state : `${lane.state} ${formatDuration(lane.waitMs, 'ceil')}`;
	const batch = lane.batch ? ` batch ${lane.batch.index}/${lane.batch.count}` : '';
	return [
		`${cell(lane.name, nameWidth)} ${state.padEnd(13)}`,
		`${done}/${lane.items} ${String(percent).padStart(3)}%`,
		`qps ${lane.qps.toFixed(1)}`,
		`conc ${lane.inFlight}/${lane.concurrency}${lane.adaptive ? '' : ' manual'}`,
		`err ${(lane.errorRate * 100).toFixed(0)}%`,
		`429s ${lane.rateLimited}`,
		...(lane.outages > 0 ? [`down ${lane.outages}x ${formatDuration(lane.downMs, 'ceil')}`] : []),
		...(lane.tokensPerMinute > 0 || lane.tpmCap !== undefined ? [`tok/min ${Math.round(lane.tokensPerMinute)}${lane.tpmCap === undefined ? '' : `/${Math.round(lane.tpmCap)}`}`] : []),
		`retries ${lane.retries}`,
		`p50 ${formatMs(lane.latencyP50Ms)}`,
		`eta ${lane.pending === 0 ? '-' : formatEta(lane.etaMs)}${batch}`,
	].join('  ');
}

/**
 * Progress without a terminal UI: a status line per lane every couple of seconds and a line for each
 * notable event, as the TUI's event log words it (a burst of 429s is one line; the status lines count them).
 */
export function startPlainReporter(engine: EngineView, options: PlainReporterOptions): {stop(): void} {
	const intervalMs = options.intervalMs ?? 2000;
	const log = new EventLineLog();
	let printed = 0;
	// Elapsed time since the reporter started: close enough to the run's, without a snapshot per line.
	const startedAt = performance.now();
	const stamp = () => `[${clockText(performance.now() - startedAt)}]`;
	const unsubscribe = engine.subscribe(event => {
		if (!log.add(event)) return;
		for (const line of log.lines()) {
			if (line.id <= printed) continue;
			printed = line.id;
			options.write(`${stamp()} ${line.text}`);
		}
	});
	const status = () => {
		const snapshot = engine.snapshot();
		const width = widest(snapshot.lanes.map(lane => lane.name));
		for (const lane of snapshot.lanes) options.write(`${stamp()} ${laneLine(lane, width)}`);
	};

	const timer = setInterval(status, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			unsubscribe();
			status();
		},
	};
}
