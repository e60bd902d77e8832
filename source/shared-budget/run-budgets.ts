import type {Config} from '../config/schema.js';
import type {LaneSpec} from '../engine/types.js';
import {budgetIds} from './budget-id.js';
import {openSharedBudgets, type SharedBudgets} from './open-shared-budgets.js';

/** A lease outlives the longest request by this much, so a slow answer never outlives its lease. */
const leaseMarginMs = 2000;

/**
 * The run's shared budgets when a Redis URL is given (`--redis` over `shared.redis`), else undefined: every
 * lane then has its provider to itself, as without sharing. Each lane's lease caps the whole budget at the
 * operator's number when adaptive control is off; on, at the limit it starts from, then at what it learns
 * (the lane publishes it as it changes: `SharedBudget.publishLimit`).
 */
export async function runBudgets(config: Config, lanes: readonly LaneSpec[], options: {redis?: string; configPath?: string; simulatorUrl?: string}): Promise<SharedBudgets | undefined> {
	const url = options.redis ?? config.shared?.redis;
	if (url === undefined) return undefined;
	const where = options.redis === undefined ? `${options.configPath ?? 'config'}: shared.redis` : '--redis';
	const ids = budgetIds(config, options.simulatorUrl);
	return openSharedBudgets(url, lanes.map(lane => ({
		lane: lane.name,
		budget: ids.get(lane.name) ?? lane.name,
		cap: lane.concurrency,
		demand: lane.concurrency,
	})), {where, leaseMs: config.request.timeoutMs + leaseMarginMs});
}

/** The lanes, each with its shared budget. */
export function withBudgets(lanes: readonly LaneSpec[], shared: SharedBudgets | undefined): LaneSpec[] {
	return lanes.map(lane => ({...lane, shared: shared?.budgets.get(lane.name)}));
}
