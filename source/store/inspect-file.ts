import {existsSync, readFileSync, rmSync} from 'node:fs';
import Database from 'better-sqlite3';
import {InputError} from '../errors/input-error.js';
import {wrapError} from './database-error.js';
import {LANES_APPLICATION_ID, newerSchemaError} from './migrations.js';
import {readSqliteHeader} from './sqlite-header.js';

/** Above this size a foreign file is refused without listing its tables (listing reads it into memory). */
const listTablesUpTo = 64 * 1024 * 1024;

/**
 * Decides whether an existing file may be opened as a lanes database, without writing to it: throws an
 * InputError for a file that is not SQLite, another program's database, a lanes database from a newer
 * version, or a damaged one. An empty file or an empty SQLite database passes (it will be initialised).
 * Messages name `path`; `file` is what is read (a readable copy of an archived database).
 */
export function inspectExistingFile(path: string, size: number, knownVersion: number, file = path): void {
	// SQLite itself treats a zero-length file as an empty database.
	if (size === 0) return;
	const header = readSqliteHeader(file, size);
	if (!header) throw new InputError(`${path} is not a lanes database: file is not a database (it has no SQLite header); use another --db`);

	if (header.applicationId !== LANES_APPLICATION_ID) {
		// One page is an empty SQLite database (just the empty schema): safe to make it ours.
		if (header.userVersion === 0 && header.pageCount <= 1) return;
		const tables = size <= listTablesUpTo ? tablesOfCopy(file, header.wal) : undefined;
		if (header.userVersion === 0 && tables?.length === 0) return;
		const what = tables && tables.length > 0 ? `it holds tables of another program (${describeTables(tables)})` : 'it is a SQLite database of another program';
		throw new InputError(`${path} is not a lanes database: ${what}; use another --db`);
	}

	if (header.userVersion > knownVersion) throw newerSchemaError(path, header.userVersion, knownVersion);
	if (header.userVersion === 0 && header.pageCount > 1) {
		// Marked as ours but with no schema version: migrating it would re-create tables that are there.
		const tables = size <= listTablesUpTo ? tablesOfCopy(file, header.wal) : undefined;
		if (tables === undefined || tables.length > 0) {
			const holding = tables ? ` while it holds tables (${describeTables(tables)})` : '';
			throw new InputError(`${path} is damaged: it is marked as a lanes database but has no schema version (user_version 0)${holding}; restore it from a backup or use another --db`);
		}
	}

	quickCheck(path, file);
}

/**
 * `PRAGMA quick_check` on a read-only connection: catches truncation and broken pages before we write.
 * It reads every page once, which costs a moment on a database of hundreds of megabytes.
 */
function quickCheck(path: string, file: string): void {
	// A read-only connection to a WAL database creates -wal and -shm files it cannot remove; on refusal we
	// remove the ones we caused, so a refused file is left exactly as we found it.
	const sidecars = ['-wal', '-shm'].map(suffix => file + suffix).filter(sidecar => !existsSync(sidecar));
	let problems: string[];
	try {
		const db = new Database(file, {readonly: true, fileMustExist: true});
		try {
			problems = db
				.prepare<[], {quick_check: string}>('PRAGMA quick_check(5)')
				.all()
				.map(row => row.quick_check)
				.filter(message => message !== 'ok');
		} finally {
			db.close();
		}
	} catch (error) {
		for (const sidecar of sidecars) rmSync(sidecar, {force: true});
		// Busy, permission and I/O errors say nothing about the file's health: report them as they are.
		if (!isCorruption(error)) throw wrapError(path, 'checking the database', error);
		problems = [(error as Error).message];
	}

	if (problems.length === 0) return;
	for (const sidecar of sidecars) rmSync(sidecar, {force: true});
	throw new InputError(`${path} is damaged (${problems.join('; ')}); restore it from a backup or use another --db`);
}

/** Table names of a SQLite file, read from an in-memory copy so nothing is created next to the file. */
function tablesOfCopy(path: string, wal: boolean): string[] | undefined {
	try {
		const bytes = readFileSync(path);
		// An in-memory database cannot be in WAL mode: mark the copy as a rollback-journal file.
		if (wal) bytes.fill(1, 18, 20);
		const db = new Database(bytes, {readonly: true});
		try {
			return db
				.prepare<[], {name: string}>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
				.all()
				.map(row => row.name);
		} finally {
			db.close();
		}
	} catch {
		return undefined;
	}
}

function isCorruption(error: unknown): boolean {
	const code = (error as {code?: unknown} | undefined)?.code;
	return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'));
}

function describeTables(tables: string[]): string {
	const shown = tables.slice(0, 5).join(', ');
	return tables.length > 5 ? `${shown} and ${tables.length - 5} more` : shown;
}
