import type {TestCase} from './types.js';

const patterns = new Map<string, RegExp>();

/** Whether an answer passes its test: exact = trimmed equality, contains = substring, regex = a match. */
export function grade(test: TestCase, answer: string): 'passed' | 'failed' {
	if (test.expected === undefined) return 'passed';
	switch (test.match) {
		case 'exact': {
			return answer.trim() === test.expected.trim() ? 'passed' : 'failed';
		}

		case 'contains': {
			return answer.includes(test.expected) ? 'passed' : 'failed';
		}

		case 'regex': {
			let pattern = patterns.get(test.expected);
			if (!pattern) {
				pattern = new RegExp(test.expected);
				patterns.set(test.expected, pattern);
			}

			return pattern.test(answer) ? 'passed' : 'failed';
		}
	}
}
