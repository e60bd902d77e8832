import {expect, test} from 'vitest';
import {loadConfig} from '../../source/config/load-config.js';
import {loadSuite} from '../../source/config/load-suite.js';
import {modelNames} from '../../source/config/schema.js';
import {grade} from '../../source/engine/grade.js';

test('config/default.json: three simulated lanes, no keys needed', () => {
	const {config, apiKeys} = loadConfig('config/default.json', {});
	expect(apiKeys.size).toBe(0);
	expect(Object.keys(config.providers)).toEqual(['azure', 'user_azure', 'idealab']);
	const {azure, user_azure: userAzure, idealab} = config.providers;
	expect([azure!.type, userAzure!.type, idealab!.type]).toEqual(['simulated', 'simulated', 'simulated']);
	expect(modelNames(azure!.models)).toEqual(['gpt-4o-mini']);
	expect(modelNames(userAzure!.models)).toEqual(['gpt-5-nano']);
	expect(modelNames(idealab!.models)).toHaveLength(21);
	expect(idealab!.batch).toEqual({size: 5, pauseSeconds: 8});
	expect(azure!.type === 'simulated' && azure!.simulate.dialect).toBe('azure');
	expect(idealab!.type === 'simulated' && idealab!.simulate.dialect).toBe('openai');
});

test('config/example-real.json loads with keys in the environment', () => {
	const env = {AZURE_OPENAI_API_KEY: 'fake-az', USER_AZURE_OPENAI_API_KEY: 'fake-user-az', IDEALAB_API_KEY: 'fake-idealab'};
	const {config, apiKeys} = loadConfig('config/example-real.json', env);
	expect(Object.fromEntries(Object.entries(config.providers).map(([name, provider]) => [name, provider.type]))).toEqual({azure: 'azure', user_azure: 'azure', idealab: 'openai'});
	expect([...apiKeys.keys()]).toEqual(['azure', 'user_azure', 'idealab']);
	expect(() => loadConfig('config/example-real.json', {})).toThrow('environment variable AZURE_OPENAI_API_KEY is not set');
});

test('config/seed-estimate.json states the seed\'s numbers', () => {
	const {config} = loadConfig('config/seed-estimate.json', {});
	const lanes = Object.entries(config.providers).map(([name, provider]) => [name, modelNames(provider.models).length, provider.concurrency, provider.type === 'simulated' && provider.simulate.latencyMs]);
	expect(lanes).toEqual([['azure', 1, 5, 10_000], ['user_azure', 1, 5, 10_000], ['idealab', 21, 2, 10_000]]);
});

test('data/demo.jsonl: 24 tests t0001..t0024 whose expected answers are right', () => {
	const {tests} = loadSuite('data/demo.jsonl');
	expect(tests.map(t => t.id)).toEqual(Array.from({length: 24}, (_, index) => `t${String(index + 1).padStart(4, '0')}`));
	expect(new Set(tests.map(t => t.match))).toEqual(new Set(['exact', 'contains', 'regex']));
	for (const t of tests) {
		const sum = /^What is (\d+) \+ (\d+)\? Reply with the number only\.$/.exec(t.prompt);
		const reverse = /^Reverse the word: (\w+)$/.exec(t.prompt);
		const upper = /^Uppercase: (\w+)$/.exec(t.prompt);
		const answer = sum ? String(Number(sum[1]) + Number(sum[2])) : reverse ? [...reverse[1]!].reverse().join('') : upper ? upper[1]!.toUpperCase() : undefined;
		expect(answer, t.prompt).toBeDefined();
		expect(grade(t, answer!), t.id).toBe('passed');
	}
});
