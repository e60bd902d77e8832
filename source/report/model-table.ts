import {formatMs, formatShare, textTable} from './format.js';
import type {RunSummary} from './summary-types.js';

/** The per-model result table printed at the end of a run and by `lanes report`. */
export function modelTable(summary: RunSummary): string {
	const rows = [['model', 'provider', 'items', 'passed', 'failed', 'errored', 'pending', 'pass rate', 'p50', 'p95']];
	for (const [name, model] of Object.entries(summary.models)) {
		const answered = model.passed + model.failed + model.errored;
		rows.push([
			name, model.provider, String(model.items), String(model.passed), String(model.failed), String(model.errored), String(model.pending),
			formatShare(model.passed, answered), formatMs(model.latencyP50Ms || undefined), formatMs(model.latencyP95Ms || undefined),
		]);
	}

	const t = summary.totals;
	rows.push(['total', '', String(t.items), String(t.passed), String(t.failed), String(t.errored), String(t.pending), formatShare(t.passed, t.passed + t.failed + t.errored), '', '']);
	return textTable(rows);
}
