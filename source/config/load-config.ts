import {z} from 'zod';
import {concurrencyProblems} from './concurrency-bounds.js';
import {explainIssues, formatPath, parseOptions, type Problem} from './explain-issues.js';
import {problemsError, InputError} from '../errors/input-error.js';
import type {JsonSchema} from './json-schema-text.js';
import {excerpt, parseJson} from './json-text.js';
import {readInput} from './read-input.js';
import {utf8Text} from './utf8-text.js';
import {configSchema, type Config} from './schema.js';
import {redactedRedisUrl} from '../shared-budget/redis-url.js';

/** A validated config and the API keys it names, read from the environment. */
export type LoadedConfig = {
	/** The path as given; messages use it. */
	path: string;
	config: Config;
	/** Provider name -> API key, for every provider with `apiKeyEnv`. Never logged, never stored. */
	apiKeys: Map<string, string>;
};

let configJsonSchema: JsonSchema | undefined;

/**
 * Reads, parses and validates a config file, then reads the API key of every provider that names one.
 * Throws InputError with every problem found (at most a handful shown): schema problems first, and the
 * environment only once the schema passes. Key values never appear in a message.
 */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
	const config = readConfigFile(path);
	return {path, config, apiKeys: readApiKeys(path, config, env)};
}

/** Reads, parses and validates a config file without looking at the environment (no keys needed). */
export function readConfigFile(path: string): Config {
	const text = utf8Text(path, readInput(path));
	const input = parseJsonFile(path, text);
	const config = parseConfig(input, path);
	const problems = concurrencyProblems(path, input, config);
	if (problems.length > 0) throw problemsError(problems);
	return config;
}

/** Validates a config already parsed from JSON (a file, or a stored run); `source` names it in messages. */
export function parseConfig(input: unknown, source: string): Config {
	const result = configSchema.safeParse(input, parseOptions);
	if (result.success) return result.data;
	configJsonSchema ??= z.toJSONSchema(configSchema, {io: 'input', unrepresentable: 'any'}) as JsonSchema;
	throw problemsError(explainIssues(result.error.issues, input, configJsonSchema).map(problem => problemLine(source, problem)));
}

/**
 * The config as it may be stored (in the run database) and shown: it holds no key values, only the names of
 * the variables that do. Every place that persists a config goes through here, so this is where to strip
 * anything sensitive a future field adds. (`simulate.apiKey` is the local simulator's made-up key and stays,
 * so a resumed run's simulator accepts the same key.)
 */
export function sanitizedConfig(config: Config): Config {
	const copy = structuredClone(config);
	// A Redis URL may carry a password.
	if (copy.shared) copy.shared.redis = redactedRedisUrl(copy.shared.redis);
	return copy;
}

/** `config/x.json: providers.idealab.qps: expected a positive number, got "five"`. */
function problemLine(source: string, problem: Problem): string {
	return problem.path.length > 0 ? `${source}: ${formatPath(problem.path)}: ${problem.text}` : `${source}: ${problem.text}`;
}

function parseJsonFile(path: string, text: string): unknown {
	if (text.replace(/^\uFEFF/, '').trim() === '') throw new InputError(`${path}: the file is empty (expected a JSON object with "providers")`);
	const parsed = parseJson(text);
	if (parsed.ok) return parsed.value;
	const {line, column, reason} = parsed.error;
	throw new InputError(`${path}:${line}:${column}: invalid JSON (${reason})\n${excerpt(text.replace(/^\uFEFF/, ''), line, column)}`);
}

const variableName = /^[A-Za-z_]\w*$/;

/** The API key of every provider of `config` that names `apiKeyEnv`; InputError naming each variable that is unset. */
export function readApiKeys(path: string, config: Config, env: NodeJS.ProcessEnv = process.env): Map<string, string> {
	const keys = new Map<string, string>();
	const problems: string[] = [];
	for (const [name, provider] of Object.entries(config.providers)) {
		const variable = provider.apiKeyEnv;
		if (variable === undefined) continue;
		const where = `${path}: ${formatPath(['providers', name, 'apiKeyEnv'])}`;
		if (!variableName.test(variable)) {
			// It may be the key itself pasted in the wrong place: do not echo it.
			problems.push(`${where}: expected the name of an environment variable (letters, digits and _), got a value that is not shown; put the key in that variable, not in the config`);
			continue;
		}

		const value = env[variable]?.trim();
		if (value === undefined) problems.push(`${where}: environment variable ${variable} is not set (the API key of provider "${name}")`);
		else if (value === '') problems.push(`${where}: environment variable ${variable} is empty (the API key of provider "${name}")`);
		else keys.set(name, value);
	}

	if (problems.length > 0) throw problemsError(problems);
	return keys;
}
