import {expect, test} from 'vitest';
import {memoryItems, type PendingItems} from '../../source/engine/pending-items.js';
import {WorkQueue} from '../../source/engine/work-queue.js';
import type {ItemResult, ModelSpec, TestCase} from '../../source/engine/types.js';

const models: ModelSpec[] = Array.from({length: 10}, (_, index) => ({name: `m${index}`, apiModel: `m${index}`}));
const tests: TestCase[] = Array.from({length: 20_000}, (_, index) => ({id: `t${index}`, prompt: 'p', match: 'exact'}));

/** The first half of the tests final for every model: a run stopped half way, resumed. */
const prior: ItemResult[] = tests.slice(0, 10_000).flatMap(test => models.map(model => ({
	provider: 'p', model: model.name, testId: test.id, status: 'passed' as const, attempts: 1, finishedAt: 0,
})));

/** Counts the items of every page read. */
function counted(source: PendingItems): PendingItems & {pages: number[]} {
	const pages: number[] = [];
	return {
		...source,
		pages,
		read(names, from, to) {
			const items = source.read(names, from, to);
			pages.push(items.length);
			return items;
		},
	};
}

test('a resumed run skips its done half without reading it, and no page holds more than one window', () => {
	const source = counted(memoryItems(tests, prior));
	const queue = new WorkQueue(models, source);
	expect(queue.total).toBe(100_000);
	const first = queue.next();
	expect(first?.test.id).toBe('t10000');
	expect(first?.model.name).toBe('m0');
	let taken = 1;
	while (queue.next()) taken++;
	expect(taken).toBe(100_000);
	// 512 items a page: 52 tests of 10 models (520), never a window of the done stretch and the next together.
	expect(Math.max(...source.pages)).toBeLessThanOrEqual(520);
	expect(source.pages.every(items => items > 0)).toBe(true);
});
