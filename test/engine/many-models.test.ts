import {expect, test} from 'vitest';
import {WorkQueue} from '../../source/engine/work-queue.js';
import type {ModelSpec, TestCase} from '../../source/engine/types.js';
import {textTable} from '../../source/text/format.js';

// Past what Math.max(...list) survives: one argument per element overflows the stack at about 125k-150k.
const count = 300_000;

test('a lane with 300k models builds its queue', () => {
	const models: ModelSpec[] = Array.from({length: count}, (_, index) => ({name: `m${index}`, apiModel: `m${index}`}));
	const tests: TestCase[] = [{id: 't1', prompt: 'p', match: 'exact'}, {id: 't2', prompt: 'q', match: 'exact'}];
	const pending = models.flatMap(model => tests.map(test => ({model, test})));
	const queue = new WorkQueue(models, pending);
	expect(queue.total).toBe(2 * count);
});

test('a report table with 300k rows is laid out', () => {
	const rows = [['model', 'items'], ...Array.from({length: count}, (_, index) => [`model-${index}`, String(index)])];
	const lines = textTable(rows).split('\n');
	expect(lines).toHaveLength(count + 1);
	expect(lines.at(-1)).toBe(`model-${count - 1}  ${String(count - 1)}`);
});
