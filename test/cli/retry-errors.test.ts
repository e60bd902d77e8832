import {describe, expect, test} from 'vitest';
import {jsonl, runCli, tempDir} from '../helpers/cli.js';
import {fastConfig, onlyJsonObject, predictedPasses, suiteTests} from './fixtures.js';

const temp = tempDir();

/**
 * One simulated provider whose every answer is a 5xx (or none is), tried once per item. The breaker is set
 * past the suite's size: here every item is to fail on its own, not to wait for the provider to come back.
 */
const config = (errorRate: number) => fastConfig({providers: {
	flaky: {
		type: 'simulated', models: ['m-one'], concurrency: 4, breaker: {failures: 1000},
		simulate: {dialect: 'openai', latencyMs: 100, maxConcurrent: 32, rps: 100, errorRate},
	},
}});

describe('lanes resume --retry-errors', () => {
	test('sends errored items again and records their new results; without it a completed run sends nothing', async () => {
		const configPath = temp.write('config.json', {...config(1), retry: {maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100}});
		const suite = temp.write('suite.jsonl', jsonl(suiteTests));
		const db = temp.file('run.db');
		const first = await runCli(['run', '--config', configPath, '--suite', suite, '--db', db, '--json']);
		expect(first.code, first.stderr).toBe(0);
		const errored = onlyJsonObject(first.stdout);
		expect(errored.totals).toMatchObject({items: suiteTests.length, errored: suiteTests.length, pending: 0});

		// The provider has recovered (only its error rate changed: the run's models and suite are the same).
		temp.write('config.json', {...config(0), retry: {maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100}});
		const plainResume = await runCli(['resume', errored.runId, '--db', db, '--json']);
		expect(plainResume.code, plainResume.stderr).toBe(0);
		const unchanged = onlyJsonObject(plainResume.stdout);
		expect(unchanged.totals).toEqual(errored.totals);
		expect(unchanged.providers.flaky.requests).toBe(errored.providers.flaky.requests);

		const retried = await runCli(['resume', errored.runId, '--db', db, '--retry-errors', '--json']);
		expect(retried.code, retried.stderr).toBe(0);
		const summary = onlyJsonObject(retried.stdout);
		const passes = predictedPasses(configPath, suite).get('m-one')!;
		expect(summary.totals).toEqual({items: suiteTests.length, passed: passes, failed: suiteTests.length - passes, errored: 0, pending: 0});
		expect(summary.providers.flaky.requests).toBe(errored.providers.flaky.requests + suiteTests.length);
	});
});
