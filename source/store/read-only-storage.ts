import {accessSync, constants, copyFileSync, existsSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {basename, dirname, join, resolve} from 'node:path';
import Database from 'better-sqlite3';
import {InputError} from '../errors/input-error.js';

/**
 * Whether SQLite can write next to `path`: its folder (where the -wal and -shm files go) and, when it
 * exists, the file itself. `access` asks the kernel, so a read-only mount answers no even to root.
 */
export function storageWritable(path: string): boolean {
	try {
		accessSync(dirname(resolve(path)), constants.W_OK);
		if (existsSync(path)) accessSync(path, constants.W_OK);
		return true;
	} catch {
		return false;
	}
}

/** The InputError for `run`/`resume` on a database lanes cannot write. */
export function readOnlyStorageError(path: string): InputError {
	return new InputError(`${path}: the database or its folder is read-only, and a run writes its results there; \`lanes runs\` and \`lanes report\` can read it as it is, or copy it somewhere writable and name the copy with --db`);
}

/**
 * A private, readable copy of a lanes database on read-only storage (an archive). SQLite reads a WAL
 * database only with a -shm file beside it, which it cannot create there. The copy (with any -wal) goes to
 * a temporary folder, is switched to a rollback journal (folding in the WAL) so reading it creates
 * nothing, and is deleted when the process exits.
 */
export function readableCopy(path: string): string {
	const folder = mkdtempSync(join(tmpdir(), 'lanes-readonly-'));
	process.once('exit', () => rmSync(folder, {recursive: true, force: true}));
	const copy = join(folder, basename(path));
	copyFileSync(path, copy);
	if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
	try {
		const db = new Database(copy, {fileMustExist: true});
		try {
			db.pragma('journal_mode = DELETE');
		} finally {
			db.close();
		}
	} catch {
		// Not a database we can read: inspecting the copy says what it is instead.
	}

	return copy;
}
