import {afterAll, afterEach, beforeAll, test} from 'vitest';
import {openSharedBudgets, type SharedBudgets} from '../../source/shared-budget/open-shared-budgets.js';
import {startRedisServer, type RedisServer} from '../helpers/redis-server.js';
import {waitUntil} from '../helpers/wait.js';

let redis: RedisServer;
const opened: SharedBudgets[] = [];

beforeAll(async () => {
	redis = await startRedisServer();
});

afterAll(async () => {
	await redis.stop();
});

afterEach(async () => {
	await Promise.all(opened.splice(0).map(async shared => shared.close()));
});

/** One runner's lane "gw" on the budget "team-gw", as `lanes run --redis` joins it. */
async function runner(cap: number) {
	const shared = await openSharedBudgets(redis.url, [{lane: 'gw', budget: 'team-gw', cap, demand: cap}], {where: '--redis', leaseMs: 3000, heartbeatMs: 50});
	opened.push(shared);
	return shared.budgets.get('gw')!;
}

test('one learned limit per budget: the lowest that runners with work publish is the cap their leases split', async () => {
	const a = await runner(10);
	const b = await runner(10);
	a.note(0, 10);
	b.note(0, 10);
	await waitUntil('both to hold half of 10', () => a.slots(10) === 5 && b.slots(10) === 5, {timeoutMs: 5000, intervalMs: 20});

	// A learned that the provider takes 6: B, still at its first guess of 10, is held to 6 as well.
	a.publishLimit(6);
	await waitUntil('both to see the budget at 6', () => a.view().cap === 6 && b.view().cap === 6, {timeoutMs: 5000, intervalMs: 20});
	await waitUntil('the leases to split 6', () => a.slots(10) + b.slots(10) === 6, {timeoutMs: 5000, intervalMs: 20});

	// What A has in flight counts in B's view of the budget: B's limit is learned over both runners' requests.
	a.note(3, 10);
	await waitUntil('B to hear of A\'s 3 in flight', () => b.inFlightAcross(1) === 4, {timeoutMs: 5000, intervalMs: 20, context: () => JSON.stringify(b.view())});

	// A finishes: B's own number stands again.
	await a.leave();
	b.note(0, 10);
	await waitUntil('B alone at its own 10', () => b.view().cap === 10 && b.slots(10) === 10, {timeoutMs: 5000, intervalMs: 20, context: () => JSON.stringify(b.view())});
});

test('a runner with no work left does not hold the budget down with a stale limit', async () => {
	const a = await runner(4);
	const b = await runner(8);
	a.note(0, 0);
	b.note(0, 8);
	await waitUntil('B to get all 8', () => b.view().cap === 8 && b.slots(8) === 8, {timeoutMs: 5000, intervalMs: 20, context: () => JSON.stringify(b.view())});
});
