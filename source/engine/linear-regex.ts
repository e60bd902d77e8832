import {RE2JS} from 're2js';

/**
 * A compiled `regex` test pattern, matched by RE2 (the re2js port): time linear in the answer's length
 * whatever the pattern, so a pattern that would backtrack catastrophically in JavaScript's engine cannot
 * freeze the run (the event loop, the TUI, every lane and signal handling all share one thread).
 */
export type LinearRegex = {test(text: string): boolean};

/** Why `pattern` cannot be matched in linear time (backreferences, lookaround), or undefined when it can. */
export function linearRegexProblem(pattern: string): string | undefined {
	try {
		RE2JS.compile(pattern);
		return undefined;
	} catch (error) {
		return (error as Error).message.replace(/^error parsing regexp: /, '');
	}
}

/** Compiles `pattern`; throws on one `linearRegexProblem` refuses (the suite loader rejects those first). */
export function linearRegex(pattern: string): LinearRegex {
	const compiled = RE2JS.compile(pattern);
	return {test: text => compiled.matcher(text).find()};
}
