import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import {childEnv, lanesArgv, repoRoot} from './resume-harness.js';

/** `lanes` in a pseudo-terminal, its screen kept by a headless xterm. */
export type LanesInTerminal = {
	pid: number;
	/** The whole buffer (scrollback included), one string a row, trailing blanks trimmed. */
	screen(): Promise<string>;
	/** Everything written to the terminal, escape sequences included. */
	output(): string;
	write(data: string): void;
	exitedYet(): boolean;
	exited: Promise<{exitCode: number; signal?: number}>;
	kill(): void;
};

/**
 * Starts `node --import tsx source/cli.tsx ARGS` in a pseudo-terminal. The environment has no CI variable
 * (with one, Ink prints only its last frame), so the terminal UI runs as it would for a user.
 */
export function startLanesInTerminal(args: readonly string[], options: {env: Record<string, string>; cols?: number; rows?: number}): LanesInTerminal {
	const cols = options.cols ?? 200;
	const rows = options.rows ?? 40;
	// childEnv leaves CI out.
	const child = pty.spawn(process.execPath, lanesArgv(args), {name: 'xterm-256color', cols, rows, cwd: repoRoot, env: childEnv({...options.env, TERM: 'xterm-256color'})});
	const terminal = new xterm.Terminal({cols, rows, scrollback: 2000, allowProposedApi: true});
	let output = '';
	let done = false;
	child.onData(data => {
		output += data;
		terminal.write(data);
	});
	const exited = new Promise<{exitCode: number; signal?: number}>(resolve => {
		child.onExit(event => {
			done = true;
			resolve(event);
		});
	});
	return {
		pid: child.pid,
		async screen() {
			// Writes are parsed asynchronously: an empty write's callback runs once all before it are on screen.
			await new Promise<void>(resolve => {
				terminal.write('', resolve);
			});
			const buffer = terminal.buffer.active;
			const lines: string[] = [];
			for (let row = 0; row < buffer.length; row++) lines.push(buffer.getLine(row)?.translateToString(true) ?? '');
			return lines.join('\n');
		},
		output: () => output,
		write(data) {
			child.write(data);
		},
		exitedYet: () => done,
		exited,
		kill() {
			if (!done) child.kill('SIGKILL');
		},
	};
}
