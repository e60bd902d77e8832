import {readFileSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, test} from 'vitest';
import {readConfigFile} from '../../source/config/load-config.js';
import {createChatClient, type ClientTarget} from '../../source/providers/chat-client.js';
import {modelAccuracy, simulatedAnswer} from '../../source/providers/simulator/index.js';
import {repoRoot, runCli, startCli, tempDir} from '../helpers/cli.js';
import {fastConfig} from './fixtures.js';

const temp = tempDir();

describe('lanes --help, --version and unknown commands', () => {
	test('--help exits 0 with the usage', async () => {
		const result = await runCli(['--help']);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout).toContain('Usage');
		expect(result.stdout).toContain('lanes run');
		expect(result.stdout).toContain('Exit codes');
	});

	test('--version exits 0 with the package version', async () => {
		const {version} = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {version: string};
		const result = await runCli(['--version']);
		expect(result.code, result.stderr).toBe(0);
		expect(result.stdout.trim()).toBe(version);
	});

	test('an unknown command exits 2 and names it, without a stack trace', async () => {
		const result = await runCli(['frobnicate']);
		expect(result.code).toBe(2);
		expect(result.stderr).toContain('"frobnicate"');
		expect(result.stderr).not.toContain('    at ');
		expect(result.stdout).toBe('');
	});
});

describe('lanes estimate', () => {
	test('the seed\'s plan: 6.4 h serially, 2.9 h with the configured plan', async () => {
		// From an empty folder, so no data/lanes.db with measured latencies changes the numbers.
		const config = path.join(repoRoot, 'config', 'seed-estimate.json');
		const result = await runCli(['estimate', '--config', config, '--tests', '100'], {cwd: temp.dir});
		expect(result.code, result.stderr).toBe(0);
		const line = (start: string) => result.stdout.split('\n').find(text => text.startsWith(start)) ?? '';
		expect(line('serial'), result.stdout).toContain('(6.4 h)');
		expect(line('lanes with the configured plan'), result.stdout).toContain('(2.9 h');
	});
});

describe('lanes sim', () => {
	test.each(['SIGTERM', 'SIGINT'] as const)('prints base URLs and keys an OpenAI SDK client can use; %s ends it', async signal => {
		const configPath = temp.write(`sim-${signal}.json`, fastConfig({providers: {
			alpha: {type: 'simulated', models: ['m-one', 'm-two'], simulate: {dialect: 'openai', latencyMs: 200}},
			beta: {type: 'simulated', models: {'m-three': {deployment: 'dep-three'}}, simulate: {dialect: 'azure', latencyMs: 300, apiKey: 'beta-own-key'}},
		}}));
		const sim = startCli(['sim', '--config', configPath, '--port', '0'], {timeoutMs: 15_000});
		await sim.waitForOutput('stdout', /_sim\/log/);
		const out = sim.stdout();
		const [, baseURL, alphaKey] = out.match(/alpha: openai\s+baseURL\s+(\S+).*\n\s+key: (\S+)/) ?? [];
		const [, endpoint, apiVersion, betaKey] = out.match(/beta: azure\s+endpoint\s+(\S+)\s+api-version\s+(\S+).*\n\s+key: (\S+)/) ?? [];
		expect(baseURL, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/alpha\/v1$/);
		expect(endpoint, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/beta$/);
		expect(betaKey).toBe('beta-own-key');

		const config = readConfigFile(configPath);
		const expected = (provider: 'alpha' | 'beta', model: string, prompt: string) => {
			const p = config.providers[provider]!;
			if (p.type !== 'simulated') throw new Error('unreachable');
			return simulatedAnswer(model, prompt, modelAccuracy(model, p.simulate));
		};

		const ask = async (target: ClientTarget, model: string, prompt: string) =>
			(await createChatClient(target).complete({model, prompt, maxTokens: 64, temperature: 0}, {timeoutMs: 5000})).text;
		const alpha: ClientTarget = {dialect: 'openai', baseURL: baseURL!, apiKey: alphaKey!};
		const beta: ClientTarget = {dialect: 'azure', endpoint: endpoint!, apiVersion: apiVersion!, apiKey: betaKey!};
		expect(await ask(alpha, 'm-one', 'What is 6 * 7?')).toBe(expected('alpha', 'm-one', 'What is 6 * 7?'));
		expect(await ask(beta, 'dep-three', 'Reverse the word: simulator')).toBe(expected('beta', 'm-three', 'Reverse the word: simulator'));

		sim.child.kill(signal);
		const result = await sim.exited;
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).not.toContain('    at ');
		// Nothing listens any more.
		await expect(fetch(`${new URL(baseURL!).origin}/_sim/stats`)).rejects.toThrow();
	});
});
