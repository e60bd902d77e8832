import {existsSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {jsonl, runCli, tempDir} from '../helpers/cli.js';
import {fastConfig, onlyJsonObject, predictedPasses, summaryKeys, suiteTests} from './fixtures.js';

const temp = tempDir();

describe('lanes run --json', () => {
	test('exits 0 and prints one JSON summary whose counts add up and match the simulator\'s fixed answers', async () => {
		const config = temp.write('config.json', fastConfig());
		const suite = temp.write('suite.jsonl', jsonl(suiteTests));
		const db = temp.file('run.db');
		const result = await runCli(['run', '--config', config, '--suite', suite, '--db', db, '--json']);

		expect(result.stderr).not.toContain('    at ');
		expect(result.code, result.stderr).toBe(0);
		const summary = onlyJsonObject(result.stdout);
		expect(Object.keys(summary).sort()).toEqual([...summaryKeys.top].sort());
		expect(summary.status).toBe('completed');
		expect(summary.runId).toMatch(/^\S+$/);
		expect(result.stderr).toContain(summary.runId);
		expect(summary.elapsedMs).toBeTypeOf('number');
		expect(summary.elapsedMs).toBeGreaterThanOrEqual(0);

		const tests = suiteTests.length;
		const models: Record<string, string> = {'m-one': 'alpha', 'm-two': 'alpha', 'm-three': 'beta'};
		const predicted = predictedPasses(config, suite);

		// Models: exactly the config's, each with every test graded as the simulator's answers predict.
		expect(Object.keys(summary.models).sort()).toEqual(Object.keys(models).sort());
		for (const [name, model] of Object.entries<any>(summary.models)) {
			expect(Object.keys(model).sort(), name).toEqual([...summaryKeys.model].sort());
			expect(model.provider, name).toBe(models[name]);
			expect(model.items, name).toBe(tests);
			expect(model.passed, name).toBe(predicted.get(name));
			expect(model.failed, name).toBe(tests - predicted.get(name)!);
			expect(model.errored, name).toBe(0);
			expect(model.pending, name).toBe(0);
			expect(model.latencyP50Ms, name).toBeTypeOf('number');
			expect(model.latencyP50Ms, name).toBeLessThanOrEqual(model.latencyP95Ms);
		}

		// Providers: the sums of their models, with request counts that cover every item.
		expect(Object.keys(summary.providers).sort()).toEqual(['alpha', 'beta']);
		for (const [name, provider] of Object.entries<any>(summary.providers)) {
			expect(Object.keys(provider).sort(), name).toEqual([...summaryKeys.provider].sort());
			const own = Object.entries<any>(summary.models).filter(([, model]) => model.provider === name).map(([, model]) => model);
			for (const key of summaryKeys.counts) {
				expect(provider[key], `${name}.${key}`).toBe(own.reduce((sum, model) => sum + model[key], 0));
			}

			expect(provider.requests, name).toBeGreaterThanOrEqual(provider.items);
			for (const key of ['rateLimited', 'retries']) expect(provider[key], `${name}.${key}`).toBeGreaterThanOrEqual(0);
			expect(Number.isInteger(provider.concurrency) && provider.concurrency >= 1, `${name}.concurrency`).toBe(true);
		}

		// Totals: the sums of the providers, and every item accounted for.
		const {totals} = summary;
		expect(Object.keys(totals).sort()).toEqual([...summaryKeys.counts].sort());
		for (const key of summaryKeys.counts) {
			expect(totals[key], `totals.${key}`).toBe(Object.values<any>(summary.providers).reduce((sum, provider) => sum + provider[key], 0));
		}

		expect(totals.items).toBe(tests * 3);
		expect(totals.passed + totals.failed + totals.errored + totals.pending).toBe(totals.items);
		expect(totals.passed).toBe([...predicted.values()].reduce((sum, passes) => sum + passes, 0));
		// The answers are neither all right nor all wrong, so the prediction is a real check.
		expect(totals.passed).toBeGreaterThan(0);
		expect(totals.failed).toBeGreaterThan(0);
		expect(existsSync(db)).toBe(true);
	});
});
