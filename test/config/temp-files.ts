import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll} from 'vitest';

/** A temporary directory for one test file, removed after it; `write` returns the path of the file it made. */
export function tempFiles(): {dir: string; write(name: string, content: string | Buffer): string} {
	const dir = mkdtempSync(join(tmpdir(), 'lanes-config-'));
	afterAll(() => {
		rmSync(dir, {recursive: true, force: true});
	});
	return {
		dir,
		write(name, content) {
			const path = join(dir, name);
			writeFileSync(path, content);
			return path;
		},
	};
}

/** The message of what `run` throws (fails the test if it does not throw). */
export function thrown(run: () => unknown): Error {
	try {
		run();
	} catch (error) {
		return error as Error;
	}

	throw new Error('expected an error, none was thrown');
}
