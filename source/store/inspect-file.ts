import {readFileSync, statSync} from 'node:fs';
import Database from 'better-sqlite3';
import {InputError} from '../errors/input-error.js';
import {LANES_APPLICATION_ID, newerSchemaError} from './migrations.js';
import {readSqliteHeader, type SqliteHeader} from './sqlite-header.js';

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

	checkLength(path, file, header, size);
}

/**
 * The one check cheap enough for every open: a file shorter than its header says was cut off (a copy that
 * stopped, a full disk). Damage inside the pages is found by `Store.checkIntegrity`, which reads every page:
 * before a resume writes, and on request (`lanes runs --check`), not on every open of a large database.
 */
function checkLength(path: string, file: string, header: SqliteHeader, size: number): void {
	const expected = header.pageCount * header.pageSize;
	if (size >= expected) return;
	// Pages still in the write-ahead log (a checkpoint the disk filling up cut short) are not lost: SQLite reads them there.
	if (statSize(`${file}-wal`) > 0) return;
	throw new InputError(`${path} is damaged (the file has ${Math.floor(size / header.pageSize)} of its ${header.pageCount} pages); restore it from a backup or use another --db`);
}

function statSize(file: string): number {
	try {
		return statSync(file).size;
	} catch {
		return 0;
	}
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

/** SQLite's own word that a file is damaged, as opposed to busy, permission or I/O errors. */
export function isCorruption(error: unknown): boolean {
	const code = (error as {code?: unknown} | undefined)?.code;
	return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB'));
}

function describeTables(tables: string[]): string {
	const shown = tables.slice(0, 5).join(', ');
	return tables.length > 5 ? `${shown} and ${tables.length - 5} more` : shown;
}
