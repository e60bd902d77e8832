import {describe, expect, test} from 'vitest';
import {runCli, tempDir, jsonl, type CliResult} from '../helpers/cli.js';
import {fastConfig, suiteTests} from './fixtures.js';

const temp = tempDir();
const goodConfig = temp.write('good.json', fastConfig());
const goodSuite = temp.write('suite.jsonl', jsonl(suiteTests));

/** What every bad input gets: exit 2, one message on stderr, nothing on stdout, no stack trace, no database. */
function expectBadInput(result: CliResult, dbName: string): void {
	expect(result.code, `exit code; stderr:\n${result.stderr}`).toBe(2);
	expect(result.stderr).not.toContain('    at ');
	expect(result.stderr).not.toMatch(/unexpected error/i);
	expect(result.stdout).toBe('');
	expect(temp.entries().filter(name => name.startsWith(dbName))).toEqual([]);
}

async function run(dbName: string, args: string[], env?: Record<string, string | undefined>): Promise<CliResult> {
	return runCli(['run', ...args, '--db', temp.file(dbName), '--json'], {env});
}

describe('lanes run with bad input exits 2 with a message naming the file and the key', () => {
	test('a config with an unknown key', async () => {
		const config = temp.write('unknown-key.json', fastConfig({providers: {alpha: {type: 'simulated', models: ['m-one'], concurrrency: 4}}}));
		const result = await run('unknown-key.db', ['--config', config, '--suite', goodSuite]);
		expectBadInput(result, 'unknown-key.db');
		expect(result.stderr).toContain(config);
		expect(result.stderr).toContain('providers.alpha');
		expect(result.stderr).toContain('concurrrency');
	});

	test('a config value of the wrong type', async () => {
		const config = temp.write('wrong-type.json', fastConfig({providers: {alpha: {type: 'simulated', models: ['m-one'], qps: 'five'}}}));
		const result = await run('wrong-type.db', ['--config', config, '--suite', goodSuite]);
		expectBadInput(result, 'wrong-type.db');
		expect(result.stderr).toContain(`${config}: providers.alpha.qps`);
		expect(result.stderr).toContain('"five"');
	});

	test('a missing config file', async () => {
		const config = temp.file('no-such-config.json');
		const result = await run('missing-config.db', ['--config', config, '--suite', goodSuite]);
		expectBadInput(result, 'missing-config.db');
		expect(result.stderr).toContain(config);
	});

	test('a broken suite line, with its line number', async () => {
		const suite = temp.write('broken.jsonl', `${JSON.stringify(suiteTests[0])}\n${JSON.stringify(suiteTests[1])}\n{"id": "t3", "prompt":\n`);
		const result = await run('broken-suite.db', ['--config', goodConfig, '--suite', suite]);
		expectBadInput(result, 'broken-suite.db');
		expect(result.stderr).toContain(`${suite}:3`);
		expect(result.stderr).toMatch(/invalid JSON/i);
	});

	test('--models naming no model of the config', async () => {
		const result = await run('no-model.db', ['--config', goodConfig, '--suite', goodSuite, '--models', 'nosuch']);
		expectBadInput(result, 'no-model.db');
		expect(result.stderr).toContain('--models');
		expect(result.stderr).toContain('nosuch');
	});

	test('an unset apiKeyEnv variable: names the variable and the provider, shows no key value', async () => {
		const setKey = 'sk-set-4d1f9a77c0ffee';
		const config = temp.write('unset-key.json', fastConfig({providers: {
			alpha: {type: 'simulated', models: ['m-one'], apiKeyEnv: 'LANES_TEST_UNSET_KEY'},
			beta: {type: 'simulated', models: ['m-two'], apiKeyEnv: 'LANES_TEST_SET_KEY'},
		}}));
		const result = await run('unset-key.db', ['--config', config, '--suite', goodSuite], {LANES_TEST_UNSET_KEY: undefined, LANES_TEST_SET_KEY: setKey});
		expectBadInput(result, 'unset-key.db');
		expect(result.stderr).toContain(`${config}: providers.alpha.apiKeyEnv`);
		expect(result.stderr).toContain('LANES_TEST_UNSET_KEY');
		expect(result.stderr).toContain('"alpha"');
		expect(result.stderr).not.toContain(setKey);
		expect(result.stderr).not.toContain('lanes-simulator-key');
	});
});
