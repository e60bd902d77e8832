/** "1h02m", "3m05s", "42s", "0.8s" */
export function formatDuration(ms: number | undefined): string {
	if (ms === undefined || !Number.isFinite(ms)) return '?';
	if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
	const seconds = Math.round(ms / 1000);
	const h = Math.floor(seconds / 3600);
	const m = Math.floor((seconds % 3600) / 60);
	const s = seconds % 60;
	if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
	if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
	return `${s}s`;
}

export function formatPercent(part: number, whole: number): string {
	if (whole === 0) return '-';
	return `${((part / whole) * 100).toFixed(1)}%`;
}

export function formatMs(ms: number | undefined): string {
	if (ms === undefined) return '-';
	return ms >= 10_000 ? `${(ms / 1000).toFixed(0)}s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}

/** Left-aligned text columns, first row a header; numeric-looking cells right-aligned. */
export function textTable(rows: string[][]): string {
	const widths = rows[0]!.map((_, column) => Math.max(...rows.map(row => (row[column] ?? '').length)));
	return rows
		.map(row => row.map((cell, column) => /^[\d.,%smh-]+$/.test(cell) && column > 0 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)).join('  ').trimEnd())
		.join('\n');
}
