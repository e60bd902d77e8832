import {expect, test} from 'vitest';
import {errorOffset, excerpt, lineColumn, parseJson} from '../../source/config/json-text.js';

test('errorOffset agrees with JSON.parse on valid text', () => {
	for (const text of ['{}', '[]', ' {"a": [1, -2.5e+3, 0, true, false, null, "x\\n\\u00e9"], "b": {}} ', '"s"', '0']) {
		expect(errorOffset(text)).toBe(-1);
		expect(() => JSON.parse(text)).not.toThrow();
	}
});

test('errorOffset points at the first bad character, or the end', () => {
	expect(errorOffset('{"a": }')).toBe(6);
	expect(errorOffset('[1,]')).toBe(3);
	expect(errorOffset('{"a": tru}')).toBe(9);
	expect(errorOffset('{"a": 01}')).toBe(7);
	expect(errorOffset('{"a": 1} x')).toBe(9);
	expect(errorOffset('{"a": "x\ny"}')).toBe(8);
	expect(errorOffset('{"a": "\\q"}')).toBe(8);
	expect(errorOffset('{"a": 1')).toBe(7);
	expect(errorOffset('{"a": 1.}')).toBe(8);
});

test('parseJson: value or position and reason', () => {
	expect(parseJson('\uFEFF{"a": 1}')).toEqual({ok: true, value: {a: 1}});
	expect(parseJson('{\n  "a": [1, 2,]\n}')).toEqual({ok: false, error: {offset: 14, line: 2, column: 13, reason: 'trailing comma before "]"'}});
	expect(parseJson('{"a": 1 "b": 2}')).toEqual({ok: false, error: {offset: 8, line: 1, column: 9, reason: 'expected \',\' or \'}\' after property value'}});
	expect(parseJson('{"a": nope}')).toMatchObject({ok: false, error: {column: 8, reason: 'unexpected token \'o\''}});
	expect(parseJson('{"a": \'x\'}')).toMatchObject({ok: false, error: {column: 7, reason: 'use double quotes (") for strings and keys'}});
});

test('a long V8 message (context elided with ...) still loses its snippet', () => {
	const text = `{"padding": "${'x'.repeat(200)}", "a": nope}`;
	const parsed = parseJson(text);
	expect(parsed).toMatchObject({ok: false, error: {offset: text.indexOf('nope') + 1, reason: 'unexpected token \'o\''}});
});

test('lineColumn is 1-based', () => {
	expect(lineColumn('ab\ncd', 0)).toEqual({line: 1, column: 1});
	expect(lineColumn('ab\ncd', 4)).toEqual({line: 2, column: 2});
});

test('excerpt windows a long line around the column', () => {
	const line = `${'a'.repeat(300)}X${'b'.repeat(300)}`;
	const [shown, caret] = excerpt(line, 1, 301).split('\n');
	expect(shown!.startsWith('  1 | ...')).toBe(true);
	expect(shown!.endsWith('...')).toBe(true);
	expect(shown![caret!.length - 1]).toBe('X');
});

test('the end of the input points after the last thing written', () => {
	expect(parseJson('{"a": 1\n\n')).toMatchObject({ok: false, error: {line: 1, column: 8, reason: 'unexpected end of input; is a closing "}" or "]" missing?'}});
});
