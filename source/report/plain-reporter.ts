import type {EngineView, LaneSnapshot} from '../engine/types.js';
import {eventText} from './event-text.js';
import {formatDuration, formatMs} from './format.js';

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
	const state = lane.waitMs === undefined ? lane.state : `${lane.state} ${formatDuration(lane.waitMs)}`;
	const batch = lane.batch ? ` batch ${lane.batch.index}/${lane.batch.count}` : '';
	return [
		`${lane.name.padEnd(nameWidth)} ${state.padEnd(13)}`,
		`${done}/${lane.items} ${String(percent).padStart(3)}%`,
		`qps ${lane.qps.toFixed(1)}`,
		`conc ${lane.inFlight}/${lane.concurrency}${lane.adaptive ? '' : ' manual'}`,
		`err ${(lane.errorRate * 100).toFixed(0)}%`,
		`429s ${lane.rateLimited}`,
		`retries ${lane.retries}`,
		`p50 ${formatMs(lane.latencyP50Ms)}`,
		`eta ${lane.pending === 0 ? '-' : formatDuration(lane.etaMs)}${batch}`,
	].join('  ');
}

/**
 * Progress without a terminal UI: a status line per lane every couple of seconds and a line for each
 * notable event (429 bursts coalesced to one line per lane per status interval).
 */
export function startPlainReporter(engine: EngineView, options: PlainReporterOptions): {stop(): void} {
	const intervalMs = options.intervalMs ?? 2000;
	const limited = new Map<string, number>();
	const stamp = () => `[${clockText(engine.snapshot().elapsedMs)}]`;
	const unsubscribe = engine.subscribe(event => {
		if (event.type === 'rate_limited') {
			limited.set(event.lane, (limited.get(event.lane) ?? 0) + 1);
			return;
		}

		if (event.type === 'state' && (event.state === 'paused' || event.state === 'cooling' || event.state === 'running')) return;
		const line = eventText(event);
		if (line) options.write(`${stamp()} ${line.text}`);
	});
	const status = () => {
		const snapshot = engine.snapshot();
		const width = Math.max(...snapshot.lanes.map(lane => lane.name.length));
		for (const [lane, count] of limited) options.write(`${stamp()} ${lane}: ${count} × 429 rate limited`);
		limited.clear();
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
