import {expect, test} from 'vitest';
import {memoryItems} from '../../source/engine/pending-items.js';
import {WorkQueue} from '../../source/engine/work-queue.js';
import type {ModelSpec, TestCase} from '../../source/engine/types.js';
import {textTable} from '../../source/text/format.js';

// Past what Math.max(...list) survives: one argument per element overflows the stack at about 125k-150k.
const count = 300_000;

test('a lane with 300k models builds its queue', () => {
	const models: ModelSpec[] = Array.from({length: count}, (_, index) => ({name: `m${index}`, apiModel: `m${index}`}));
	const tests: TestCase[] = [{id: 't1', prompt: 'p', match: 'exact'}, {id: 't2', prompt: 'q', match: 'exact'}];
	const queue = new WorkQueue(models, memoryItems(tests));
	expect(queue.total).toBe(2 * count);
	// The first page interleaves the models: test 1 of each, in order.
	expect(queue.next()?.model.name).toBe('m0');
	expect(queue.next()?.model.name).toBe('m1');
});

test('a report table with 300k rows is laid out', () => {
	const rows = [['model', 'items'], ...Array.from({length: count}, (_, index) => [`model-${index}`, String(index)])];
	const lines = textTable(rows).split('\n');
	expect(lines).toHaveLength(count + 1);
	expect(lines.at(-1)).toBe(`model-${count - 1}  ${String(count - 1)}`);
});
