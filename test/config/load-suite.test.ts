import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {expect, test} from 'vitest';
import {InputError} from '../../source/errors/input-error.js';
import {loadSuite} from '../../source/config/load-suite.js';
import {tempFiles, thrown} from './temp-files.js';

const files = tempFiles();

const jsonl = (...lines: unknown[]) => lines.map(line => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';

function problem(name: string, text: string): {file: string; message: string} {
	const file = files.write(name, text);
	const error = thrown(() => loadSuite(file));
	expect(error).toBeInstanceOf(InputError);
	return {file, message: error.message};
}

test('loads tests in order; match defaults to exact; optional fields only when given; hash of the bytes', () => {
	const text = jsonl(
		{id: 't1', prompt: 'What is 1 + 1?', expected: '2'},
		{id: 't2', prompt: 'Say hi', system: 'Be brief.'},
		{id: 't3', prompt: 'Reverse the word: abc', expected: 'c.a', match: 'regex'},
	);
	const file = files.write('good.jsonl', text);
	const suite = loadSuite(file);
	expect(suite.path).toBe(file);
	expect(suite.tests).toEqual([
		{id: 't1', prompt: 'What is 1 + 1?', expected: '2', match: 'exact'},
		{id: 't2', prompt: 'Say hi', system: 'Be brief.', match: 'exact'},
		{id: 't3', prompt: 'Reverse the word: abc', expected: 'c.a', match: 'regex'},
	]);
	expect(Object.hasOwn(suite.tests[1]!, 'expected')).toBe(false);
	expect(suite.hash).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
});

test('blank lines, CRLF and a byte order mark are fine', () => {
	const file = files.write('blank.jsonl', `\uFEFF\r\n${JSON.stringify({id: 'a', prompt: 'p'})}\r\n\r\n   \r\n${JSON.stringify({id: 'b', prompt: 'q'})}`);
	expect(loadSuite(file).tests.map(t => t.id)).toEqual(['a', 'b']);
});

test('a missing file', () => {
	const file = join(files.dir, 'none.jsonl');
	expect(thrown(() => loadSuite(file)).message).toBe(`${file}: cannot read file (no such file)`);
});

test('a broken line names its line number (blank lines count)', () => {
	const {file, message} = problem('broken.jsonl', jsonl({id: 'a', prompt: 'p'}, '', '{"id": "b", "prompt": }'));
	expect(message).toBe(`${file}:3: invalid JSON (unexpected token '}' at column 23)`);
});

test('a trailing comma on a line', () => {
	const {file, message} = problem('comma.jsonl', jsonl('{"id": "a", "prompt": "p",}'));
	expect(message).toBe(`${file}:1: invalid JSON (trailing comma before "}" at column 26)`);
});

test('a duplicate id names both lines', () => {
	const {file, message} = problem('dup.jsonl', jsonl({id: 't1', prompt: 'p'}, {id: 't2', prompt: 'p'}, '', {id: 't1', prompt: 'q'}));
	expect(message).toBe(`${file}:4: duplicate id "t1" (first on line 1)`);
});

test('a wrong field', () => {
	const {file, message} = problem('wrong.jsonl', jsonl({id: 'a', prompt: 42}));
	expect(message).toBe(`${file}:1: "prompt": expected a non-empty string, got 42`);
});

test('a missing field, an unknown key, a bad match kind', () => {
	const {file, message} = problem('fields.jsonl', jsonl({id: 'a', promt: 'p', match: 'fuzzy', expected: 'x'}));
	expect(message.split('\n')).toEqual([
		`${file}:1: "prompt": missing, expected a non-empty string (The user message)`,
		`${file}:1: "match": expected "exact", "contains" or "regex", got "fuzzy"`,
		`${file}:1: unknown key "promt", did you mean "prompt"? (expected one of: id, prompt, expected, match, system)`,
	]);
});

test('an empty expected, a match with nothing to match, a line that is not an object', () => {
	const {file, message} = problem('odd.jsonl', jsonl({id: 'a', prompt: 'p', expected: ''}, {id: 'b', prompt: 'p', match: 'contains'}, '["c"]'));
	expect(message.split('\n')).toEqual([
		`${file}:1: "expected": expected a non-empty string, got "" (leave "expected" out to accept any answer)`,
		`${file}:2: "match": "contains" needs "expected" (leave both out to accept any answer)`,
		`${file}:3: expected an object, got ["c"]`,
	]);
});

test('an invalid regular expression', () => {
	const {file, message} = problem('regex.jsonl', jsonl({id: 'a', prompt: 'p', expected: '(ab', match: 'regex'}));
	expect(message).toBe(`${file}:1: "expected": expected a valid regular expression, got "(ab" (unterminated group)`);
});

test('an invalid regex is fine as plain text for exact and contains', () => {
	const file = files.write('plain.jsonl', jsonl({id: 'a', prompt: 'p', expected: '(ab', match: 'contains'}));
	expect(loadSuite(file).tests).toHaveLength(1);
});

test('problems from the whole file, at most five, then a count', () => {
	const lines = Array.from({length: 8}, (_, index) => ({id: `t${index}`, prompt: index}));
	const {file, message} = problem('many.jsonl', jsonl(...lines));
	const shown = message.split('\n');
	expect(shown).toHaveLength(6);
	expect(shown[0]).toBe(`${file}:1: "prompt": expected a non-empty string, got 0`);
	expect(shown[4]).toBe(`${file}:5: "prompt": expected a non-empty string, got 4`);
	expect(shown[5]).toBe('and 3 more');
});

test('an empty suite', () => {
	const {file, message} = problem('empty.jsonl', '\n  \n\n');
	expect(message).toBe(`${file}: no tests (expected one JSON object a line, like {"id": "t0001", "prompt": "...", "expected": "..."})`);
});

test('a regular expression only a backtracking engine can run: the line, the pattern and why', () => {
	const {file, message} = problem('lookaround.jsonl', jsonl(
		{id: 'a', prompt: 'p', expected: '^(?=.*x)', match: 'regex'},
		{id: 'b', prompt: 'p', expected: '(a)\\1', match: 'regex'},
	));
	const lines = message.split('\n');
	expect(lines[0]).toContain(`${file}:1: "expected"`);
	expect(lines[0]).toContain('"^(?=.*x)"');
	expect(lines[0]).toMatch(/lookaround/);
	expect(lines[1]).toContain(`${file}:2: "expected"`);
});

test('lines longer than a read, and characters split between reads, arrive whole', () => {
	// Reads are 64 KB: a 300 KB prompt spans five, and the multi-byte characters fall across their edges.
	const long = 'Zürich 東京 🚀 '.repeat(20_000);
	const tests = [{id: 'short', prompt: 'p'}, {id: 'long', prompt: long}, ...Array.from({length: 5000}, (_, index) => ({id: `t${index}`, prompt: `é${index}`}))];
	const file = files.write('long.jsonl', jsonl(...tests));
	expect(loadSuite(file).tests).toEqual(tests.map(test => ({...test, match: 'exact'})));
});
