import {createHash} from 'node:crypto';
import {z} from 'zod';
import {quote} from './quote.js';
import {linearRegexProblem} from '../engine/linear-regex.js';
import type {TestCase} from '../engine/types.js';
import {explainIssues, formatPath, parseOptions, type Problem} from './explain-issues.js';
import {problemsError} from '../errors/input-error.js';
import type {JsonSchema} from './json-schema-text.js';
import {parseJson} from './json-text.js';
import {readInput} from './read-input.js';
import {utf8Text} from './utf8-text.js';

/** One line of a suite file (JSONL). */
export const testLineSchema = z
	.strictObject({
		id: z.string().min(1).describe('Unique within the suite; results are keyed by it.'),
		prompt: z.string().min(1).describe('The user message.'),
		expected: z.string().min(1, 'leave "expected" out to accept any answer').optional().describe('The answer to look for. Absent: any answer passes.'),
		match: z.enum(['exact', 'contains', 'regex']).optional().describe('exact (trimmed equality, the default), contains (substring) or regex (a regular expression in RE2 syntax, matched in linear time: JavaScript syntax without backreferences or lookaround).'),
		system: z.string().optional().describe('A system message sent before the prompt.'),
	})
	.superRefine((line, context) => {
		if (line.match !== undefined && line.expected === undefined) {
			context.addIssue({code: 'custom', path: ['match'], message: `${quote(line.match)} needs "expected" (leave both out to accept any answer)`, input: line.match});
		}

		if (line.match === 'regex' && line.expected !== undefined) {
			try {
				new RegExp(line.expected);
			} catch (error) {
				const why = (error as Error).message.replace(/^.*: /, '').toLowerCase();
				context.addIssue({code: 'custom', path: ['expected'], message: `expected a valid regular expression, got ${quote(line.expected)} (${why})`, input: line.expected});
				return;
			}

			const problem = linearRegexProblem(line.expected);
			if (problem !== undefined) {
				context.addIssue({code: 'custom', path: ['expected'], message: `expected a regular expression lanes can match in linear time (RE2 syntax: no backreferences or lookaround), got ${quote(line.expected)} (${problem})`, input: line.expected});
			}
		}
	});

/** A validated suite. */
export type LoadedSuite = {
	/** The path as given; messages use it. */
	path: string;
	/** In file order. */
	tests: TestCase[];
	/** sha256 of the file's bytes, hex: tells whether a resumed run still has the same suite. */
	hash: string;
};

let lineJsonSchema: JsonSchema | undefined;

/**
 * Reads a JSONL suite: one test object a line, blank lines skipped. Throws InputError naming the file and
 * line of every problem (at most a handful shown): broken JSON, a wrong or unknown field, a duplicate id,
 * an invalid regular expression, no tests at all.
 */
export function loadSuite(path: string): LoadedSuite {
	const bytes = readInput(path);
	const lines = utf8Text(path, bytes).replace(/^\uFEFF/, '').split('\n');
	const tests: TestCase[] = [];
	const problems: string[] = [];
	const lineOfId = new Map<string, number>();
	lineJsonSchema ??= z.toJSONSchema(testLineSchema, {io: 'input', unrepresentable: 'any'}) as JsonSchema;
	for (const [index, raw] of lines.entries()) {
		const text = raw.replace(/\r$/, '');
		const where = `${path}:${index + 1}`;
		if (text.trim() === '') continue;
		const parsed = parseJson(text);
		if (!parsed.ok) {
			problems.push(`${where}: invalid JSON (${parsed.error.reason} at column ${parsed.error.column})`);
			continue;
		}

		const result = testLineSchema.safeParse(parsed.value, parseOptions);
		if (!result.success) {
			problems.push(...explainIssues(result.error.issues, parsed.value, lineJsonSchema).map(problem => problemLine(where, problem)));
			continue;
		}

		const line = result.data;
		const first = lineOfId.get(line.id);
		if (first !== undefined) {
			problems.push(`${where}: duplicate id ${quote(line.id)} (first on line ${first})`);
			continue;
		}

		lineOfId.set(line.id, index + 1);
		tests.push({
			id: line.id,
			prompt: line.prompt,
			match: line.match ?? 'exact',
			...(line.expected === undefined ? {} : {expected: line.expected}),
			...(line.system === undefined ? {} : {system: line.system}),
		});
	}

	if (problems.length > 0) throw problemsError(problems);
	if (tests.length === 0) throw problemsError([`${path}: no tests (expected one JSON object a line, like {"id": "t0001", "prompt": "...", "expected": "..."})`]);
	return {path, tests, hash: createHash('sha256').update(bytes).digest('hex')};
}

/** `data/x.jsonl:17: "prompt": expected a non-empty string, got 42`. */
function problemLine(where: string, problem: Problem): string {
	return problem.path.length > 0 ? `${where}: "${formatPath(problem.path)}": ${problem.text}` : `${where}: ${problem.text}`;
}
