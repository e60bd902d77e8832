/** Text formatting shared by the TUI, the plain reporter and the reports: durations, latencies, rates, tables. */

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

/** Cuts `text` to `width` characters, ending with "…" when cut. */
export function truncate(text: string, width: number): string {
	if (width <= 0) return '';
	const chars = [...text];
	if (chars.length <= width) return text;
	return chars.slice(0, width - 1).join('') + '…';
}

/** Exactly `width` characters: truncated or padded on the right. */
export function cell(text: string, width: number): string {
	const cut = truncate(text, width);
	return cut + ' '.repeat(Math.max(0, width - [...cut].length));
}

/** Exactly `width` characters, right-aligned. */
export function cellRight(text: string, width: number): string {
	const cut = truncate(text, width);
	return ' '.repeat(Math.max(0, width - [...cut].length)) + cut;
}

export function clamp(value: number, min: number, max: number): number {
	return Math.min(max, Math.max(min, value));
}

/** A share with one decimal, for tables: "66.7%"; "-" when there is nothing to divide. */
export function formatShare(part: number, whole: number): string {
	if (whole <= 0) return '-';
	return `${((part / whole) * 100).toFixed(1)}%`;
}

/** Text columns, first row a header; numeric cells right-aligned. */
export function textTable(rows: string[][]): string {
	// A reduce, not Math.max(...rows): a row per model would overflow the stack with enough models.
	const widths = rows[0]!.map((_, column) => rows.reduce((widest, row) => Math.max(widest, (row[column] ?? '').length), 0));
	const numeric = (cell: string) => /^[\d.,%]+(ms|s|m|h)?$|^[-–]$/.test(cell);
	return rows
		.map(row => row.map((cell, column) => column > 0 && numeric(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)).join('  ').trimEnd())
		.join('\n');
}
