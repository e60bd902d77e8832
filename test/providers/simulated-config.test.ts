import {effectiveRps} from '../../source/providers/simulator/effective-rps.js';
import {afterAll, beforeAll, expect, test} from 'vitest';
import {configSchema, type ProviderConfig} from '../../source/config/schema.js';
import {createChatClient} from '../../source/providers/chat-client.js';
import {type SimulatedProviderConfig, simulatedSpecs, simulatedTarget} from '../../source/providers/simulated-config.js';
import {DEFAULT_SIMULATOR_KEY, modelAccuracy, simulatedAnswer, startSimulator, type Simulator} from '../../source/providers/simulator/index.js';
import {rejectionOf} from './helpers.js';

const config = configSchema.parse({
	providers: {
		real: {type: 'openai', baseURL: 'https://gateway.example/v1', apiKeyEnv: 'GATEWAY_KEY', models: ['x']},
		idealab: {type: 'simulated', models: ['qwen-max', 'deepseek-v3'], simulate: {maxConcurrent: 2, latencyMs: 10}},
		azure: {type: 'simulated', models: {'gpt-4o-mini': {deployment: 'mini'}}, simulate: {dialect: 'azure', apiKey: 'custom', latencyMs: 10}},
		locked: {type: 'simulated', models: ['m'], apiKeyEnv: 'LOCKED_KEY', simulate: {latencyMs: 10}},
	},
});
let simulator: Simulator;
const simulated = (provider: ProviderConfig | undefined) => provider as SimulatedProviderConfig;

beforeAll(async () => {
	simulator = await startSimulator(simulatedSpecs(config), {timeScale: 0.1});
});
afterAll(async () => simulator.close());

test('picks the simulated providers in config order with their model maps', () => {
	const specs = simulatedSpecs(config);
	expect(specs.map(spec => spec.name)).toEqual(['idealab', 'azure', 'locked']);
	expect([...specs[0]!.models]).toEqual([['qwen-max', 'qwen-max'], ['deepseek-v3', 'deepseek-v3']]);
	expect([...specs[1]!.models]).toEqual([['gpt-4o-mini', 'mini']]);
	expect(specs[0]!.simulate).toMatchObject({maxConcurrent: 2, dialect: 'openai'});
	expect(effectiveRps(specs[0]!.simulate)).toBe(10);
});

test('targets carry the key each provider accepts', async () => {
	expect(simulator.targets.get('idealab')).toMatchObject({dialect: 'openai', apiKey: DEFAULT_SIMULATOR_KEY, baseURL: `${simulator.url}/idealab/v1`});
	expect(simulator.targets.get('azure')).toMatchObject({dialect: 'azure', apiKey: 'custom', endpoint: `${simulator.url}/azure`});
	const azure = simulated(config.providers.azure);
	const client = createChatClient(simulatedTarget(simulator, 'azure', azure, {}));
	const expected = simulatedAnswer('gpt-4o-mini', 'Uppercase: ok', modelAccuracy('gpt-4o-mini', azure.simulate));
	expect((await client.complete({model: 'mini', prompt: 'Uppercase: ok', maxTokens: 8, temperature: 0}, {timeoutMs: 5000})).text).toBe(expected);
});

test('with apiKeyEnv the lane sends that variable: a wrong or missing one is an auth failure', async () => {
	const provider = simulated(config.providers.locked);
	const ask = {model: 'm', prompt: 'Hi', maxTokens: 8, temperature: 0};
	expect(await rejectionOf(createChatClient(simulatedTarget(simulator, 'locked', provider, {LOCKED_KEY: 'wrong'})).complete(ask, {timeoutMs: 5000}))).toMatchObject({errorClass: 'auth', status: 401});
	expect(await rejectionOf(createChatClient(simulatedTarget(simulator, 'locked', provider, {})).complete(ask, {timeoutMs: 5000}))).toMatchObject({errorClass: 'auth'});
	const right = createChatClient(simulatedTarget(simulator, 'locked', provider, {LOCKED_KEY: DEFAULT_SIMULATOR_KEY}));
	expect((await right.complete(ask, {timeoutMs: 5000})).text).toBeTruthy();
});
