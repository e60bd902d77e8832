import {linearRegex, type LinearRegex} from './linear-regex.js';
import type {TestCase} from './types.js';

/** Compiled once per test: a suite's regexes are checked when it loads and reused for every model. */
const compiled = new WeakMap<TestCase, LinearRegex>();

/**
 * Whether an answer passes a test: exact = equal after trimming both, contains = `expected` is a substring,
 * regex = `expected` matches somewhere in the answer (RE2 syntax, linear time: see linear-regex.ts). A test without `expected` always passes.
 */
export function grade(test: TestCase, answer: string): 'passed' | 'failed' {
	const {expected} = test;
	if (expected === undefined) return 'passed';
	switch (test.match) {
		case 'exact':
			return answer.trim() === expected.trim() ? 'passed' : 'failed';
		case 'contains':
			return answer.includes(expected) ? 'passed' : 'failed';
		case 'regex': {
			let pattern = compiled.get(test);
			if (!pattern) {
				pattern = linearRegex(expected);
				compiled.set(test, pattern);
			}

			return pattern.test(answer) ? 'passed' : 'failed';
		}
	}
}
