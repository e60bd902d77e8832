import {join} from 'node:path';
import {expect, test} from 'vitest';
import type {ItemResult} from '../../source/engine/types.js';
import {openStore} from '../../source/store/index.js';
import {result, runInput, temporaryDirectory, track} from './helpers.js';

/** The CSV as lanes wrote it field by field in JS before SQLite built it: the rows must stay byte for byte the same. */
function reference(results: readonly ItemResult[]): string {
	const cell = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
	return results.map(r => `${[
		r.model, r.provider, r.testId, r.status, r.answer ?? '', r.latencyMs ?? '', r.attempts, r.promptTokens ?? '', r.completionTokens ?? '',
		r.errorClass ?? '', r.errorMessage ?? '', new Date(r.finishedAt).toISOString(),
	].map(value => cell(String(value))).join(',')}\n`).join('');
}

const tricky: Array<[string, Partial<ItemResult>]> = [
	['plain', {answer: 'Paris', latencyMs: 0.1 + 0.2, finishedAt: 1_733_100_000_000}],
	['comma', {answer: 'Paris, France', latencyMs: 1234, finishedAt: 1_733_100_000_005}],
	['quote', {answer: 'say "hi"', latencyMs: 1e-7, finishedAt: 1_733_100_000_050}],
	['newline', {answer: 'one\ntwo', latencyMs: 6.697_191_020_136_383, finishedAt: 1_733_100_000_999}],
	['return', {answer: 'one\r\ntwo', latencyMs: 0.000_012_3, finishedAt: 1_733_100_001_000}],
	['unicode', {answer: 'Zürich 東京 🚀', promptTokens: 12, completionTokens: 3, finishedAt: 1_733_100_061_001}],
	['empty', {answer: '', latencyMs: 99_999.125, finishedAt: 0}],
	['no-answer', {answer: undefined, latencyMs: undefined, finishedAt: 86_399_999}],
];

test('the results CSV is what field-by-field formatting wrote: quoting, empty fields, numbers and times', () => {
	const store = track(openStore(join(temporaryDirectory(), 'runs.db')));
	const models = [{name: 'm1', provider: 'sim', apiModel: 'm1'}, {name: 'm,2', provider: 'p"q', apiModel: 'm2'}];
	store.createRun(runInput('r1', {models, testIds: tricky.map(([id]) => id)}));
	const recorded: ItemResult[] = [];
	for (const model of models) {
		for (const [id, fields] of tricky) recorded.push({...result(model.name, id, 'passed'), ...fields, provider: model.provider});
		recorded.push(result(model.name, 'errored', 'errored', {provider: model.provider, errorMessage: 'HTTP 503: "busy", try\nlater', finishedAt: 1_733_100_000_123}));
	}

	for (const item of recorded) store.recordResult('r1', item);
	// The store's order: by model, then test id (binary, as SQLite compares these ASCII names).
	const byKey = (a: ItemResult, b: ItemResult) => (a.model === b.model ? (a.testId < b.testId ? -1 : 1) : (a.model < b.model ? -1 : 1));
	expect(Buffer.concat([...store.resultsCsv('r1')]).toString('utf8')).toBe(reference([...recorded].sort(byKey)));
});

test('a long CSV comes in chunks of whole lines', () => {
	const store = track(openStore(join(temporaryDirectory(), 'runs.db')));
	const testIds = Array.from({length: 300}, (_, index) => `t${String(index).padStart(3, '0')}`);
	store.createRun(runInput('r1', {testIds}));
	const recorded = testIds.map((id, index) => result('m1', id, 'passed', {answer: `${'x'.repeat(10_000)},${index}`, latencyMs: index + 0.5}));
	for (const item of recorded) store.recordResult('r1', item);
	const chunks = [...store.resultsCsv('r1')];
	expect(chunks.length).toBeGreaterThan(1);
	expect(chunks.every(chunk => chunk.at(-1) === 0x0A)).toBe(true);
	expect(Buffer.concat(chunks).toString('utf8')).toBe(reference(recorded));
});
