import {cell, cellRight, cellWidth, formatDuration, formatMs, formatShare, truncate, widest} from '../text/format.js';
import type {Counts} from '../engine/types.js';
import type {RunSummary} from './summary-types.js';

export type RequestWindow = {firstAt: number; lastAt: number; requests: number};

/** Tokens of one model's results. */
export type ModelTokens = {promptTokens: number; completionTokens: number};

/** What a report is made of: the summary, tokens per model and the request windows per provider. */
export type ReportInput = {summary: RunSummary; tokens: ReadonlyMap<string, ModelTokens>; stats: ReadonlyMap<string, RequestWindow>};

export type ReportOptions = {
	/** Terminal columns to fit: columns on the right are left out, then model names cut, then lines cut. Default: no limit. */
	width?: number;
};

type ModelRow = {
	model: string; provider: string; items: number; passed: number; failed: number; errored: number; pending: number;
	passRate: number | undefined; latencyP50Ms: number; latencyP95Ms: number; promptTokens: number; completionTokens: number;
};

/** Per-model rows of a report: the summary's counts plus token usage. */
export function modelRows(summary: RunSummary, tokens: ReadonlyMap<string, ModelTokens>): ModelRow[] {
	return Object.entries(summary.models).map(([model, m]) => {
		const answered = m.passed + m.failed + m.errored;
		return {
			model, provider: m.provider, items: m.items, passed: m.passed, failed: m.failed, errored: m.errored, pending: m.pending,
			passRate: answered === 0 ? undefined : m.passed / answered, latencyP50Ms: m.latencyP50Ms, latencyP95Ms: m.latencyP95Ms,
			promptTokens: tokens.get(model)?.promptTokens ?? 0, completionTokens: tokens.get(model)?.completionTokens ?? 0,
		};
	});
}

/** Share of passes among the items with a final result (items never run are not failures); "–" for none. */
const passRate = (counts: Counts) => formatShare(counts.passed, counts.passed + counts.failed + counts.errored);

/** A column: its title, whether it aligns right, and whether it may be left out on a narrow terminal (last first). */
type Column = {title: string; right: boolean; optional?: boolean};

const modelColumns: Column[] = [
	{title: 'model', right: false}, {title: 'provider', right: false},
	...['items', 'passed', 'failed', 'errored'].map(title => ({title, right: true})),
	{title: 'pending', right: true, optional: true},
	{title: 'pass rate', right: true}, {title: 'p50', right: true}, {title: 'p95', right: true},
	{title: 'tokens in', right: true, optional: true}, {title: 'tokens out', right: true, optional: true},
];
const providerColumns: Column[] = [
	{title: 'provider', right: false},
	...['items', 'passed', 'failed', 'errored', 'requests', '429s', 'retries', 'mean qps'].map(title => ({title, right: true, optional: title !== 'items'})),
	{title: 'down', right: true, optional: true}, {title: 'tokens/min', right: true, optional: true},
	{title: 'final concurrency', right: true, optional: true},
];

/**
 * The end-of-run report as text, the one table both `lanes report` and the TUI's end screen show: a line on
 * how the run ended, the per-model table with a total row, then the per-provider table (mean QPS, outages,
 * tokens per minute, final concurrency). Widths are terminal cells, so wide model names keep the columns aligned.
 */
