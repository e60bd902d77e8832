import {randomBytes} from 'node:crypto';
import {constants, copyFileSync, existsSync, linkSync, mkdirSync, rmdirSync, rmSync, statSync, type Stats} from 'node:fs';
import {basename, dirname, join, resolve} from 'node:path';
import Database from 'better-sqlite3';
import {InputError} from '../errors/input-error.js';
import {withPath, wrapError} from './database-error.js';
import {inspectExistingFile} from './inspect-file.js';
import {readableCopy, readOnlyStorageError, storageWritable} from './read-only-storage.js';
import {LANES_TABLES, MIGRATIONS, latestVersion, migrate, userVersion, type Migration} from './migrations.js';

/** How long a statement waits for another process's write lock before failing with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;
/** Pages the write-ahead log may hold before SQLite copies them into the database file. */
const walCheckpointPages = 4000;

/** Options of `openDatabase`. */
export type OpenDatabaseOptions = {
	readonly?: boolean;
	/** Tests swap in their own steps; everything else uses the real ones. */
	migrations?: readonly Migration[];
};

/**
 * Opens (creating it if missing) a lanes database at `path`, migrated to the current schema.
 * A file that is not ours, from a newer lanes, or damaged is refused with an InputError before anything
 * writes to it; a database that cannot be created leaves no file and no new directory behind.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
	const migrations = options.migrations ?? MIGRATIONS;
	const readonly = options.readonly ?? false;
	let stats = statIfExists(path);
	if (!stats) {
		if (readonly) throw new InputError(`${path}: no such database`);
		if (existsSync(dirname(resolve(path))) && !storageWritable(path)) throw readOnlyStorageError(path);
		createDatabase(path, migrations);
		stats = withPath(path, 'reading the new database', () => statSync(path));
	}

	if (!stats.isFile()) throw new InputError(`${path} is not a file; --db needs a database file`);
	const writable = storageWritable(path);
	if (!readonly && !writable) throw readOnlyStorageError(path);
	const {size} = stats;
	// An archive on read-only storage is read from a copy: SQLite cannot open a WAL database where it cannot write.
	const file = readonly && !writable ? withPath(path, 'copying it from read-only storage', () => readableCopy(path)) : path;
	withPath(path, 'reading', () => inspectExistingFile(path, size, latestVersion(migrations), file));

	const db = withPath(path, 'opening', () => connect(file, readonly));
	try {
		if (readonly) {
			const version = userVersion(db);
			if (version === 0) throw new InputError(`${path} holds no lanes data yet`);
			if (version !== latestVersion(migrations)) {
				throw new InputError(`${path} has schema ${version}, this lanes reads ${latestVersion(migrations)}; a \`lanes run\` or \`lanes resume\` with this --db upgrades it (keeping every run)`);
			}
		} else if (migrate(db, path, migrations) > 0) {
			// Move the new header (application_id, user_version) into the main file now, so the next open
			// recognises the file from its header alone even if this process dies before a checkpoint.
			db.pragma('wal_checkpoint(TRUNCATE)');
		}

		requireTables(db, path, migrations);
		return db;
	} catch (error) {
		db.close();
		throw wrapError(path, 'opening', error);
	}
}

/** A connection with the settings every lanes connection uses. */
function connect(path: string, readonly: boolean): Database.Database {
	const db = new Database(path, {readonly, fileMustExist: true, timeout: BUSY_TIMEOUT_MS});
	if (!readonly) {
		// WAL: readers (a `lanes list` in another terminal) never block the running engine, and commits are cheap.
		db.pragma('journal_mode = WAL');
		// In WAL mode NORMAL survives any process crash; only an OS crash or power loss can lose the last commits.
		db.pragma('synchronous = NORMAL');
		// A checkpoint is where NORMAL syncs to disk; with every result its own commit, the default (every 1000
		// pages, 4 MB) checkpoints about 20 times a second at full speed. Every 16 MB costs a quarter of that.
		db.pragma(`wal_autocheckpoint = ${walCheckpointPages}`);
	} else {
		// A reader (report, runs) passes over each page once: a small page cache keeps its memory flat (the default is 16 MB).
		db.pragma('cache_size = -2000');
	}

	db.pragma('foreign_keys = ON');
	db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
	return db;
}

/**
 * Builds the database under a temporary name in the same directory and links it into place only once it
 * is complete, so a crash or a failure never leaves a half-made database at `path`. Linking (not renaming)
 * fails if another process created `path` meanwhile; then theirs is used.
 */
function createDatabase(path: string, migrations: readonly Migration[]): void {
	const directory = dirname(resolve(path));
	const firstNewDirectory = withPath(path, 'creating its directory', () => mkdirSync(directory, {recursive: true}));
	const temporary = join(directory, `.${basename(path)}.${process.pid}-${randomBytes(3).toString('hex')}.creating`);
	let failed = true;
	try {
		const db = new Database(temporary, {timeout: BUSY_TIMEOUT_MS});
		try {
			db.pragma('journal_mode = WAL');
			migrate(db, path, migrations);
		} finally {
			// The last connection to close checkpoints and deletes the -wal file: the main file is then complete.
			db.close();
		}

		publish(temporary, path);
		failed = false;
	} catch (error) {
		throw wrapError(path, 'creating the database', error);
	} finally {
		for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(temporary + suffix, {force: true});
		if (failed && firstNewDirectory) removeNewDirectories(directory, firstNewDirectory);
	}
}

function publish(temporary: string, path: string): void {
	try {
		linkSync(temporary, path);
	} catch (error) {
		if (errorCode(error) === 'EEXIST') return;
		// Some file systems have no hard links; an exclusive copy still never overwrites another's file.
		try {
			copyFileSync(temporary, path, constants.COPYFILE_EXCL);
		} catch (copyError) {
			if (errorCode(copyError) !== 'EEXIST') throw copyError;
		}
	}
}

/** Removes the directories mkdir created, deepest first, stopping at one that is not empty. */
function removeNewDirectories(deepest: string, topmost: string): void {
	for (let directory = deepest; directory.startsWith(topmost); directory = dirname(directory)) {
		try {
			rmdirSync(directory);
		} catch {
			return;
		}

		if (directory === topmost) return;
	}
}

function requireTables(db: Database.Database, path: string, migrations: readonly Migration[]): void {
	// Only the real schema is known to have these tables; test migrations bring their own.
	if (migrations !== MIGRATIONS) return;
	const present = new Set(db.prepare<[], {name: string}>("SELECT name FROM sqlite_schema WHERE type = 'table'").all().map(row => row.name));
	const missing = LANES_TABLES.filter(table => !present.has(table));
	if (missing.length > 0) {
		throw new InputError(`${path} is damaged: it is marked as a lanes database but has no table ${missing.join(', ')}; use another --db`);
	}
}

function statIfExists(path: string): Stats | undefined {
	try {
		return statSync(path);
	} catch (error) {
		if (errorCode(error) === 'ENOENT') return undefined;
		if (errorCode(error) === 'ENOTDIR') throw new InputError(`${path}: a part of the path is a file, not a directory`);
		throw wrapError(path, 'reading', error);
	}
}

function errorCode(error: unknown): string | undefined {
	return (error as {code?: string} | undefined)?.code;
}
