import {createHash} from 'node:crypto';
import {closeSync, fstatSync, openSync, readFileSync, readSync} from 'node:fs';
import {z} from 'zod';
import {quote} from './quote.js';
import {linearRegexProblem} from '../engine/linear-regex.js';
import type {TestCase} from '../engine/types.js';
import {explainIssues, formatPath, parseOptions, type Problem} from './explain-issues.js';
import {problemsError} from '../errors/input-error.js';
import type {JsonSchema} from './json-schema-text.js';
import {parseJson} from './json-text.js';
import {inputError} from './read-input.js';
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

/** How far a suite read has got, for a progress line. */
export type SuiteProgress = {path: string; bytesRead: number; totalBytes: number; tests: number};

export type ReadSuiteOptions = {
	/** Called about every `progressEveryMs` (default 500) while reading, after the first interval. */
	onProgress?: (progress: SuiteProgress) => void;
	progressEveryMs?: number;
};

/** What a full read found: the count and the ids in file order, and the hash of the bytes. */
export type SuiteDigest = {path: string; testIds: string[]; hash: string};

/**
 * Bytes read at a time: a 1M-line suite never sits in memory whole. Small enough that a chunk's text and its
 * array of lines stay out of V8's large-object space, which only a full collection frees: with 1 MB chunks the
 * two reads of a 100k-line suite left about 40 MB of them behind, the peak RSS of a whole 1M-item run.
 */
const chunkBytes = 1 << 16;

/**
 * Reads a JSONL suite line by line from disk, handing each valid test to `onTest` in file order, and returns
 * its ids and hash. Throws InputError naming the file and line of every problem (at most a handful shown):
 * broken JSON, a wrong or unknown field, a duplicate id, an invalid regular expression, no tests at all.
 * Tests already handed over stay handed over: a caller storing them rolls back on the error.
 */
export function readSuite(path: string, onTest: (test: TestCase) => void, options: ReadSuiteOptions = {}): SuiteDigest {
	const fd = openSuite(path);

	const hash = createHash('sha256');
	const problems: string[] = [];
	const lineOfId = new Map<string, number>();
	const testIds: string[] = [];
	// Strict: a lenient decoder would turn each bad byte into U+FFFD and send prompts the user never wrote.
	const decoder = new TextDecoder('utf-8', {fatal: true});
	const buffer = Buffer.allocUnsafe(chunkBytes);
	const every = options.progressEveryMs ?? 500;
	let lineNumber = 0;
	let carry = '';
	let first = true;
	let bytesRead = 0;
	let nextProgress = Date.now() + every;
	const line = (raw: string) => {
		lineNumber++;
		const test = parseLine(raw.replace(/\r$/, ''), `${path}:${lineNumber}`, lineNumber, lineOfId, problems);
		if (!test) return;
		testIds.push(test.id);
		if (problems.length === 0) onTest(test);
	};

	try {
		const totalBytes = fstatSync(fd).size;
		for (;;) {
			let read: number;
			try {
				read = readSync(fd, buffer, 0, chunkBytes, null);
			} catch (error) {
				throw inputError(path, error);
			}

			if (read === 0) break;
			bytesRead += read;
			const bytes = buffer.subarray(0, read);
			hash.update(bytes);
			let text = decode(path, () => decoder.decode(bytes, {stream: true}));
			if (first) {
				text = text.replace(/^\uFEFF/, '');
				first = false;
			}

			// A line longer than a chunk grows in pieces and is split once, not scanned again at every chunk.
			if (!text.includes('\n')) {
				carry += text;
				continue;
			}

			const lines = (carry + text).split('\n');
			carry = lines.pop()!;
			for (const raw of lines) line(raw);
			if (options.onProgress && Date.now() >= nextProgress) {
				options.onProgress({path, bytesRead, totalBytes, tests: testIds.length});
				nextProgress = Date.now() + every;
			}
		}

		line(carry + decode(path, () => decoder.decode()));
	} finally {
		closeSync(fd);
	}

	if (problems.length > 0) throw problemsError(problems);
	if (testIds.length === 0) throw problemsError([`${path}: no tests (expected one JSON object a line, like {"id": "t0001", "prompt": "...", "expected": "..."})`]);
	return {path, testIds, hash: hash.digest('hex')};
}

/** The suite's file descriptor; a file that cannot be opened is the user's input error, naming it. */
function openSuite(path: string): number {
	try {
		return openSync(path, 'r');
	} catch (error) {
		throw inputError(path, error);
	}
}

/** sha256 of a suite file's bytes, read in chunks: whether a resumed run's suite is unchanged, without parsing it. */
export function suiteHash(path: string): string {
	const fd = openSuite(path);

	const hash = createHash('sha256');
	const buffer = Buffer.allocUnsafe(chunkBytes);
	try {
		for (let read; (read = readSync(fd, buffer, 0, chunkBytes, null)) > 0;) hash.update(buffer.subarray(0, read));
	} catch (error) {
		throw inputError(path, error);
	} finally {
		closeSync(fd);
	}

	return hash.digest('hex');
}

/**
 * Reads a JSONL suite into memory: one test object a line, blank lines skipped; see `readSuite` for the
 * problems it reports. For suites that are small or needed whole; a run streams with `readSuite`.
 */
export function loadSuite(path: string): LoadedSuite {
	const tests: TestCase[] = [];
	const {hash} = readSuite(path, test => tests.push(test));
	return {path, tests, hash};
}

/** One line as a test, or undefined (blank, or a problem pushed onto `problems`). */
/** Decoded text, or the lines and columns of invalid UTF-8 in the file (read again whole: only on that error). */
function decode(path: string, step: () => string): string {
	try {
		return step();
	} catch {
		utf8Text(path, readFileSync(path));
		throw new Error(`${path}: invalid UTF-8`);
	}
}

function parseLine(text: string, where: string, lineNumber: number, lineOfId: Map<string, number>, problems: string[]): TestCase | undefined {
	if (text.trim() === '') return undefined;
	const parsed = parseJson(text);
	if (!parsed.ok) {
		problems.push(`${where}: invalid JSON (${parsed.error.reason} at column ${parsed.error.column})`);
		return undefined;
	}

	const result = testLineSchema.safeParse(parsed.value, parseOptions);
	if (!result.success) {
		lineJsonSchema ??= z.toJSONSchema(testLineSchema, {io: 'input', unrepresentable: 'any'}) as JsonSchema;
		problems.push(...explainIssues(result.error.issues, parsed.value, lineJsonSchema).map(problem => problemLine(where, problem)));
		return undefined;
	}

	const line = result.data;
	const first = lineOfId.get(line.id);
	if (first !== undefined) {
		problems.push(`${where}: duplicate id ${quote(line.id)} (first on line ${first})`);
		return undefined;
	}

	lineOfId.set(line.id, lineNumber);
	return {
		id: line.id,
		prompt: line.prompt,
		match: line.match ?? 'exact',
		...(line.expected === undefined ? {} : {expected: line.expected}),
		...(line.system === undefined ? {} : {system: line.system}),
	};
}

/** `data/x.jsonl:17: "prompt": expected a non-empty string, got 42`. */
function problemLine(where: string, problem: Problem): string {
	return problem.path.length > 0 ? `${where}: "${formatPath(problem.path)}": ${problem.text}` : `${where}: ${problem.text}`;
}
