import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createChatClient} from '../../source/providers/chat-client.js';
import {modelAccuracy, simulatedAnswer, startSimulator, type Simulator} from '../../source/providers/simulator/index.js';
import {spec} from './helpers.js';

const prompts = ['What is 17 + 25?', 'Reverse the word: provider', 'Uppercase: lanes', 'Repeat exactly: one two three', 'Hello?'];
const gateway = spec('gateway', ['qwen-max', 'deepseek-v3'], {latencyMs: 20, maxConcurrent: 50, rps: 1000});
// Config names that differ from the deployments, and a provider name the SDK would misread on its own.
const azure = spec('deployments-eu', {'gpt-4o-mini': 'mini-prod', 'gpt-5-nano': 'nano.v2'}, {dialect: 'azure', latencyMs: 20, maxConcurrent: 50, rps: 1000, accuracy: {'gpt-5-nano': 0.5}});
let simulator: Simulator;

beforeAll(async () => {
	simulator = await startSimulator([gateway, azure], {timeScale: 0.1, seed: 7});
});
afterAll(async () => simulator.close());

const request = (model: string, prompt: string) => ({model, prompt, system: 'Answer with the bare answer.', maxTokens: 64, temperature: 0});

describe.each([
	{provider: gateway, models: [['qwen-max', 'qwen-max'], ['deepseek-v3', 'deepseek-v3']]},
	{provider: azure, models: [['gpt-4o-mini', 'mini-prod'], ['gpt-5-nano', 'nano.v2']]},
])('$provider.simulate.dialect dialect through the SDK', ({provider, models}) => {
	test('answers equal simulatedAnswer, with usage, and every request is logged', async () => {
		const client = createChatClient(simulator.targets.get(provider.name)!);
		for (const [model, apiName] of models) {
			for (const prompt of prompts) {
				const response = await client.complete(request(apiName!, prompt), {timeoutMs: 5000});
				expect(response.text).toBe(simulatedAnswer(model!, prompt, modelAccuracy(model!, provider.simulate)));
				expect(response.promptTokens).toBeGreaterThan(0);
				expect(response.completionTokens).toBeGreaterThan(0);
			}
		}

		expect(simulator.stats(provider.name)).toMatchObject({served: 10, requests: 10, inFlight: 0});
		const logged = simulator.log().filter(entry => entry.provider === provider.name);
		expect(logged.map(entry => entry.model).sort()).toEqual(models.flatMap(([model]) => prompts.map(() => model)).sort());
		expect(logged.every(entry => entry.status === 200 && entry.system === 'Answer with the bare answer.' && entry.endedAt >= entry.startedAt)).toBe(true);
	});
});

test('the URL and headers the SDK sends are the documented ones', async () => {
	const body = JSON.stringify({model: 'qwen-max', messages: [{role: 'user', content: 'Uppercase: abc'}]});
	const openai = await fetch(`${simulator.url}/gateway/v1/chat/completions`, {method: 'POST', headers: {authorization: 'Bearer lanes-simulator-key', 'content-type': 'application/json'}, body});
	expect(openai.status).toBe(200);
	const completion = await openai.json() as any;
	expect(completion).toMatchObject({object: 'chat.completion', model: 'qwen-max', choices: [{message: {role: 'assistant'}, finish_reason: 'stop'}]});
	expect(completion.usage.total_tokens).toBe(completion.usage.prompt_tokens + completion.usage.completion_tokens);
	expect(openai.headers.get('x-ratelimit-limit-requests')).toBe('1000');
	expect(openai.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d/);

	const deployed = await fetch(`${simulator.url}/deployments-eu/openai/deployments/mini-prod/chat/completions?api-version=2024-10-21`, {method: 'POST', headers: {'api-key': 'lanes-simulator-key'}, body});
	expect(deployed.status).toBe(200);
});

test('max_tokens cuts the answer like a real model', async () => {
	const client = createChatClient(simulator.targets.get('gateway')!);
	const long = 'Repeat exactly: ' + 'word '.repeat(40).trim();
	const response = await client.complete({...request('qwen-max', long), maxTokens: 2}, {timeoutMs: 5000});
	expect(response.completionTokens).toBe(2);
	expect(response.text).toHaveLength(8);
});

test('GET /_sim/stats and /_sim/log serve the same numbers to other processes', async () => {
	const stats = await (await fetch(`${simulator.url}/_sim/stats`)).json() as any;
	expect(stats.providers.gateway).toEqual(simulator.stats('gateway'));
	expect(stats.providers['deployments-eu']).toEqual(simulator.stats('deployments-eu'));
	const log = await (await fetch(`${simulator.url}/_sim/log`)).json();
	expect(log).toEqual(simulator.log());
});
