/**
 * Text formatting shared by the TUI, the plain reporter and the reports: durations, latencies, rates, tables.
 * Widths are terminal cells (string-width, as Ink counts them): a CJK character takes two.
 */
import cliTruncate from 'cli-truncate';
import stringWidth from 'string-width';

const pad2 = (value: number) => String(value).padStart(2, '0');

/**
 * "1h02m", "3m05s", "42s". Countdowns round up (a 400 ms wait is "1s", not "0s"); elapsed time rounds down.
 * Negative or non-finite values read as zero.
 */
export function formatDuration(ms: number, rounding: 'floor' | 'ceil' = 'floor'): string {
	const safe = Number.isFinite(ms) ? Math.max(0, ms) : 0;
	const total = rounding === 'ceil' ? Math.ceil(safe / 1000) : Math.floor(safe / 1000);
	const hours = Math.floor(total / 3600);
	const minutes = Math.floor((total % 3600) / 60);
	const seconds = total % 60;
	if (hours > 0) return `${hours}h${pad2(minutes)}m`;
	if (minutes > 0) return `${minutes}m${pad2(seconds)}s`;
	return `${seconds}s`;
}

/** An estimate or countdown; "–" when unknown. */
export function formatEta(ms: number | undefined): string {
	return ms === undefined || !Number.isFinite(ms) ? '–' : formatDuration(ms, 'ceil');
}

/** A latency: "820ms", "2.1s", "12s"; "–" when unknown. */
export function formatMs(ms: number | undefined): string {
	if (ms === undefined || !Number.isFinite(ms)) return '–';
	if (ms < 1000) return `${Math.round(ms)}ms`;
	if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
	return formatDuration(ms);
}

/** Progress as a whole percentage, rounded down so "100%" means all of it. */
export function formatPercent(part: number, whole: number): string {
	if (whole <= 0) return '0%';
	return `${Math.floor((part / whole) * 100)}%`;
}

/** A ratio in 0..1 (an error rate): one decimal under 10 %, "0%" for none. */
export function formatRatio(ratio: number): string {
	if (!Number.isFinite(ratio) || ratio <= 0) return '0%';
	const percent = ratio * 100;
	return percent < 10 ? `${percent.toFixed(1)}%` : `${Math.round(percent)}%`;
}

/** Requests per second: one decimal under 10. */
export function formatQps(qps: number): string {
	if (!Number.isFinite(qps) || qps <= 0) return '0';
	return qps < 10 ? qps.toFixed(1) : String(Math.round(qps));
}

/** A large count in few characters: 950, 12.3k, 4.5M. */
export function formatCount(value: number): string {
	if (!Number.isFinite(value) || value <= 0) return '0';
	if (value < 1000) return String(Math.round(value));
	if (value < 1_000_000) return `${Number((value / 1000).toFixed(value < 10_000 ? 1 : 0))}k`;
	return `${Number((value / 1_000_000).toFixed(1))}M`;
}

/** Local wall-clock time of an epoch-ms instant: "14:03:27". */
export function formatClock(at: number): string {
	const date = new Date(at);
	return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/**
 * "batch 2/5". Assumes `index` is 1-based, as the engine's events and snapshots are read
 * everywhere in the UI through this one function.
 */
export function formatBatch(batch: {index: number; count: number}): string {
	return `batch ${batch.index}/${batch.count}`;
}

/** Terminal cells `text` takes. */
export function cellWidth(text: string): number {
	return stringWidth(text);
}

/** Cuts `text` to at most `width` cells, ending with "…" when cut. */
export function truncate(text: string, width: number): string {
	// cli-truncate 5 can overshoot by a cell when the cut falls on a wide character: ask again one narrower.
	for (let target = width; target > 0; target--) {
		const cut = cliTruncate(text, target);
		if (stringWidth(cut) <= width) return cut;
	}

	return '';
}

/** Exactly `width` cells: truncated or padded on the right. */
export function cell(text: string, width: number): string {
	const cut = truncate(text, width);
	return cut + ' '.repeat(Math.max(0, width - stringWidth(cut)));
}

/** Exactly `width` cells, right-aligned. */
export function cellRight(text: string, width: number): string {
	const cut = truncate(text, width);
	return ' '.repeat(Math.max(0, width - stringWidth(cut))) + cut;
}

/** The widest of `texts` in cells (0 for none), without spreading a long list into arguments. */
export function widest(texts: Iterable<string>): number {
	let max = 0;
	for (const text of texts) max = Math.max(max, stringWidth(text));
	return max;
}

export function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}

/** A share with one decimal, for tables: "66.7%"; "–" when there is nothing to divide. */
export function formatShare(part: number, whole: number): string {
	if (whole <= 0) return '–';
	return `${((part / whole) * 100).toFixed(1)}%`;
}

/** Text columns, first row a header; numeric cells right-aligned. */
export function textTable(rows: string[][]): string {
	const widths = rows[0]!.map((_, column) => widest(rows.map(row => row[column] ?? '')));
	const numeric = (text: string) => /^[\d.,%]+(ms|s|m|h)?$|^[-–]$/.test(text);
	return rows
		.map(row => row.map((text, column) => column > 0 && numeric(text) ? cellRight(text, widths[column]!) : cell(text, widths[column]!)).join('  ').trimEnd())
		.join('\n');
}
