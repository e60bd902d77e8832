import {closeSync, openSync, readSync} from 'node:fs';

/** The 100-byte header every SQLite database file starts with (https://sqlite.org/fileformat.html#the_database_header). */
export type SqliteHeader = {
	pageSize: number;
	/** Pages in the file, from the header when SQLite vouches for it, else from the file size. */
	pageCount: number;
	/** Journal mode WAL: SQLite would create -wal and -shm files next to it, even to read. */
	wal: boolean;
	userVersion: number;
	applicationId: number;
};

const magic = Buffer.from('SQLite format 3\u0000', 'latin1');
const headerSize = 100;

/**
 * Reads a database file's header with plain file I/O, so a file we are going to refuse is judged without
 * SQLite touching it or creating anything next to it. Returns undefined when it is not a SQLite file.
 */
export function readSqliteHeader(path: string, fileSize: number): SqliteHeader | undefined {
	const bytes = Buffer.alloc(headerSize);
	const fd = openSync(path, 'r');
	let read: number;
	try {
		read = readSync(fd, bytes, 0, headerSize, 0);
	} finally {
		closeSync(fd);
	}

	if (read < headerSize || !bytes.subarray(0, magic.length).equals(magic)) return undefined;
	const rawPageSize = bytes.readUInt16BE(16);
	const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
	if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) return undefined;
	// The in-header size is only valid when the change counter matches "version-valid-for" (SQLite >= 3.7.0 wrote it).
	const headerPages = bytes.readUInt32BE(28);
	const headerValid = headerPages > 0 && bytes.readUInt32BE(24) === bytes.readUInt32BE(92);
	return {
		pageSize,
		pageCount: headerValid ? headerPages : Math.ceil(fileSize / pageSize),
		wal: bytes[18] === 2 || bytes[19] === 2,
		userVersion: bytes.readInt32BE(60),
		applicationId: bytes.readInt32BE(68),
	};
}
