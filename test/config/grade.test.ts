import {expect, test} from 'vitest';
import {grade} from '../../source/engine/grade.js';
import type {TestCase} from '../../source/engine/types.js';

const test_ = (match: TestCase['match'], expected?: string): TestCase => ({id: 't', prompt: 'p', match, ...(expected === undefined ? {} : {expected})});

test('exact: equal after trimming', () => {
	expect(grade(test_('exact', '42'), ' 42\n')).toBe('passed');
	expect(grade(test_('exact', '42'), '42.')).toBe('failed');
	expect(grade(test_('exact', '42'), 'The answer is 42')).toBe('failed');
	expect(grade(test_('exact', 'ABC'), 'abc')).toBe('failed');
});

test('contains: a substring', () => {
	expect(grade(test_('contains', '42'), 'The answer is 42.')).toBe('passed');
	expect(grade(test_('contains', '42'), 'forty-two')).toBe('failed');
});

test('regex: matches somewhere', () => {
	expect(grade(test_('regex', '^\\s*425\\s*$'), ' 425 ')).toBe('passed');
	expect(grade(test_('regex', '^\\s*425\\s*$'), '4250')).toBe('failed');
	expect(grade(test_('regex', 'colou?r'), 'the color red')).toBe('passed');
});

test('no expected: any answer passes', () => {
	expect(grade(test_('exact'), 'anything')).toBe('passed');
	expect(grade(test_('regex'), '')).toBe('passed');
});

test('a regex is compiled once per test object, then reused', () => {
	const regexTest = test_('regex', '^a+b$');
	expect(grade(regexTest, 'aab')).toBe('passed');
	// Tests are immutable once loaded; this only shows the first compiled pattern is the one in use.
	regexTest.expected = '^x$';
	expect(grade(regexTest, 'aab')).toBe('passed');
	expect(grade(test_('regex', '^x$'), 'aab')).toBe('failed');
});

test('regex: a pattern that backtracks catastrophically in JavaScript is decided at once', () => {
	// JavaScript's engine takes about 2^n steps on this (minutes at n = 40); a linear-time one, n.
	const answer = `${'a'.repeat(40)}!`;
	const started = performance.now();
	expect(grade(test_('regex', '^(a+)+$'), answer)).toBe('failed');
	expect(grade(test_('regex', '^(a|aa)+$'), 'a'.repeat(100_000) + 'b')).toBe('failed');
	expect(performance.now() - started).toBeLessThan(1000);
	expect(grade(test_('regex', '^(a+)+$'), 'aaaa')).toBe('passed');
});
