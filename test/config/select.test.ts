import {expect, test} from 'vitest';
import {InputError} from '../../source/errors/input-error.js';
import {configSchema, modelNames, type Config} from '../../source/config/schema.js';
import {selectModels} from '../../source/config/select.js';
import {thrown} from './temp-files.js';

const config: Config = configSchema.parse({
	providers: {
		azure: {type: 'simulated', models: ['gpt-4o-mini']},
		user_azure: {type: 'simulated', models: {'gpt-5-nano': {deployment: 'nano'}}},
		idealab: {type: 'simulated', models: ['qwen-max', 'qwen-plus', 'glm-4']},
	},
});

const shape = (narrowed: Config) => Object.fromEntries(Object.entries(narrowed.providers).map(([name, provider]) => [name, modelNames(provider.models)]));

test('no flags: everything', () => {
	expect(selectModels(config, {})).toEqual(config);
});

test('--models keeps config order and drops providers left empty', () => {
	expect(shape(selectModels(config, {models: ['glm-4', 'gpt-4o-mini', 'qwen-max']}))).toEqual({azure: ['gpt-4o-mini'], idealab: ['qwen-max', 'glm-4']});
});

test('--models keeps the object form with its deployments', () => {
	const narrowed = selectModels(config, {models: ['gpt-5-nano']});
	expect(narrowed.providers).toEqual({user_azure: config.providers.user_azure});
});

test('--providers keeps their order', () => {
	expect(Object.keys(selectModels(config, {providers: ['idealab', ' azure ']}).providers)).toEqual(['azure', 'idealab']);
});

test('both flags together', () => {
	expect(shape(selectModels(config, {providers: ['idealab'], models: ['qwen-plus']}))).toEqual({idealab: ['qwen-plus']});
});

test('an unknown model, with the closest known one', () => {
	const error = thrown(() => selectModels(config, {models: ['gpt-4']}));
	expect(error).toBeInstanceOf(InputError);
	expect(error.message).toBe('--models: unknown model "gpt-4", did you mean "gpt-4o-mini"? (known: gpt-4o-mini, gpt-5-nano, qwen-max, qwen-plus, glm-4)');
});

test('an unknown provider, a typo', () => {
	expect(thrown(() => selectModels(config, {providers: ['idelab']})).message).toBe('--providers: unknown provider "idelab", did you mean "idealab"? (known: azure, user_azure, idealab)');
});

test('no suggestion when nothing is close', () => {
	expect(thrown(() => selectModels(config, {models: ['llama']})).message).toBe('--models: unknown model "llama" (known: gpt-4o-mini, gpt-5-nano, qwen-max, qwen-plus, glm-4)');
});

test('a model the provider flag leaves out', () => {
	expect(thrown(() => selectModels(config, {providers: ['idealab'], models: ['gpt-4o-mini']})).message).toBe('--models: model "gpt-4o-mini" is in provider "azure", which --providers leaves out');
});

test('an empty list', () => {
	expect(thrown(() => selectModels(config, {models: ['', ' ']})).message).toBe('--models: expected a comma-separated list of model names, got nothing');
});
