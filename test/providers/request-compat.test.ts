import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {createChatClient} from '../../source/providers/chat-client.js';
import {compatFix, defaultCompat, requestBody, withFix} from '../../source/providers/request-compat.js';
import {modelAccuracy, simulatedAnswer, startSimulator, type Simulator} from '../../source/providers/simulator/index.js';
import {spec} from './helpers.js';

const azure = spec('az', ['gpt-5-nano', 'gpt-4o-mini'], {dialect: 'azure', latencyMs: 10, maxConcurrent: 50, rps: 1000});
let simulator: Simulator;

beforeAll(async () => {
	simulator = await startSimulator([azure], {seed: 3});
});
afterAll(async () => simulator.close());

const ask = (model: string, prompt: string) => ({model, prompt, maxTokens: 64, temperature: 0});

describe('parameters a reasoning model refuses', () => {
	test('are learned from the provider\'s 400 and the request goes through; the next one is right first time', async () => {
		const client = createChatClient(simulator.targets.get('az')!);
		const first = await client.complete(ask('gpt-5-nano', 'What is 2 + 3?'), {timeoutMs: 5000});
		expect(first.text).toBe(simulatedAnswer('gpt-5-nano', 'What is 2 + 3?', modelAccuracy('gpt-5-nano', azure.simulate)));
		// max_tokens refused, then temperature 0 refused, then answered.
		expect(simulator.log().map(entry => entry.status)).toEqual([400, 400, 200]);
		await client.complete(ask('gpt-5-nano', 'What is 4 + 4?'), {timeoutMs: 5000});
		// A model that takes the common parameters keeps them.
		await client.complete(ask('gpt-4o-mini', 'What is 4 + 4?'), {timeoutMs: 5000});
		expect(simulator.log().map(entry => entry.status)).toEqual([400, 400, 200, 200, 200]);
	});

	test('requests out at once learn one parameter each without unlearning the other\'s', async () => {
		const client = createChatClient(simulator.targets.get('az')!);
		const before = simulator.log().length;
		await Promise.all(Array.from({length: 6}, async (_, index) => client.complete(ask('gpt-5-nano', `What is ${index} + 1?`), {timeoutMs: 5000})));
		const wave = simulator.log().slice(before);
		expect(wave.filter(entry => entry.status === 200)).toHaveLength(6);
		expect(wave.filter(entry => entry.status === 400).length).toBeLessThanOrEqual(12);
		await client.complete(ask('gpt-5-nano', 'What is 9 + 9?'), {timeoutMs: 5000});
		expect(simulator.log().at(-1)!.status).toBe(200);
		expect(simulator.log().length).toBe(before + wave.length + 1);
		// A stale request's late lesson (max_tokens) keeps the one learned meanwhile (temperature).
		expect(withFix({maxCompletionTokens: true, omitTemperature: true}, {maxCompletionTokens: true, omitTemperature: false})).toEqual({maxCompletionTokens: true, omitTemperature: true});
	});

	test('other 400s are not mistaken for them', () => {
		expect(compatFix('Invalid value for messages[0].role', defaultCompat)).toBeUndefined();
		const tokens = compatFix('Unsupported parameter: \'max_tokens\' is not supported with this model. Use \'max_completion_tokens\' instead.', defaultCompat);
		expect(tokens).toEqual({maxCompletionTokens: true, omitTemperature: false});
		// Already applied: no loop.
		expect(compatFix('Unsupported parameter: \'max_tokens\' ... \'max_completion_tokens\'', tokens!)).toBeUndefined();
		expect(requestBody(ask('m', 'p'), {maxCompletionTokens: true, omitTemperature: true})).toEqual({
			model: 'm', messages: [{role: 'user', content: 'p'}], max_completion_tokens: 64,
		});
	});
});
