import {laneFromRow} from './rows.js';
import type {Statements} from './statements.js';
import type {LatencyStats, ProviderStats, RunModel, RunRecord} from './types.js';

/** A run with its JSON columns parsed and its lanes, or undefined. */
export function readRun(statements: Statements, id: string): RunRecord | undefined {
	const row = statements.getRun.get(id);
	if (!row) return undefined;
	const run: RunRecord = {
		id: row.id,
		startedAt: row.started_at,
		status: row.status,
		config: parseJson(row.config_json, 'config_json'),
		configPath: row.config_path,
		suitePath: row.suite_path,
		suiteHash: row.suite_hash,
		models: parseJson(row.models_json, 'models_json') as RunModel[],
		testIds: parseJson(row.test_ids_json, 'test_ids_json') as string[],
		lanes: statements.runLanes.all(id).map(lane => laneFromRow(lane)),
	};
	if (row.ended_at !== null) run.endedAt = row.ended_at;
	return run;
}

/** Per provider: requests, 429s, retries (attempts beyond each item's first), first and last attempt time. */
export function readProviderStats(statements: Statements, runId: string): Map<string, ProviderStats> {
	const stats = new Map<string, ProviderStats>();
	for (const row of statements.providerStats.all(runId)) {
		stats.set(row.provider, {
			requests: row.requests, rateLimited: row.rate_limited, retries: row.retries, outageFailures: row.outage_failures,
			transientFailures: row.transient_failures, outages: 0, downMs: 0, firstAt: row.first_at, lastAt: row.last_at,
		});
	}

	for (const row of statements.outageStats.all(runId)) {
		const lane = stats.get(row.lane);
		if (lane) Object.assign(lane, {outages: row.outages, downMs: row.down_ms});
	}

	for (const row of statements.sharedStats.all(runId)) {
		const lane = stats.get(row.lane);
		if (lane) lane.shared = {runners: row.runners, budget: row.budget ?? undefined, lost: row.lost};
	}

	return stats;
}

/** How many of the most recent runs latency statistics look at. */
export const LATENCY_RUNS = 20;

/** Latency per model over the answered results of the most recent runs; models without any are left out. */
export function readLatencyStats(statements: Statements, models?: readonly string[]): Map<string, LatencyStats> {
	const wanted = models && new Set(models);
	const latencies = new Map<string, number[]>();
	for (const row of statements.recentLatencies.iterate({runs: LATENCY_RUNS})) {
		if (wanted && !wanted.has(row.model)) continue;
		const list = latencies.get(row.model);
		if (list) list.push(row.latency_ms);
		else latencies.set(row.model, [row.latency_ms]);
	}

	const stats = new Map<string, LatencyStats>();
	for (const [model, list] of latencies) {
		const sorted = Float64Array.from(list).sort();
		const middle = Math.floor(sorted.length / 2);
		const p50Ms = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
		stats.set(model, {count: sorted.length, meanMs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length, p50Ms});
	}

	return stats;
}

function parseJson(text: string, column: string): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		// The schema checks json_valid on write; only an edit outside lanes gets here.
		throw new Error(`column ${column} holds invalid JSON`, {cause: error});
	}
}
