import type {Statements} from './statements.js';
import type {ModelStats} from './types.js';

/**
 * Per model of a run, from SQL: results per status, tokens, and nearest-rank p50 / p95 latency of answered
 * results. Only results of the run's own tests count. Memory is per model, whatever the number of results.
 */
export function readModelStats(statements: Statements, runId: string): Map<string, ModelStats> {
	const stats = new Map<string, ModelStats>();
	const of = (model: string) => {
		let entry = stats.get(model);
		if (!entry) {
			entry = {passed: 0, failed: 0, errored: 0, promptTokens: 0, completionTokens: 0};
			stats.set(model, entry);
		}

		return entry;
	};

	for (const row of statements.modelStats.iterate({runId})) {
		const entry = of(row.model);
		entry[row.status] += row.count;
		entry.promptTokens += row.prompt_tokens;
		entry.completionTokens += row.completion_tokens;
	}

	for (const row of statements.latencyPercentiles.iterate({runId})) {
		const entry = of(row.model);
		entry.latencyP50Ms = row.p50;
		entry.latencyP95Ms = row.p95;
	}

	return stats;
}
