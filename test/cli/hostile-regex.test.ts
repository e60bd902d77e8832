import {expect, test} from 'vitest';
import {jsonl, runCli, tempDir} from '../helpers/cli.js';
import {fastConfig, onlyJsonObject} from './fixtures.js';

const temp = tempDir();

test('a regex that backtracks catastrophically on the answer neither freezes the run nor passes it', async () => {
	// The simulator repeats the text back; JavaScript's engine would need about 2^40 steps to reject it.
	const answer = `${'a'.repeat(40)}!`;
	const suite = temp.write('hostile.jsonl', jsonl([
		{id: 'redos', prompt: `Repeat exactly: ${answer}`, expected: '^(a+)+$', match: 'regex'},
		{id: 'fine', prompt: 'Repeat exactly: aaaa', expected: '^(a+)+$', match: 'regex'},
	]));
	const config = temp.write('hostile.json', fastConfig({providers: {
		alpha: {type: 'simulated', models: ['m-one'], simulate: {latencyMs: 100, maxConcurrent: 32, rps: 100, accuracy: {'m-one': 1}}},
	}}));
	const result = await runCli(['run', '--config', config, '--suite', suite, '--db', temp.file('hostile.db'), '--json'], {timeoutMs: 15_000});
	expect(result.code, result.stderr).toBe(0);
	expect(onlyJsonObject(result.stdout).totals).toMatchObject({items: 2, passed: 1, failed: 1, errored: 0});
});

test('a suite with a pattern only a backtracking engine runs is refused before anything is sent', async () => {
	const suite = temp.write('lookahead.jsonl', jsonl([{id: 'a', prompt: 'Say OK', expected: '^(?=O)OK', match: 'regex'}]));
	const config = temp.write('lookahead.json', fastConfig());
	const result = await runCli(['run', '--config', config, '--suite', suite, '--db', temp.file('lookahead.db'), '--json']);
	expect(result.code, result.stderr).toBe(2);
	expect(result.stderr).toContain(`${suite}:1: "expected"`);
	expect(result.stderr).not.toContain('    at ');
	expect(temp.entries().filter(name => name.startsWith('lookahead.db'))).toEqual([]);
});
