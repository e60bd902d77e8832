import {readdirSync, readFileSync} from 'node:fs';
import {describe, expect, test} from 'vitest';
import {jsonl, runCli, startCli, tempDir} from '../helpers/cli.js';
import {deadUrl} from '../providers/helpers.js';
import {fastConfig, onlyJsonObject, predictedPasses, suiteTests} from './fixtures.js';

const temp = tempDir();
const suite = temp.write('suite.jsonl', jsonl(suiteTests));

describe('lanes run exit codes', () => {
	test('a simulated provider with a wrong key: exit 4, its items pending, the other lane completes, the key never shown', async () => {
		// Distinctive, so finding it in the output means it leaked (a plain "wrong" could be any word).
		const wrongKey = 'wrong-key-5e1b7c2d9a';
		const config = temp.write('wrong-key.json', fastConfig({providers: {
			alpha: {type: 'simulated', models: ['m-one', 'm-two'], concurrency: 4, simulate: {latencyMs: 200, maxConcurrent: 32, rps: 100}},
			beta: {type: 'simulated', models: ['m-three'], apiKeyEnv: 'SIM_WRONG_KEY', simulate: {dialect: 'azure', latencyMs: 300}},
		}}));
		const db = temp.file('wrong-key.db');
		const result = await runCli(['run', '--config', config, '--suite', suite, '--db', db, '--json'], {env: {SIM_WRONG_KEY: wrongKey}});

		expect(result.code, result.stderr).toBe(4);
		const summary = onlyJsonObject(result.stdout);
		expect(summary.status).toBe('incomplete');
		const tests = suiteTests.length;
		expect(summary.providers.beta).toMatchObject({items: tests, passed: 0, failed: 0, errored: 0, pending: tests});
		expect(summary.models['m-three']).toMatchObject({items: tests, pending: tests});
		const predicted = predictedPasses(config, suite);
		expect(summary.providers.alpha).toMatchObject({items: 2 * tests, pending: 0, errored: 0, passed: predicted.get('m-one')! + predicted.get('m-two')!});
		expect(summary.totals).toMatchObject({items: 3 * tests, pending: tests});
		expect(result.stderr).toMatch(/beta.*(401|key)/i);
		expect(result.stderr).toContain(summary.runId);

		for (const output of [result.stdout, result.stderr]) expect(output).not.toContain(wrongKey);
		// Nor does it reach the database (results, attempts, events, stored config).
		for (const file of readdirSync(temp.dir).filter(name => name.startsWith('wrong-key.db'))) {
			expect(readFileSync(temp.file(file)).includes(wrongKey), file).toBe(false);
		}
	});

	test('a gateway where nothing listens: its lane stops naming host:port and ECONNREFUSED, the other lane completes, exit 4 and the resume command', async () => {
		const dead = await deadUrl();
		const config = temp.write('dead-host.json', fastConfig({providers: {
			alpha: {type: 'simulated', models: ['m-one'], concurrency: 4, simulate: {latencyMs: 100, maxConcurrent: 32, rps: 100}},
			gateway: {type: 'openai', baseURL: `${dead}/v1`, apiKeyEnv: 'DEAD_GATEWAY_KEY', models: ['g-one', 'g-two']},
		}}));
		const db = temp.file('dead-host.db');
		const result = await runCli(['run', '--config', config, '--suite', suite, '--db', db, '--json'], {env: {DEAD_GATEWAY_KEY: 'k-dead-9f3'}});
		expect(result.code, result.stderr).toBe(4);
		const summary = onlyJsonObject(result.stdout);
		expect(summary.status).toBe('incomplete');
		expect(summary.providers.alpha).toMatchObject({pending: 0});
		expect(summary.providers.gateway).toMatchObject({items: 2 * suiteTests.length, pending: 2 * suiteTests.length});
		const port = new URL(dead).port;
		expect(result.stderr).toContain(`cannot reach 127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
		expect(result.stderr).toMatch(new RegExp(`resume: .*resume ${summary.runId}`));
	});

	test.each(['SIGTERM', 'SIGINT'] as const)('%s during a run (plain mode): exit 3 and the resume command on stderr', async signal => {
		// About 100 ms a request, one at a time per model: the run would take several seconds.
		const config = temp.write(`slow-${signal}.json`, fastConfig({
			timeScale: 0.1,
			providers: {
				alpha: {type: 'simulated', models: ['m-one', 'm-two'], concurrency: 1, adaptive: false, simulate: {latencyMs: 1000, latencySigma: 0, maxConcurrent: 32, rps: 100}},
			},
		}));
		const db = temp.file(`slow-${signal}.db`);
		const cli = startCli(['run', '--config', config, '--suite', suite, '--db', db, '--plain']);
		// The signal handlers are in place before this line is written.
		const [, runId] = await cli.waitForOutput('stderr', /lanes: run (\S+): /);
		cli.child.kill(signal);
		const result = await cli.exited;

		expect(result.code, result.stderr).toBe(3);
		expect(result.stderr).not.toContain('    at ');
		// The record says what stopped it: the signal, not a key.
		expect(result.stderr).toContain(`${signal}: stop (in-flight requests finish)`);
		// Stopped part way: every item accounted for, some left for a resume.
		const [, passed, failed, errored, pending] = result.stderr.match(new RegExp(`run ${runId} interrupted: (\\d+) passed, (\\d+) failed, (\\d+) errored, (\\d+) pending`)) ?? [];
		expect(pending, result.stderr).toBeDefined();
		expect(Number(pending)).toBeGreaterThan(0);
		expect(Number(passed) + Number(failed) + Number(errored) + Number(pending)).toBe(2 * suiteTests.length);
		const resumeLine = result.stderr.split('\n').find(line => line.startsWith('resume:'));
		expect(resumeLine, result.stderr).toBeDefined();
		expect(resumeLine).toContain('resume');
		expect(resumeLine).toContain(runId);
		expect(resumeLine).toContain(db);
	});
});
