import {writeFileSync} from 'node:fs';
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

describe('config holes: refused before anything runs', () => {
	test('"models": {} (zero items would "complete")', async () => {
		const config = temp.write('no-models.json', fastConfig({providers: {alpha: {type: 'simulated', models: {}}}}));
		const result = await run('no-models.db', ['--config', config, '--suite', goodSuite]);
		expectBadInput(result, 'no-models.db');
		expect(result.stderr).toContain(`${config}: providers.alpha.models: expected at least one model`);
	});

	test.each([
		{concurrency: 100, extra: {adaptive: false}, says: 'expected at most maxConcurrency (64), got 100'},
		{concurrency: 1e9, extra: {}, says: 'expected at most maxConcurrency (64), got 1000000000'},
		{concurrency: 2, extra: {minConcurrency: 3}, says: 'expected at least minConcurrency (3), got 2'},
	])('concurrency $concurrency outside its bounds', async ({concurrency, extra, says}) => {
		const name = `conc-${concurrency}`;
		const config = temp.write(`${name}.json`, fastConfig({providers: {alpha: {type: 'simulated', models: ['m-one'], concurrency, ...extra}}}));
		const result = await run(`${name}.db`, ['--config', config, '--suite', goodSuite]);
		expectBadInput(result, `${name}.db`);
		expect(result.stderr).toContain(`${config}: providers.alpha.concurrency: ${says}`);
	});

	test('the default concurrency under a small maxConcurrency is no error', async () => {
		const config = temp.write('small-max.json', fastConfig({providers: {alpha: {type: 'simulated', models: ['m-one'], maxConcurrency: 2, simulate: {latencyMs: 100, maxConcurrent: 32, rps: 100}}}}));
		const result = await run('small-max.db', ['--config', config, '--suite', goodSuite]);
		expect(result.code, result.stderr).toBe(0);
		expect(JSON.parse(result.stdout).providers.alpha.concurrency).toBeLessThanOrEqual(2);
	});

	test.each([
		{name: 'ESC in an array entry', models: ['ok', 'bad\u001B[2J\u001B[31m']},
		{name: 'a C1 CSI in an object key', models: {'bad\u009B2J': {}}},
		{name: 'a bidi override', models: ['gpt\u202Eevil']},
	])('a model name with control characters: $name', async ({name, models}) => {
		const db = `control-${name.replaceAll(/\W/g, '')}.db`;
		const config = temp.write(`${db.replace('.db', '')}-config.json`, fastConfig({providers: {alpha: {type: 'simulated', models}}}));
		const result = await run(db, ['--config', config, '--suite', goodSuite]);
		expectBadInput(result, db);
		expect(result.stderr).toContain('providers.alpha.models');
		expect(result.stderr).toContain('control characters');
		expect(result.stderr).not.toMatch(/[\u001B\u009B\u202E]/);
	});

	test('an unknown --models name with an escape sequence is not echoed raw', async () => {
		const result = await run('control-flag.db', ['--config', goodConfig, '--suite', goodSuite, '--models', 'x\u001B[2J']);
		expectBadInput(result, 'control-flag.db');
		expect(result.stderr).toContain('--models');
		expect(result.stderr).not.toContain('\u001B');
	});
});

describe('files that are not UTF-8', () => {
	test('a suite line with invalid UTF-8 is named, with its column, instead of being sent with U+FFFD', async () => {
		const good = Buffer.from(`${JSON.stringify(suiteTests[0])}\n`);
		// "café" in Latin-1: the é is a lone 0xE9.
		const bad = Buffer.concat([Buffer.from('{"id": "latin1", "prompt": "caf'), Buffer.from([0xE9]), Buffer.from('"}\n')]);
		const suite = temp.file('latin1.jsonl');
		writeFileSync(suite, Buffer.concat([good, bad]));
		const result = await run('latin1.db', ['--config', goodConfig, '--suite', suite]);
		expectBadInput(result, 'latin1.db');
		expect(result.stderr).toContain(`${suite}:2:32: invalid UTF-8`);
	});

	test('a config with invalid UTF-8', async () => {
		const config = temp.file('latin1.json');
		writeFileSync(config, Buffer.concat([Buffer.from('{"providers": {"p": {"type": "simulated", "models": ["caf'), Buffer.from([0xE9]), Buffer.from('"]}}}\n')]));
		const result = await run('latin1-config.db', ['--config', config, '--suite', goodSuite]);
		expectBadInput(result, 'latin1-config.db');
		expect(result.stderr).toContain(`${config}:1:`);
		expect(result.stderr).toContain('invalid UTF-8');
	});
});
