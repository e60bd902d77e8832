import {escapeUnsafe, quote} from './quote.js';
import type {z} from 'zod';
import {allowedKeys, describeSchema, isRecord, listChoices, schemaAt, type JsonSchema} from './json-schema-text.js';
import {didYouMean} from './suggest.js';

type Issue = z.core.$ZodIssue;

/** One thing wrong with the input: where (a key path into it) and what, without the file name. */
export type Problem = {path: PropertyKey[]; text: string};

/**
 * Zod's own messages carry this; any other message was written by the schema's author and is worth showing.
 * Parse with {@link parseOptions} to get it.
 */
const zodDefault = '\u0000zod-default';

/** Options for `schema.safeParse(input, parseOptions)` so {@link explainIssues} can tell authored messages apart. */
export const parseOptions = {error: () => zodDefault} as const;

/**
 * Turns zod issues into problems a person can act on: "expected a positive number, got "five"",
 * "unknown key "qsp", did you mean "qps"? (expected one of: ...)". `schema` is `z.toJSONSchema(s, {io: 'input'})`
 * of the schema that produced the issues, `input` what was parsed (values are looked up in it by path).
 */
export function explainIssues(issues: readonly Issue[], input: unknown, schema: JsonSchema): Problem[] {
	const problems: Problem[] = [];
	const explain = (issue: Issue, prefix: PropertyKey[]) => {
		const path = [...prefix, ...issue.path];
		const node = schemaAt(schema, path, input);
		const found = lookUp(input, path);
		switch (issue.code) {
			case 'unrecognized_keys': {
				for (const key of issue.keys) problems.push({path, text: unknownKey(key, allowedKeys(node))});
				return;
			}

			case 'invalid_union': {
				if (issue.discriminator !== undefined && 'options' in issue && issue.options) {
					problems.push({path, text: expected(listChoices(issue.options), found, path, node?.description)});
					return;
				}

				// Explain the branch the input was meant for: the one it failed inside, not at its root.
				const inside = issue.errors.filter(branch => !branch.some(nested => nested.path.length === 0 && nested.code === 'invalid_type'));
				const best = inside.sort((a, b) => a.length - b.length)[0];
				if (best) {
					for (const nested of best) explain(nested, path);
				} else {
					problems.push({path, text: expected(describeSchema(node), found, path)});
				}

				return;
			}

			case 'invalid_key': {
				const [key] = path.slice(-1);
				const parent = schemaAt(schema, path.slice(0, -1), input);
				const rule = issue.issues.find(nested => nested.message !== zodDefault)?.message ?? `expected ${describeSchema(parent?.propertyNames)}`;
				problems.push({path: path.slice(0, -1), text: `invalid key ${quote(String(key))} (${rule})`});
				return;
			}

			case 'custom': {
				// Refinements write whole sentences, got-value included where it helps.
				problems.push({path, text: issue.message});
				return;
			}

			default: {
				const what = node ? describeSchema(node) : issue.code === 'invalid_value' ? listChoices(issue.values) : 'a valid value';
				const authored = issue.message === zodDefault ? '' : ` (${issue.message})`;
				problems.push({path, text: expected(what, found, path, node?.description) + authored});
			}
		}
	};

	for (const issue of issues) explain(issue, []);
	const seen = new Set<string>();
	return problems.filter(problem => {
		const key = `${formatPath(problem.path)}\n${problem.text}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** `unknown key "qsp", did you mean "qps"? (expected one of: type, models, ...)`. */
export function unknownKey(key: string, allowed: readonly string[]): string {
	// The key itself never belongs in the config; say where it goes instead of suggesting a near name.
	if (/^api_?key$/i.test(key) && allowed.includes('apiKeyEnv')) {
		return `unknown key ${quote(key)}: put the API key in an environment variable and its name in "apiKeyEnv"`;
	}

	const choices = allowed.length > 0 ? ` (expected one of: ${allowed.join(', ')})` : '';
	return `unknown key ${quote(key)}${didYouMean(key, allowed)}${choices}`;
}

/** `expected X, got Y`, or `missing, expected X (description)` when the key is absent. */
function expected(what: string, found: {exists: boolean; value: unknown}, path: readonly PropertyKey[], description?: string): string {
	if (!found.exists) {
		const about = description ? ` (${description.replace(/\.$/, '')})` : '';
		return `missing, expected ${what}${about}`;
	}

	return `expected ${what}, got ${showValue(found.value, path)}`;
}

/** A received value as JSON, shortened; never the value of a key that may hold a secret. */
export function showValue(value: unknown, path: readonly PropertyKey[] = []): string {
	const last = [...path].reverse().find(key => typeof key === 'string');
	if (typeof last === 'string' && /api_?key/i.test(last)) return 'a value that is not shown';
	const text = escapeUnsafe(JSON.stringify(value) ?? String(value));
	return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `providers.idealab.qps`, `simulate.outages[0]`, `models["qwen2.5-7b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
	let text = '';
	for (const key of path) {
		if (typeof key === 'number') text += `[${key}]`;
		else if (/^[A-Za-z_$][\w$-]*$/.test(String(key))) text += text === '' ? String(key) : `.${String(key)}`;
		else text += `[${quote(String(key))}]`;
	}

	return text;
}

function lookUp(input: unknown, path: readonly PropertyKey[]): {exists: boolean; value: unknown} {
	let value = input;
	for (const key of path) {
		if (!(isRecord(value) || Array.isArray(value)) || !Object.hasOwn(value, key)) return {exists: false, value: undefined};
		value = (value as Record<PropertyKey, unknown>)[key];
	}

	return {exists: true, value};
}