export function reportTable({summary, tokens: modelTokens, stats}: ReportInput, options: ReportOptions = {}): string {
	const t = summary.totals;
	// No answered result, no latency: "–", not "0ms".
	const latency = (counts: Counts, ms: number) => formatMs(counts.passed + counts.failed === 0 ? undefined : ms);
	const models = modelRows(summary, modelTokens).map(row => [
		row.model, row.provider, String(row.items), String(row.passed), String(row.failed), String(row.errored), String(row.pending),
		passRate(row), latency(row, row.latencyP50Ms), latency(row, row.latencyP95Ms), String(row.promptTokens), String(row.completionTokens),
	]);
	const tokens = (pick: (row: ModelRow) => number) => String(modelRows(summary, modelTokens).reduce((sum, row) => sum + pick(row), 0));
	const total = ['total', '', String(t.items), String(t.passed), String(t.failed), String(t.errored), String(t.pending), passRate(t), '', '', tokens(row => row.promptTokens), tokens(row => row.completionTokens)];

	const providers = Object.entries(summary.providers).map(([name, p]) => {
		const window = stats.get(name);
		const seconds = window ? (window.lastAt - window.firstAt) / 1000 : 0;
		return [
			name, String(p.items), String(p.passed), String(p.failed), String(p.errored), String(p.requests), String(p.rateLimited), String(p.retries),
			seconds > 0 ? (p.requests / seconds).toFixed(2) : '–',
			// Times down, how long in all, and the requests refused meanwhile: "2× 4m10s (31)".
			p.outages > 0 ? `${p.outages}× ${formatDuration(p.downMs)} (${p.outageFailures})` : '–',
			p.tokensPerMinute > 0 ? String(p.tokensPerMinute) : '–',
			String(p.concurrency),
		];
	});

	// A budget shared with other runners: this run's numbers are its part of what the provider saw.
	const shared = Object.entries(summary.providers).flatMap(([name, p]) => (p.shared ? [
		`${name} shared its provider budget${p.shared.budget ? ` ${p.shared.budget}` : ''} through Redis (${p.shared.runners} runner${p.shared.runners === 1 ? '' : 's'} at most at once)${p.shared.lost > 0 ? `; Redis went away ${p.shared.lost}×` : ''}`,
	] : []));
	const notRun = t.pending > 0 ? `, ${t.pending} not run` : '';
	const width = options.width ?? Number.POSITIVE_INFINITY;
	const fit = (line: string) => (cellWidth(line) <= width ? line : truncate(line, width));
	return [
		fit(`run ${summary.runId} ${summary.status} in ${formatDuration(summary.elapsedMs)}: ${t.items} items, ${t.passed} passed, ${t.failed} failed, ${t.errored} errored${notRun}`),
		'',
		...textColumns(modelColumns, [...models, total], width),
		'',
		...textColumns(providerColumns, providers, width),
		...(shared.length > 0 ? ['', ...shared.map(line => fit(line))] : []),
	].join('\n');
}

/**
 * A header and rows in columns two cells apart, fitted to `width`: optional columns go from the right, then the
 * first column (names) gives way down to 12 cells with "…", then any line still too wide is cut.
 */
function textColumns(columns: readonly Column[], rows: readonly string[][], width: number): string[] {
	const widths = columns.map((column, index) => widest([column.title, ...rows.map(row => row[index] ?? '')]));
	const shown = columns.map((_, index) => index);
	const lineWidth = () => shown.reduce((sum, index) => sum + widths[index]!, 0) + (2 * (shown.length - 1));
	for (let index = columns.length - 1; index > 0 && lineWidth() > width; index--) {
		if (columns[index]!.optional) shown.splice(shown.indexOf(index), 1);
	}

	if (lineWidth() > width) widths[0] = Math.max(Math.min(12, widths[0]!), widths[0]! - (lineWidth() - width));
	const line = (row: readonly string[]) => {
		const text = shown.map(index => (columns[index]!.right ? cellRight : cell)(row[index] ?? '', widths[index]!)).join('  ').trimEnd();
		return cellWidth(text) <= width ? text : truncate(text, width);
	};

	return [line(columns.map(column => column.title)), ...rows.map(row => line(row))];
}

/** One CSV row per model (RFC 4180 quoting). */
export function reportCsv(summary: RunSummary, tokens: ReadonlyMap<string, ModelTokens>): string {
	const header = ['model', 'provider', 'items', 'passed', 'failed', 'errored', 'pending', 'pass_rate', 'latency_p50_ms', 'latency_p95_ms', 'prompt_tokens', 'completion_tokens'];
	const lines = [header.join(',')];
	for (const row of modelRows(summary, tokens)) {
		lines.push([
			row.model, row.provider, row.items, row.passed, row.failed, row.errored, row.pending, row.passRate === undefined ? '' : row.passRate.toFixed(4),
			row.latencyP50Ms, row.latencyP95Ms, row.promptTokens, row.completionTokens,
		].map(value => csvCell(String(value))).join(','));
	}

	return lines.join('\n');
}

/** The header line of the per-result CSV (`lanes report --format csv --results`); the store writes the rows. */
export const resultsCsvHeader = 'model,provider,test_id,status,answer,latency_ms,attempts,prompt_tokens,completion_tokens,error_class,error_message,finished_at';

function csvCell(value: string): string {
	return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
