import {randomUUID} from 'node:crypto';
import {Redis} from 'ioredis';
import {InputError} from '../errors/input-error.js';
import {budgetPrefix, shownBudgetId} from './budget-id.js';
import {heartbeatScript, pauseScript} from './lease-scripts.js';
import {RedisBudget, type BudgetCommands, type BudgetMessage} from './redis-budget.js';
import {redactedRedisUrl} from './redis-url.js';

export type SharedLane = {
	lane: string;
	/** The budget id (see budget-id.ts). */
	budget: string;
	/** The in-flight cap of the whole budget. */
	cap: number;
	/** How many it would hold alone at the start. */
	demand: number;
};

export type SharedBudgets = {
	/** Lane name -> its budget. */
	budgets: Map<string, RedisBudget>;
	/** Hands every share back and disconnects. */
	close(): Promise<void>;
};

export type SharedOptions = {
	/** Where the URL came from, for messages: "--redis" or "config.json: shared.redis". */
	where: string;
	leaseMs: number;
	heartbeatMs?: number;
};

/**
 * Joins each lane's budget on the Redis server at `url`: one connection for commands, one for the budgets'
 * channels. Commands fail at once while Redis is away (no offline queue), so a lane falls back to its last
 * share instead of waiting; ioredis reconnects on its own and the next heartbeat rejoins.
 */
export async function openSharedBudgets(url: string, lanes: readonly SharedLane[], options: SharedOptions): Promise<SharedBudgets> {
	const shown = redactedRedisUrl(url);
	const client = new Redis(url, {
		lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, commandTimeout: 2000,
		retryStrategy: () => 250,
	}) as Redis & BudgetCommands;
	// Failures surface on the commands that meet them; the client's own error events would only repeat them.
	client.on('error', () => undefined);
	try {
		await client.connect();
	} catch (error) {
		client.disconnect();
		throw new InputError(`${options.where}: cannot reach Redis at ${shown} (${error instanceof Error ? error.message : String(error)})`);
	}

	client.defineCommand('laneHeartbeat', {lua: heartbeatScript});
	client.defineCommand('lanePause', {lua: pauseScript});
	const subscriber = client.duplicate({enableOfflineQueue: true});
	subscriber.on('error', () => undefined);
	const runnerId = randomUUID();
	const budgets = new Map<string, RedisBudget>();
	const byChannel = new Map<string, RedisBudget[]>();
	for (const lane of lanes) {
		const budget = new RedisBudget(client, {
			prefix: budgetPrefix(lane.budget), budget: shownBudgetId(lane.budget), runnerId: `${runnerId}:${lane.lane}`, cap: lane.cap, leaseMs: options.leaseMs,
			heartbeatMs: options.heartbeatMs ?? 200,
		});
		budgets.set(lane.lane, budget);
		byChannel.set(budget.channel, [...(byChannel.get(budget.channel) ?? []), budget]);
	}

	subscriber.on('message', (channel: string, text: string) => {
		const [kind, runner = '', ms = '0'] = text.split(' ');
		if (kind !== 'pause' && kind !== 'up' && kind !== 'left') return;
		const message: BudgetMessage = {kind, runner, ms: Number(ms)};
		for (const budget of byChannel.get(channel) ?? []) budget.onMessage(message);
	});
	try {
		await subscriber.subscribe(...byChannel.keys());
		for (const lane of lanes) await budgets.get(lane.lane)!.join(lane.demand);
	} catch (error) {
		subscriber.disconnect();
		client.disconnect();
		throw new InputError(`${options.where}: Redis at ${shown} does not answer (${error instanceof Error ? error.message : String(error)})`);
	}

	return {
		budgets,
		async close() {
			await Promise.all([...budgets.values()].map(async budget => budget.leave()));
			subscriber.disconnect();
			client.disconnect();
		},
	};
}
