import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {afterAll} from 'vitest';
import {waitUntil} from './wait.js';

/** The repository root (where package.json, config/, data/ and source/ are). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The CLI entry point, run through tsx as `npm run lanes` does. */
export const cliPath = path.join(repoRoot, 'source', 'cli.tsx');

/** tsx's loader as a file URL, so the CLI also starts from a working directory without node_modules. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A program and its arguments, as spawn (and node-pty) take them. */
export type Command = {file: string; args: string[]};

/**
 * `node --import tsx source/cli.tsx ARGS`, as argv for spawn (node-pty takes the same): node runs the CLI
 * itself (no npx or npm in between), so signals reach it.
 */
export function cliCommand(args: readonly string[]): Command {
	return {file: process.execPath, args: ['--import', tsxLoader, cliPath, ...args]};
}

/**
 * The environment a child CLI gets: this process's, minus what would change how lanes behaves
 * (CI makes Ink print only its last frame; LANES_DEBUG adds stack traces; OPENAI_* and AZURE_OPENAI* redirect
 * the SDK), plus `extra`. A value of undefined in `extra` removes that variable.
 */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
	const env: Record<string, string | undefined> = {...process.env};
	for (const name of Object.keys(env)) {
		if (name === 'CI' || name === 'LANES_DEBUG' || name.startsWith('OPENAI_') || name.startsWith('AZURE_OPENAI')) delete env[name];
	}

	Object.assign(env, extra);
	return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export type CliOptions = {
	/** Added to (or, with undefined, removed from) the child's environment. */
	env?: Record<string, string | undefined>;
	/** Default: the repository root. */
	cwd?: string;
	/** The whole run must end within this; default 20 s. */
	timeoutMs?: number;
};

export type CliResult = {
	/** Exit code; null when a signal ended it. */
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	elapsedMs: number;
};

/** A running child with its output so far. */
export type CliProcess = {
	child: ChildProcess;
	pid: number;
	stdout(): string;
	stderr(): string;
	/** Whether it has exited (and its output is complete). */
	exitedYet(): boolean;
	/** Command line and output so far, for failure messages. */
	describe(): string;
	/** Resolves when the child has exited and its output is complete; rejects (and kills it) after the timeout. */
	exited: Promise<CliResult>;
	/** Resolves with the match once stdout or stderr (as chosen) matches `pattern`; rejects on exit or timeout. */
	waitForOutput(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
};

/** The end of a long text, for failure messages. */
export const tail = (text: string, chars = 3000) => (text.length > chars ? `…${text.slice(-chars)}` : text);

/** Starts `command` with stdin not a TTY and collects its output; `label` names it in failure messages. */
function startChild(command: Command, label: string, options: CliOptions): CliProcess {
	const started = performance.now();
	const child = spawn(command.file, command.args, {
		cwd: options.cwd ?? repoRoot,
		env: childEnv(options.env),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	let ended = false;
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
	});
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
	});

	const describe = () => `${label}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`;
	const timeoutMs = options.timeoutMs ?? 20_000;
	const exited = new Promise<CliResult>((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`timed out after ${timeoutMs} ms waiting for the child to exit: ${describe()}`));
		}, timeoutMs);
		child.once('error', error => {
			clearTimeout(timer);
			reject(new Error(`could not start the child (${error.message}): ${describe()}`));
		});
		// 'close', not 'exit': the output streams are complete by then.
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			ended = true;
			resolve({code, signal, stdout, stderr, elapsedMs: performance.now() - started});
		});
	});
	// A test that fails before awaiting `exited` must not leave an unhandled rejection behind.
	exited.catch(() => undefined);
	if (child.pid === undefined) throw new Error(`no pid for ${describe()}`);

	return {
		child,
		pid: child.pid,
		stdout: () => stdout,
		stderr: () => stderr,
		exitedYet: () => ended,
		describe,
		exited,
		async waitForOutput(stream, pattern, waitMs = 10_000) {
			return waitUntil(`${stream} to match ${pattern}`, () => (stream === 'stdout' ? stdout : stderr).match(pattern), {
				timeoutMs: waitMs,
				abortIf: () => (ended ? 'the child exited first' : undefined),
				context: describe,
			});
		},
	};
}

/** Starts `lanes ARGS` as a child with stdin not a TTY (so the plain reporter is used) and collects its output. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
	return startChild(cliCommand(args), `lanes ${args.join(' ')}`, options);
}

/** Runs `lanes ARGS` to the end (bounded by a timeout that fails with the output so far). */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
	return startCli(args, options).exited;
}

/** Runs a shell command line (say, one lanes printed) to the end, as `runCli` runs lanes. */
export async function runShell(commandLine: string, options: CliOptions = {}): Promise<CliResult> {
	return startChild({file: 'sh', args: ['-c', commandLine]}, commandLine, options).exited;
}

/** A temporary directory. */
export type TempDir = {
	dir: string;
	file(name: string): string;
	/** Writes a file: text as it is, anything else as indented JSON with a final newline. Returns its path. */
	write(name: string, content: string | object): string;
	entries(): string[];
	remove(): void;
};

/** A temporary directory, removed by its `remove()`. */
export function makeTempDir(prefix = 'lanes-'): TempDir {
	const dir = mkdtempSync(path.join(tmpdir(), prefix));
	return {
		dir,
		file: name => path.join(dir, name),
		write(name, content) {
			const file = path.join(dir, name);
			writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
			return file;
		},
		entries: () => readdirSync(dir),
		remove: () => rmSync(dir, {recursive: true, force: true}),
	};
}

/** A temporary directory for one test file, removed after it (call at the top level of the file). */
export function tempDir(prefix = 'lanes-cli-'): TempDir {
	const temp = makeTempDir(prefix);
	afterAll(temp.remove);
	return temp;
}

/** A suite file's text from test objects, one JSON object a line. */
export function jsonl(tests: readonly object[]): string {
	return `${tests.map(test => JSON.stringify(test)).join('\n')}\n`;
}
