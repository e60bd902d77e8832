import {closeSync, openSync, writeSync} from 'node:fs';
import process from 'node:process';

/** Watches stdout and stderr for a reader that went away (`lanes run | head -2`). */
export type OutputWatch = {
	/** Whether a pipe lanes writes to was closed. */
	closed(): boolean;
	/** Writes `text` to the controlling terminal, if there still is one (the pipe no longer reaches anyone). */
	tellTerminal(text: string): void;
	dispose(): void;
};

/**
 * Without this, the first write after the reader left throws EPIPE from an 'error' event and the run dies
 * without a word. Instead `onClosed` runs once (the run stops gracefully, as on SIGTERM) and later writes to
 * the dead pipe are dropped.
 */
export function watchOutput(onClosed: () => void): OutputWatch {
	let closed = false;
	const onError = (error: NodeJS.ErrnoException) => {
		if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
		if (closed) return;
		closed = true;
		onClosed();
	};

	process.stdout.on('error', onError);
	process.stderr.on('error', onError);
	return {
		closed: () => closed,
		tellTerminal(text) {
			let fd: number | undefined;
			try {
				fd = openSync('/dev/tty', 'w');
				writeSync(fd, text);
			} catch {
				// No terminal either (a CI job, a daemon): the run's status in the database says it all.
			} finally {
				if (fd !== undefined) closeSync(fd);
			}
		},
		dispose() {
			process.stdout.off('error', onError);
			process.stderr.off('error', onError);
		},
	};
}
