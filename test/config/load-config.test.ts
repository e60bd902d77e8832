import {join} from 'node:path';
import {describe, expect, test} from 'vitest';
import {InputError} from '../../source/errors/input-error.js';
import {loadConfig, parseConfig} from '../../source/config/load-config.js';
import {tempFiles, thrown} from './temp-files.js';

const files = tempFiles();

/** Writes a config object as pretty JSON and returns the message loading it throws. */
function problem(config: unknown, env: NodeJS.ProcessEnv = {}): {file: string; message: string} {
	const file = files.write(`config-${Math.random().toString(36).slice(2)}.json`, JSON.stringify(config, null, 2));
	const error = thrown(() => loadConfig(file, env));
	expect(error).toBeInstanceOf(InputError);
	return {file, message: error.message};
}

const simulated = (extra: Record<string, unknown> = {}) => ({type: 'simulated', models: ['m1'], ...extra});

describe('reading the file', () => {
	test('a missing file', () => {
		const file = join(files.dir, 'nope.json');
		expect(thrown(() => loadConfig(file, {})).message).toBe(`${file}: cannot read file (no such file)`);
	});

	test('a directory', () => {
		expect(thrown(() => loadConfig(files.dir, {})).message).toBe(`${files.dir}: cannot read file (it is a directory)`);
	});

	test('an empty file', () => {
		const file = files.write('empty.json', ' \n');
		expect(thrown(() => loadConfig(file, {})).message).toBe(`${file}: the file is empty (expected a JSON object with "providers")`);
	});
});

describe('broken JSON: line and column', () => {
	const broken = (text: string) => {
		const file = files.write(`broken-${Math.random().toString(36).slice(2)}.json`, text);
		return {file, message: thrown(() => loadConfig(file, {})).message};
	};

	test('an unexpected token (V8 gives no position)', () => {
		const {file, message} = broken('{\n  "providers": {\n    "a": {"type": "simulated", "models": [m1]}\n  }\n}\n');
		expect(message).toBe([
			`${file}:3:43: invalid JSON (unexpected token 'm')`,
			'  3 |     "a": {"type": "simulated", "models": [m1]}',
			'    |                                           ^',
		].join('\n'));
	});

	test('a trailing comma points at the comma', () => {
		const {file, message} = broken('{\n  "providers": {\n    "a": {"type": "simulated",}\n  }\n}\n');
		expect(message.split('\n')[0]).toBe(`${file}:3:30: invalid JSON (trailing comma before "}")`);
	});

	test('a position from V8 ("at position N")', () => {
		const {file, message} = broken('{\n  "providers": {\n    "a": {"type": "simulated" "models": []}\n  }\n}\n');
		expect(message.split('\n')[0]).toBe(`${file}:3:31: invalid JSON (expected ',' or '}' after property value)`);
	});

	test('the end of the input', () => {
		const {file, message} = broken('{\n  "providers": {\n    "a": {"type": "simulated"');
		expect(message.split('\n')[0]).toBe(`${file}:3:30: invalid JSON (unexpected end of input; is a closing "}" or "]" missing?)`);
	});

	test('a comment', () => {
		const {file, message} = broken('{\n\t// lanes\n\t"providers": {}\n}');
		expect(message).toBe(`${file}:2:2: invalid JSON (comments are not allowed in JSON)\n  2 | \t// lanes\n    | \t^`);
	});

	test('a byte order mark is not an error', () => {
		const file = files.write('bom.json', `\uFEFF${JSON.stringify({providers: {a: simulated()}})}`);
		expect(Object.keys(loadConfig(file, {}).config.providers)).toEqual(['a']);
	});
});

