import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

/** A small file system of its own (tmpfs): one that can really fill up, or be made read-only. */
export type SmallFs = {
	dir: string;
	file(name: string): string;
	/** Makes it read-only (a remount: unlike chmod, this stops root too). */
	remountReadOnly(): void;
	remountWritable(): void;
	unmount(): void;
};

/**
 * Mounts a tmpfs of `sizeBytes`, or says why it cannot (not root, no mount permission in a container): the
 * caller skips with that reason rather than pass without testing anything.
 */
export function mountSmallFs(sizeBytes: number): SmallFs | {unavailable: string} {
	if (process.platform !== 'linux') return {unavailable: 'tmpfs mounts need Linux'};
	if (process.getuid?.() !== 0) return {unavailable: 'mounting a tmpfs needs root'};
	const dir = mkdtempSync(path.join(tmpdir(), 'lanes-smallfs-'));
	const mount = (...args: string[]) => execFileSync('mount', args, {stdio: 'pipe'});
	try {
		mount('-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir);
	} catch (error) {
		rmSync(dir, {recursive: true, force: true});
		return {unavailable: `mount -t tmpfs failed: ${(error as {stderr?: Buffer}).stderr?.toString().trim() || (error as Error).message}`};
	}

	return {
		dir,
		file: name => path.join(dir, name),
		remountReadOnly: () => mount('-o', 'remount,ro', dir),
		remountWritable: () => mount('-o', 'remount,rw', dir),
		unmount() {
			execFileSync('umount', ['-l', dir], {stdio: 'pipe'});
			rmSync(dir, {recursive: true, force: true});
		},
	};
}
