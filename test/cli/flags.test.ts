import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {jsonl, runCli, tempDir} from '../helpers/cli.js';
import {countingKeyEnv, startCountingProvider, type CountingProvider} from '../helpers/counting-provider.js';

const temp = tempDir();
const suite = temp.write('suite.jsonl', jsonl([{id: 't1', prompt: 'Say OK', expected: 'OK'}]));
let provider: CountingProvider;
let config: string;

beforeAll(async () => {
	provider = await startCountingProvider();
	config = temp.write('paid.json', provider.config());
});
afterAll(async () => provider.close());

/**
 * Every case is a command line with one mistake, against a config whose provider counts requests: exit 2, a
 * message naming the flag or argument (and, where there is one, the nearest right one), no stack trace,
 * nothing on stdout, no request sent, no database written.
 */
const cases: Array<{name: string; args: (db: string) => string[]; says: string[]}> = [
	{name: 'an unknown flag that is a typo of --models', args: db => ['run', '--config', config, '--suite', suite, '--db', db, '--model', 'm-one'], says: ['--model', 'did you mean --models?']},
	{name: 'a typo of --suite', args: db => ['run', '--config', config, '--suit', suite, '--db', db], says: ['--suit', 'did you mean --suite?']},
	{name: 'a flag lanes does not have', args: db => ['run', '--config', config, '--suite', suite, '--db', db, '--frob'], says: ['--frob']},
	{name: 'no command and an unknown flag (lanes = lanes run)', args: db => ['--config', config, '--db', db, '--frob'], says: ['--frob']},
	{name: 'a stray argument', args: db => ['run', '--config', config, '--suite', suite, '--db', db, 'm-one'], says: ['"m-one"', 'takes no arguments']},
	{name: 'a flag without its value at the end', args: db => ['run', '--config', config, '--suite', suite, '--db'], says: ['--db', 'needs a value']},
	{name: 'a flag without its value before another flag', args: db => ['run', '--config', config, '--suite', '--db', db], says: ['--suite', 'needs a value']},
	{name: 'a flag given twice', args: db => ['run', '--config', config, '--suite', suite, '--db', db, '--db', `${db}-other`], says: ['--db', 'twice']},
	{name: 'a boolean flag with a value', args: db => ['run', '--config', config, '--suite', suite, '--db', db, '--json=yes'], says: ['--json', '"yes"']},
	{name: 'a flag of another command', args: db => ['run', '--config', config, '--suite', suite, '--db', db, '--retry-errors'], says: ['--retry-errors', 'lanes resume']},
	{name: 'an empty --models list', args: db => ['run', '--config', config, '--suite', suite, '--db', db, '--models', ','], says: ['--models', 'comma-separated']},
	{name: 'resume with two run ids', args: db => ['resume', 'r1', 'r2', '--db', db], says: ['"r2"', 'RUN_ID']},
	{name: 'a typo of a command', args: db => ['rn', '--config', config, '--db', db], says: ['"rn"', 'did you mean "run"?']},
];

describe('a command line with a mistake: exit 2 naming it, nothing sent, nothing written', () => {
	test.each(cases)('$name', async ({args, says}) => {
		const db = temp.file(`${Math.random().toString(36).slice(2)}.db`);
		const result = await runCli(args(db), {env: countingKeyEnv});
		expect(result.code, result.stderr).toBe(2);
		for (const text of says) expect(result.stderr).toContain(text);
		expect(result.stderr).not.toContain('    at ');
		expect(result.stderr).not.toMatch(/unexpected error/i);
		expect(result.stdout).toBe('');
		expect(provider.requests()).toBe(0);
		expect(temp.entries().filter(name => name.startsWith(db.split('/').at(-1)!))).toEqual([]);
	});
});

describe('flags of the other commands', () => {
	test.each([
		{args: ['runs', '--format', 'csv'], says: ['--format', 'lanes report']},
		{args: ['estimate', '--tests', 'abc'], says: ['--tests', 'positive whole number', '"abc"']},
		{args: ['estimate', '--latency-ms', '0'], says: ['--latency-ms', '"0"']},
		{args: ['sim', '--port', '99999'], says: ['--port', '0 to 65535', '"99999"']},
		{args: ['report', 'r1', '--format', 'xml'], says: ['--format', 'table, csv or json', '"xml"']},
		{args: ['resume', '--retryErrors'], says: ['--retryErrors', 'did you mean --retry-errors?']},
	])('lanes $args.0 with a bad flag: $args', async ({args, says}) => {
		const result = await runCli(args);
		expect(result.code, result.stderr).toBe(2);
		for (const text of says) expect(result.stderr).toContain(text);
		expect(result.stderr).not.toContain('    at ');
		expect(result.stdout).toBe('');
	});

	test('--help after a command prints the usage instead of running', async () => {
		const result = await runCli(['run', '--config', config, '--suite', suite, '--help'], {env: countingKeyEnv});
		expect(result.code).toBe(0);
		expect(result.stdout).toContain('Usage');
		expect(provider.requests()).toBe(0);
	});

	test('the same run with the flags right does reach the provider', async () => {
		// The control for the cases above: their zero requests come from the mistake, not from a config that cannot run.
		const db = temp.file('right.db');
		const result = await runCli(['run', '--config', config, '--suite', suite, '--db', db, '--models', 'm-one', '--json'], {env: countingKeyEnv});
		expect(result.code, result.stderr).toBe(0);
		expect(JSON.parse(result.stdout).totals).toMatchObject({items: 1, passed: 1});
		expect(provider.requests()).toBeGreaterThan(0);
	});
});
