import type {Statements} from './statements.js';
import type {ModelStats} from './types.js';

/**
 * Per model of a run, from SQL in one pass: results per status, tokens, and nearest-rank p50 / p95 latency of
 * answered results (from the bounded sketch of latency-sketch.ts). Only results of the run's own tests count.
 * Memory is per model, whatever the number of results.
 */
export function readModelStats(statements: Statements, runId: string): Map<string, ModelStats> {
	const stats = new Map<string, ModelStats>();
	for (const row of statements.modelStats.iterate({runId})) {
		const entry: ModelStats = {
			passed: row.passed, failed: row.failed, errored: row.errored, promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens,
		};
		if (row.latency !== null) {
			const {p50, p95} = JSON.parse(row.latency) as {p50: number; p95: number};
			entry.latencyP50Ms = p50;
			entry.latencyP95Ms = p95;
		}

		stats.set(row.model, entry);
	}

	return stats;
}
