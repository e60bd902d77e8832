import process from 'node:process';
import type {ReadSuiteOptions, SuiteProgress} from '../config/load-suite.js';

/** A suite read shorter than this shows nothing. */
const quietMs = 1000;

/**
 * Progress of a long suite read on stderr (stdout stays for `--json`): nothing for a read under a second; then
 * a line every second, redrawn in place on a terminal. `done` ends the line.
 */
export function suiteProgress(doing: string): ReadSuiteOptions & {done: () => void} {
	const terminal = process.stderr.isTTY;
	let shown = false;
	const line = ({path, bytesRead, totalBytes, tests}: SuiteProgress) =>
		`lanes: ${doing} ${path}: ${totalBytes > 0 ? Math.floor((bytesRead / totalBytes) * 100) : 100}% (${tests.toLocaleString('en-US')} tests)`;
	return {
		progressEveryMs: quietMs,
		onProgress(progress) {
			shown = true;
			process.stderr.write(terminal ? `\r\u001B[2K${line(progress)}` : `${line(progress)}\n`);
		},
		done() {
			if (shown && terminal) process.stderr.write('\n');
			shown = false;
		},
	};
}