describe('schema problems', () => {
	test('unknown key, with the closest allowed one and the list', () => {
		const {file, message} = problem({providers: {idealab: simulated({qsp: 5})}});
		expect(message).toBe(`${file}: providers.idealab: unknown key "qsp", did you mean "qps"? (expected one of: type, models, apiKeyEnv, concurrency, minConcurrency, maxConcurrency, qps, tpm, breaker, hedge, adaptive, batch, budget, simulate)`);
	});

	test('unknown key at the top, no near name', () => {
		const {file, message} = problem({providers: {a: simulated()}, colour: 'blue'});
		expect(message).toBe(`${file}: unknown key "colour" (expected one of: providers, request, retry, shared, simulator)`);
	});

	test('an API key in the config says where it goes instead', () => {
		const {file, message} = problem({providers: {a: {type: 'openai', baseURL: 'https://gw.example/v1', apiKeyEnv: 'GW_KEY', apiKey: 'sk-live-123', models: ['m1']}}});
		expect(message).toBe(`${file}: providers.a: unknown key "apiKey": put the API key in an environment variable and its name in "apiKeyEnv"`);
		expect(message).not.toContain('sk-live-123');
	});

	test('wrong type, with the value found', () => {
		const {file, message} = problem({providers: {idealab: simulated({qps: 'five'})}});
		expect(message).toBe(`${file}: providers.idealab.qps: expected a positive number, got "five"`);
	});

	test('out of range, array index in the path', () => {
		const {file, message} = problem({providers: {a: simulated({simulate: {outages: [{atSeconds: 5, forSeconds: 2, status: 404}]}})}});
		expect(message).toBe(`${file}: providers.a.simulate.outages[0].status: expected 429 or a 5xx status, got 404`);
	});

	test('a wrong element of the models list', () => {
		const {file, message} = problem({providers: {a: simulated({models: ['m1', 3]})}});
		expect(message).toBe(`${file}: providers.a.models[1]: expected a non-empty string, got 3`);
	});

	test('models neither a list nor an object', () => {
		const {file, message} = problem({providers: {a: simulated({models: 'm1'})}});
		expect(message).toBe(`${file}: providers.a.models: expected a non-empty array of non-empty strings or an object, got "m1"`);
	});

	test('a long value is shortened', () => {
		const {file, message} = problem({providers: {a: simulated({adaptive: 'x'.repeat(100)})}});
		expect(message).toBe(`${file}: providers.a.adaptive: expected true or false, got "${'x'.repeat(36)}...`);
	});

	test('bad provider type', () => {
		const {file, message} = problem({providers: {azure: {type: 'azur', models: ['m1']}}});
		expect(message).toBe(`${file}: providers.azure.type: expected "azure", "openai" or "simulated", got "azur"`);
	});

	test('missing provider type', () => {
		const {file, message} = problem({providers: {azure: {models: ['m1']}}});
		expect(message).toBe(`${file}: providers.azure.type: missing, expected "azure", "openai" or "simulated"`);
	});

	test('a missing required key, with what it is for', () => {
		const {file, message} = problem({providers: {azure: {type: 'azure', apiKeyEnv: 'AZ', models: ['m1']}}});
		expect(message).toBe(`${file}: providers.azure.endpoint: missing, expected a URL (Azure OpenAI resource endpoint, e.g. https://RESOURCE.openai.azure.com)`);
	});

	test('an invalid provider name', () => {
		const {file, message} = problem({providers: {'my lane': simulated()}});
		expect(message).toBe(`${file}: providers: invalid key "my lane" (provider names use only letters, digits and _ . -)`);
	});

	test('no providers', () => {
		const {file, message} = problem({providers: {}});
		expect(message).toBe(`${file}: providers: expected at least one provider, got none`);
	});

	test('not an object', () => {
		const {file, message} = problem([1, 2]);
		expect(message).toBe(`${file}: expected an object, got [1,2]`);
	});

	test('min above max (refinement)', () => {
		const {file, message} = problem({providers: {a: simulated({minConcurrency: 9, maxConcurrency: 3})}});
		expect(message).toBe(`${file}: providers.a.minConcurrency: expected at most maxConcurrency (3), got 9`);
	});

	test('the same model in two providers (refinement)', () => {
		const {file, message} = problem({providers: {azure: simulated({models: ['gpt-4o-mini']}), other: simulated({models: ['m2', 'gpt-4o-mini']})}});
		expect(message).toBe(`${file}: providers.other.models[1]: model "gpt-4o-mini" is already in provider "azure"; model names must be unique, so name this one differently, e.g. {"gpt-4o-mini-other":{"deployment":"gpt-4o-mini"}}`);
	});

	test('the same model in the object form points at its key', () => {
		const {file, message} = problem({providers: {azure: simulated({models: ['m1']}), other: simulated({models: {m1: {deployment: 'x'}}})}});
		expect(message).toMatch(new RegExp(`^${file.replaceAll(/[.\\/]/g, '\\$&')}: providers\\.other\\.models\\.m1: model "m1" is already in provider "azure"`));
	});

	test('several problems, one a line; at most five, then a count', () => {
		const {file, message} = problem({
			providers: {a: simulated({concurrency: 0, qps: -1, adaptive: 'yes', minConcurrency: 'x', maxConcurrency: 1.5, batch: {size: 0}, simulate: {rps: 0}})},
		});
		expect(message.split('\n')).toEqual([
			`${file}: providers.a.concurrency: expected a positive integer, got 0`,
			`${file}: providers.a.minConcurrency: expected a positive integer, got "x"`,
			`${file}: providers.a.maxConcurrency: expected a positive integer, got 1.5`,
			`${file}: providers.a.qps: expected a positive number, got -1`,
			`${file}: providers.a.adaptive: expected true or false, got "yes"`,
			'and 2 more',
		]);
	});

	test('never a raw ZodError', () => {
		const {message} = problem({providers: {a: simulated({qps: 'five'})}, retry: 3});
		expect(message).not.toMatch(/Invalid input|ZodError|"code"|received/);
	});
});

