import type {ItemResult, TestCase} from './types.js';

/** Final results already counted, per status. */
export type StatusCounts = {passed: number; failed: number; errored: number};

/** One pending item of a page: the index of its model in the models asked for, and its test. */
export type PendingItem = {model: number; test: TestCase};

/**
 * Where a run's pending items come from: the run database in pages (`Store.pendingItems`) or, for tests and
 * benches, arrays in memory (`memoryItems`). Tests have positions 0 … testCount - 1 in suite order; a lane reads
 * windows of positions, so nothing holds every item at once.
 */
export type PendingItems = {
	readonly testCount: number;
	/** How many items of these models have no final result. */
	count(models: readonly string[]): number;
	/** Final results of these models, per status. */
	priorCounts(models: readonly string[]): StatusCounts;
	/** The pending items of tests at positions [from, to), in test order, then in the order of `models`. */
	read(models: readonly string[], from: number, to: number): PendingItem[];
	/** The first position at or after `from` with a pending item of these models; undefined when there is none. */
	firstPending(models: readonly string[], from: number): number | undefined;
};

const itemKey = (model: string, testId: string) => `${model}\u0000${testId}`;

/** Pending items from in-memory tests and the results already final (`prior`): for tests and benches. */
export function memoryItems(tests: readonly TestCase[], prior: readonly ItemResult[] = []): PendingItems {
	const final = new Map<string, ItemResult['status']>();
	for (const result of prior) final.set(itemKey(result.model, result.testId), result.status);
	const testIds = new Set(tests.map(test => test.id));
	const finalOf = (models: readonly string[]) => {
		const wanted = new Set(models);
		return prior.filter(result => wanted.has(result.model) && testIds.has(result.testId));
	};

	return {
		testCount: tests.length,
		count: models => (models.length * tests.length) - finalOf(models).length,
		priorCounts(models) {
			const counts: StatusCounts = {passed: 0, failed: 0, errored: 0};
			for (const result of finalOf(models)) counts[result.status]++;
			return counts;
		},
		firstPending(models, from) {
			const index = tests.findIndex((test, position) => position >= from && models.some(model => !final.has(itemKey(model, test.id))));
			return index === -1 ? undefined : index;
		},
		read(models, from, to) {
			const items: PendingItem[] = [];
			for (const test of tests.slice(from, to)) {
				models.forEach((model, index) => {
					if (!final.has(itemKey(model, test.id))) items.push({model: index, test});
				});
			}

			return items;
		},
	};
}
