import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import {childEnv, cliCommand, repoRoot} from './cli.js';
import {waitUntil} from './wait.js';

export type PtyExit = {exitCode: number; signal?: number};

/** The CLI in a real pseudo-terminal, its output fed to a headless xterm so tests read the screen as a user sees it. */
export type PtySession = {
	pid: number;
	/** Types keys (as a terminal sends them: one chunk). */
	write(keys: string): void;
	/** The visible screen: one line a row, trailing spaces trimmed. */
	screenText(): string;
	/** Rows of the live screen that overflowed the terminal's width and went on in the next row (empty when none did). */
	overflowingRows(): string[];
	/** Scrollback and screen, with lines the terminal soft-wrapped joined back into one. */
	allText(): string;
	/** Everything the child wrote to the terminal, escape sequences included. */
	output(): string;
	/**
	 * Resolves once the terminal has parsed everything the child wrote so far: xterm parses writes
	 * asynchronously, so read `screenText()` or `allText()` after this to see all of it.
	 */
	settled(): Promise<void>;
	/**
	 * Polls `condition` (each time after `settled()`) until it holds; fails after `timeoutMs` naming
	 * `description` and showing the last screen.
	 */
	waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, description: string): Promise<void>;
	/** Resolves when the child has exited (rejects only through the caller's own timeout). */
	exited: Promise<PtyExit>;
	/** The exit, once there is one. */
	exit(): PtyExit | undefined;
	/** Kills the child if it still runs (SIGKILL). */
	kill(): void;
	/** Resizes the terminal, as a user dragging the window would (the child gets SIGWINCH). */
	resize(cols: number, rows: number): void;
};

export type PtyOptions = {
	cols?: number;
	rows?: number;
	cwd?: string;
	/** Added to the child's environment, which never has CI (Ink would print only its last frame). */
	env?: Record<string, string | undefined>;
};

const pollMs = 20;

/** Starts `lanes ARGS` in a pseudo-terminal of `cols` × `rows` (default 100 × 32). */
export function startPty(args: readonly string[], options: PtyOptions = {}): PtySession {
	const cols = options.cols ?? 100;
	let rows = options.rows ?? 32;
	const env = childEnv({TERM: 'xterm-256color', ...options.env});
	delete env.CI;
	const command = cliCommand(args);
	const child = pty.spawn(command.file, command.args, {name: 'xterm-256color', cols, rows, cwd: options.cwd ?? repoRoot, env});
	const terminal = new xterm.Terminal({cols, rows, scrollback: 5000, allowProposedApi: true});
	let output = '';
	child.onData(data => {
		output += data;
		terminal.write(data);
	});
	let exit: PtyExit | undefined;
	const exited = new Promise<PtyExit>(resolve => {
		child.onExit(event => {
			exit = event;
			resolve(event);
		});
	});

	const lineText = (index: number) => terminal.buffer.active.getLine(index)?.translateToString(true) ?? '';
	const screenText = () => {
		const buffer = terminal.buffer.active;
		const lines: string[] = [];
		// baseY is the top of the live screen (viewportY may lag behind it after a resize).
		for (let row = 0; row < rows; row++) lines.push(lineText(buffer.baseY + row).trimEnd());
		return lines.join('\n');
	};

	// An empty write's callback runs once every write before it is parsed.
	const settled = async () => new Promise<void>(resolve => {
		terminal.write('', resolve);
	});

	const session: PtySession = {
		pid: child.pid,
		write(keys) {
			child.write(keys);
		},
		screenText,
		overflowingRows() {
			const buffer = terminal.buffer.active;
			const overflowing: string[] = [];
			for (let row = 1; row < rows; row++) {
				if (buffer.getLine(buffer.baseY + row)?.isWrapped) overflowing.push(lineText(buffer.baseY + row - 1));
			}

			return overflowing;
		},
		allText() {
			const buffer = terminal.buffer.active;
			const lines: string[] = [];
			for (let index = 0; index < buffer.length; index++) {
				const text = lineText(index);
				if (buffer.getLine(index)?.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
				else lines.push(text);
			}

			return lines.map(line => line.trimEnd()).join('\n');
		},
		output: () => output,
		settled,
		async waitFor(condition, timeoutMs, description) {
			await waitUntil(description, async () => {
				await settled();
				return condition();
			}, {
				timeoutMs,
				intervalMs: pollMs,
				context() {
					const status = exit ? `the child exited (code ${exit.exitCode}${exit.signal ? `, signal ${exit.signal}` : ''})` : 'the child is still running';
					return `${status}. Last screen:\n${screenText()}`;
				},
			});
		},
		exited,
		exit: () => exit,
		kill() {
			if (!exit) child.kill('SIGKILL');
		},
		resize(newCols, newRows) {
			rows = newRows;
			terminal.resize(newCols, newRows);
			child.resize(newCols, newRows);
		},
	};
	return session;
}
