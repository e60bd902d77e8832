import type {ItemResult} from '../engine/types.js';
import {formatMs, formatShare, textTable} from '../text/format.js';
import type {RunSummary} from './summary-types.js';

export type RequestWindow = {firstAt: number; lastAt: number; requests: number};

type ModelRow = {
	model: string; provider: string; items: number; passed: number; failed: number; errored: number; pending: number;
	passRate: number | undefined; latencyP50Ms: number; latencyP95Ms: number; promptTokens: number; completionTokens: number;
};

/** Per-model rows of `lanes report`: the summary's counts plus token usage from the results. */
export function modelRows(summary: RunSummary, results: readonly ItemResult[]): ModelRow[] {
	const tokens = new Map<string, {prompt: number; completion: number}>();
	for (const result of results) {
		const sum = tokens.get(result.model) ?? {prompt: 0, completion: 0};
		sum.prompt += result.promptTokens ?? 0;
		sum.completion += result.completionTokens ?? 0;
		tokens.set(result.model, sum);
	}

	return Object.entries(summary.models).map(([model, m]) => {
		const answered = m.passed + m.failed + m.errored;
		return {
			model, provider: m.provider, items: m.items, passed: m.passed, failed: m.failed, errored: m.errored, pending: m.pending,
			passRate: answered === 0 ? undefined : m.passed / answered, latencyP50Ms: m.latencyP50Ms, latencyP95Ms: m.latencyP95Ms,
			promptTokens: tokens.get(model)?.prompt ?? 0, completionTokens: tokens.get(model)?.completion ?? 0,
		};
	});
}

/** The report as text tables: per model, then per provider with mean QPS and final concurrency. */
export function reportTable(summary: RunSummary, results: readonly ItemResult[], windows: ReadonlyMap<string, RequestWindow>): string {
	const models = [['model', 'provider', 'items', 'passed', 'failed', 'errored', 'pending', 'pass rate', 'p50', 'p95', 'tokens in', 'tokens out']];
	for (const row of modelRows(summary, results)) {
		models.push([
			row.model, row.provider, String(row.items), String(row.passed), String(row.failed), String(row.errored), String(row.pending),
			row.passRate === undefined ? '-' : formatShare(row.passRate, 1), formatMs(row.latencyP50Ms || undefined), formatMs(row.latencyP95Ms || undefined),
			String(row.promptTokens), String(row.completionTokens),
		]);
	}

	const providers = [['provider', 'items', 'passed', 'failed', 'errored', 'requests', '429s', 'retries', 'mean qps', 'final concurrency']];
	for (const [name, p] of Object.entries(summary.providers)) {
		const window = windows.get(name);
		const seconds = window ? (window.lastAt - window.firstAt) / 1000 : 0;
		providers.push([
			name, String(p.items), String(p.passed), String(p.failed), String(p.errored), String(p.requests), String(p.rateLimited), String(p.retries),
			seconds > 0 ? (p.requests / seconds).toFixed(2) : '-', String(p.concurrency),
		]);
	}

	const t = summary.totals;
	return [
		`run ${summary.runId}: ${summary.status}, ${t.passed} passed, ${t.failed} failed, ${t.errored} errored, ${t.pending} pending of ${t.items}`,
		'',
		textTable(models),
		'',
		textTable(providers),
	].join('\n');
}

/** One CSV row per model (RFC 4180 quoting). */
export function reportCsv(summary: RunSummary, results: readonly ItemResult[]): string {
	const header = ['model', 'provider', 'items', 'passed', 'failed', 'errored', 'pending', 'pass_rate', 'latency_p50_ms', 'latency_p95_ms', 'prompt_tokens', 'completion_tokens'];
	const lines = [header.join(',')];
	for (const row of modelRows(summary, results)) {
		lines.push([
			row.model, row.provider, row.items, row.passed, row.failed, row.errored, row.pending, row.passRate === undefined ? '' : row.passRate.toFixed(4),
			row.latencyP50Ms, row.latencyP95Ms, row.promptTokens, row.completionTokens,
		].map(value => csvCell(String(value))).join(','));
	}

	return lines.join('\n');
}

function csvCell(value: string): string {
	return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
