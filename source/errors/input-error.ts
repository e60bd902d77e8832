/**
 * Bad input from the user (config, suite, flags, database file): the CLI prints the message and exits 2,
 * never a stack trace. The message names the file, the key path or line, what was expected and what was found.
 */
export class InputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'InputError';
	}
}

/** Problems shown at most; the rest are counted. */
export const maxProblems = 5;

/** One InputError for several problems (each a full line: file, place, what): the first few, then "and N more". */
export function problemsError(problems: readonly string[]): InputError {
	const shown = problems.slice(0, maxProblems);
	const more = problems.length - shown.length;
	return new InputError(more > 0 ? [...shown, `and ${more} more`].join('\n') : shown.join('\n'));
}
