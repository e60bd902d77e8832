/**
 * A failure of the database itself while lanes uses it (disk full, locked too long, a row that breaks the
 * schema): unlike an `InputError`, nothing the user typed is wrong. The message starts with the database path.
 */
export class DatabaseError extends Error {
	readonly path: string;

	constructor(path: string, message: string, options: {cause?: unknown} = {}) {
		super(`${path}: ${message}`, {cause: options.cause});
		this.name = 'DatabaseError';
		this.path = path;
	}
}

/** What was being done, for an error message: a function where building the text would cost on every call of a hot path. */
export type Doing = string | (() => string);

/** Runs `action`; rethrows anything but our own errors as a DatabaseError that says what was being done. */
export function withPath<T>(path: string, doing: Doing, action: () => T): T {
	try {
		return action();
	} catch (error) {
		throw wrapError(path, doing, error);
	}
}

/** Our own errors pass through unchanged; anything else becomes a DatabaseError naming the path and the task. */
export function wrapError(path: string, doing: Doing, error: unknown): Error {
	if (error instanceof Error && (error.name === 'DatabaseError' || error.name === 'InputError')) return error;
	const detail = error instanceof Error ? (hasCode(error) ? `${error.code}: ${error.message}` : error.message) : String(error);
	return new DatabaseError(path, `${said(doing)}: ${detail}`, {cause: error});
}

function hasCode(error: Error): error is Error & {code: string} {
	return typeof (error as {code?: unknown}).code === 'string';
}

/** The text of a `Doing`. */
export function said(doing: Doing): string {
	return typeof doing === 'string' ? doing : doing();
}
