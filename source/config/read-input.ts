import {readFileSync} from 'node:fs';
import {InputError} from '../errors/input-error.js';

const reasons: Record<string, string> = {
	ENOENT: 'no such file',
	EACCES: 'permission denied',
	EPERM: 'permission denied',
	EISDIR: 'it is a directory',
	ENOTDIR: 'a part of the path is not a directory',
};

/** The bytes of a file the user named, or an InputError: `config/x.json: cannot read file (no such file)`. */
export function readInput(path: string): Buffer {
	try {
		return readFileSync(path);
	} catch (error) {
		throw inputError(path, error);
	}
}

/** The InputError for a file the user named that cannot be opened or read. */
export function inputError(path: string, error: unknown): InputError {
	const code = (error as NodeJS.ErrnoException).code ?? '';
	return new InputError(`${path}: cannot read file (${reasons[code] ?? (code || String(error))})`);
}
