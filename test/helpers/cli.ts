import {spawn, type ChildProcess} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {afterAll} from 'vitest';

/** The repository root (where package.json, config/ and data/ are). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The CLI entry point, run through tsx as `npm run lanes` does. */
export const cliPath = path.join(repoRoot, 'source', 'cli.tsx');

/** tsx's loader as a file URL, so the CLI also starts from a working directory without node_modules. */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** `node --import tsx source/cli.tsx`, as argv for spawn (node-pty takes the same). */
export function cliCommand(args: readonly string[]): {file: string; args: string[]} {
	return {file: process.execPath, args: ['--import', tsxLoader, cliPath, ...args]};
}

/**
 * The environment a child CLI gets: this process's, minus what would change how lanes behaves
 * (CI makes Ink print only its last frame; LANES_DEBUG adds stack traces; OPENAI_* redirect the SDK), plus `extra`.
 * A value of undefined in `extra` removes that variable.
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

/** A running CLI child with its output so far. */
export type CliProcess = {
	child: ChildProcess;
	stdout(): string;
	stderr(): string;
	/** Resolves when the child has exited and its output is complete; rejects (and kills it) after the timeout. */
	exited: Promise<CliResult>;
	/** Resolves with the match once stdout or stderr (as chosen) matches `pattern`; rejects on exit or timeout. */
	waitForOutput(stream: 'stdout' | 'stderr', pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
};

const tail = (text: string, chars = 3000) => (text.length > chars ? `…${text.slice(-chars)}` : text);

/** Starts `lanes ARGS` as a child with stdin not a TTY (so the plain reporter is used) and collects its output. */
export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
	const command = cliCommand(args);
	const started = performance.now();
	const child = spawn(command.file, command.args, {
		cwd: options.cwd ?? repoRoot,
		env: childEnv(options.env),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	const listeners = new Set<() => void>();
	const changed = () => {
		for (const listener of listeners) listener();
	};

	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
		stdout += chunk;
		changed();
	});
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
		stderr += chunk;
		changed();
	});

	const describe = () => `lanes ${args.join(' ')}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`;
	const timeoutMs = options.timeoutMs ?? 20_000;
	let ended = false;
	const exited = new Promise<CliResult>((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`timed out after ${timeoutMs} ms waiting for the CLI to exit: ${describe()}`));
		}, timeoutMs);
		child.once('error', error => {
			clearTimeout(timer);
			reject(new Error(`could not start the CLI (${error.message}): ${describe()}`));
		});
		// 'close', not 'exit': the output streams are complete by then.
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			ended = true;
			changed();
			resolve({code, signal, stdout, stderr, elapsedMs: performance.now() - started});
		});
	});
	// A test that fails before awaiting `exited` must not leave an unhandled rejection behind.
	exited.catch(() => undefined);

	return {
		child,
		stdout: () => stdout,
		stderr: () => stderr,
		exited,
		async waitForOutput(stream, pattern, waitMs = 10_000) {
			return new Promise<RegExpMatchArray>((resolve, reject) => {
				const check = () => {
					const match = (stream === 'stdout' ? stdout : stderr).match(pattern);
					if (match) {
						finish();
						resolve(match);
					} else if (ended) {
						finish();
						reject(new Error(`the CLI exited before its ${stream} matched ${pattern}: ${describe()}`));
					}
				};

				const timer = setTimeout(() => {
					finish();
					reject(new Error(`timed out after ${waitMs} ms waiting for ${stream} to match ${pattern}: ${describe()}`));
				}, waitMs);
				const finish = () => {
					clearTimeout(timer);
					listeners.delete(check);
				};

				listeners.add(check);
				check();
			});
		},
	};
}

/** Runs `lanes ARGS` to the end (bounded by a timeout that fails with the output so far). */
export async function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
	return startCli(args, options).exited;
}

/** A temporary directory for one test file, removed after it. */
export function tempDir(prefix = 'lanes-cli-'): {dir: string; file(name: string): string; write(name: string, content: string | object): string; entries(): string[]} {
	const dir = mkdtempSync(path.join(tmpdir(), prefix));
	afterAll(() => {
		rmSync(dir, {recursive: true, force: true});
	});
	return {
		dir,
		file: name => path.join(dir, name),
		write(name, content) {
			const file = path.join(dir, name);
			writeFileSync(file, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
			return file;
		},
		entries: () => readdirSync(dir),
	};
}

/** A suite file's text from test objects, one JSON object a line. */
export function jsonl(tests: readonly object[]): string {
	return `${tests.map(test => JSON.stringify(test)).join('\n')}\n`;
}
