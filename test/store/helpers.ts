import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach} from 'vitest';
import type {AttemptRecord, ItemResult} from '../../source/engine/types.js';
import type {CreateRunInput, Store} from '../../source/store/index.js';

const directories: string[] = [];
const stores: Store[] = [];

afterEach(() => {
	for (const store of stores.splice(0)) store.close();
	for (const directory of directories.splice(0)) rmSync(directory, {recursive: true, force: true});
});

/** A fresh directory, removed after the test. */
export function temporaryDirectory(): string {
	const directory = mkdtempSync(join(tmpdir(), 'lanes-store-'));
	directories.push(directory);
	return directory;
}

/** Closes the store after the test (close is idempotent, so a test may close it earlier). */
export function track(store: Store): Store {
	stores.push(store);
	return store;
}

/** The bytes of a file and the names next to it: what must not change when a file is refused. */
export function snapshotFile(path: string, directory: string): {bytes: Buffer; names: string[]} {
	return {bytes: readFileSync(path), names: readdirSync(directory).sort()};
}

export function runInput(id: string, overrides: Partial<CreateRunInput> = {}): CreateRunInput {
	return {
		id,
		startedAt: 1_000,
		configJson: {providers: {sim: {type: 'simulated', models: ['m1', 'm2']}}},
		configPath: 'config/lanes.json',
		suitePath: 'data/suite.jsonl',
		suiteHash: 'sha256:abc',
		models: [
			{name: 'm1', provider: 'sim', apiModel: 'm1'},
			{name: 'm2', provider: 'sim', apiModel: 'deployment-2'},
		],
		testIds: ['t1', 't2', 't3'],
		lanes: [{lane: 'sim', concurrency: 4, minConcurrency: 1, maxConcurrency: 16, adaptive: true, paused: false}],
		...overrides,
	};
}

export function result(model: string, testId: string, status: ItemResult['status'], overrides: Partial<ItemResult> = {}): ItemResult {
	return {provider: 'sim', model, testId, status, attempts: 1, finishedAt: 2_000, ...(status === 'errored' ? {errorClass: 'transient', errorMessage: 'HTTP 503'} : {answer: 'Paris', latencyMs: 100}), ...overrides};
}

export function attempt(model: string, testId: string, number: number, overrides: Partial<AttemptRecord> = {}): AttemptRecord {
	return {provider: 'sim', model, testId, attempt: number, outcome: 'ok', status: 200, latencyMs: 50, at: 1_500, ...overrides};
}