describe('API keys from the environment', () => {
	const real = {
		providers: {
			azure: {type: 'azure', endpoint: 'https://r.openai.azure.com', apiKeyEnv: 'AZURE_OPENAI_API_KEY', models: ['gpt-4o-mini']},
			gateway: {type: 'openai', baseURL: 'https://gw.example/v1', apiKeyEnv: 'GATEWAY_KEY', models: ['qwen-max']},
			local: simulated({models: ['sim-1']}),
		},
	};

	test('an unset variable names the variable and the provider, never a key', () => {
		const {file, message} = problem(real, {GATEWAY_KEY: 'sk-gateway-secret'});
		expect(message).toBe(`${file}: providers.azure.apiKeyEnv: environment variable AZURE_OPENAI_API_KEY is not set (the API key of provider "azure")`);
		expect(message).not.toContain('sk-gateway-secret');
	});

	test('every missing key at once; an empty one says so', () => {
		const {file, message} = problem(real, {AZURE_OPENAI_API_KEY: ''});
		expect(message.split('\n')).toEqual([
			`${file}: providers.azure.apiKeyEnv: environment variable AZURE_OPENAI_API_KEY is empty (the API key of provider "azure")`,
			`${file}: providers.gateway.apiKeyEnv: environment variable GATEWAY_KEY is not set (the API key of provider "gateway")`,
		]);
	});

	test('schema problems come first; the environment is read only once the schema passes', () => {
		const {file, message} = problem({providers: {...real.providers, local: simulated({qps: 0})}});
		expect(message).toBe(`${file}: providers.local.qps: expected a positive number, got 0`);
	});

	test('a key pasted into apiKeyEnv is not echoed', () => {
		const {file, message} = problem({providers: {gw: {type: 'openai', baseURL: 'https://gw.example/v1', apiKeyEnv: 'sk-proj-abc123', models: ['m1']}}});
		expect(message).toBe(`${file}: providers.gw.apiKeyEnv: expected the name of an environment variable (letters, digits and _), got a value that is not shown; put the key in that variable, not in the config`);
	});

	test('keys by provider name, trimmed; simulated providers need none', () => {
		const file = files.write('real.json', JSON.stringify(real));
		const loaded = loadConfig(file, {AZURE_OPENAI_API_KEY: 'az-key\n', GATEWAY_KEY: 'gw-key'});
		expect(loaded.path).toBe(file);
		expect([...loaded.apiKeys]).toEqual([['azure', 'az-key'], ['gateway', 'gw-key']]);
		expect(loaded.config.providers.local!.concurrency).toBe(4);
	});
});

test('parseConfig names its source', () => {
	expect(thrown(() => parseConfig({providers: {a: simulated({qps: 'five'})}}, 'run 3')).message).toBe('run 3: providers.a.qps: expected a positive number, got "five"');
});
