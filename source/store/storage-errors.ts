/**
 * Failures of the storage under the database rather than of lanes: they get their own message and exit
 * code instead of "unexpected error". SQLite's codes arrive as `code` on better-sqlite3's SqliteError,
 * possibly a few causes deep under our DatabaseError.
 */

/** The first `code` in the error's cause chain. */
function errorCode(error: unknown): string | undefined {
	let current = error;
	for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
		const code = (current as {code?: unknown}).code;
		if (typeof code === 'string') return code;
		current = current.cause;
	}

	return undefined;
}

/** The disk (or quota) holding the database is full: SQLite could not grow the file or its journal. */
export function isStorageFull(error: unknown): boolean {
	const code = errorCode(error);
	return code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT';
}

/** The database, its folder or the whole file system cannot be written (read-only storage). */
export function isReadOnlyStorage(error: unknown): boolean {
	const code = errorCode(error);
	return code !== undefined && (code.startsWith('SQLITE_READONLY') || code === 'EROFS');
}

/** What to tell the user when the disk under `dbPath` filled up during a run. */
export function storageFullMessage(dbPath: string): string {
	return `the disk holding the database ${dbPath} is full: the run stopped there. Every result it recorded is kept; free some space, then resume it`;
}
