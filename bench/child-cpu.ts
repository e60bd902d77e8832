import {execFileSync} from 'node:child_process';
import {existsSync, readFileSync, rmSync} from 'node:fs';
import {spawn} from 'node-pty';

const gnuTime = '/usr/bin/time';

/** How a child's CPU time is measured: GNU time when the machine has it, else polling /proc. */
export const cpuMethod = existsSync(gnuTime) ? 'GNU time (/usr/bin/time)' : '/proc/<pid>/stat polled every 50 ms (last value before exit)';

export type ChildRun = {
	exitCode: number;
	userMs: number;
	systemMs: number;
	wallMs: number;
	/** Ms from the spawn to the first byte written: about the startup time. */
	firstOutputMs: number;
	/** Bytes the child wrote to the terminal. */
	outputBytes: number;
	/** The start and the end of what it wrote, for checks and error messages. */
	head: string;
	tail: string;
	/** CPU (user + system, ms) of the node process read from /proc every 100 ms, with the ms since spawn. */
	samples: Array<{atMs: number; cpuMs: number}>;
};

/** The environment without any CI variable: with one set, Ink prints only the last frame. */
export function childEnv(): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (value === undefined || key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) continue;
		env[key] = value;
	}

	env.TERM = 'xterm-256color';
	return env;
}

/** Runs `node ...args` in a pseudo-terminal of cols x rows and measures its CPU time. */
export async function runInPty(args: string[], options: {cwd: string; timeFile: string; cols?: number; rows?: number; timeoutMs?: number}): Promise<ChildRun> {
	const useTime = existsSync(gnuTime);
	const command = useTime ? gnuTime : process.execPath;
	const argv = useTime ? ['-o', options.timeFile, '-f', '%U %S', process.execPath, ...args] : args;
	const start = performance.now();
	const child = spawn(command, argv, {name: 'xterm-256color', cols: options.cols ?? 100, rows: options.rows ?? 30, cwd: options.cwd, env: childEnv()});
	let outputBytes = 0;
	let head = '';
	let tail = '';
	let firstOutputMs = Number.NaN;
	child.onData(data => {
		if (Number.isNaN(firstOutputMs)) firstOutputMs = performance.now() - start;
		outputBytes += Buffer.byteLength(data);
		if (head.length < 4000) head += data;
		tail = (tail + data).slice(-4000);
	});
	let polled = {userMs: 0, systemMs: 0};
	const samples: ChildRun['samples'] = [];
	const ticks = clockTicks();
	// Under GNU time the pty's process is time itself; node is its only child.
	const nodePid = () => useTime ? childPid(child.pid) : child.pid;
	const poll = setInterval(() => {
		const pid = nodePid();
		const now = pid === undefined ? undefined : procCpu(pid, ticks);
		if (!now) return;
		polled = now;
		samples.push({atMs: performance.now() - start, cpuMs: now.userMs + now.systemMs});
	}, 100);
	const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
	const exitCode = await new Promise<number>(resolve => {
		child.onExit(({exitCode: code}) => resolve(code));
	});
	clearTimeout(killer);
	clearInterval(poll);
	const wallMs = performance.now() - start;
	if (!useTime) return {exitCode, ...polled, wallMs, firstOutputMs, outputBytes, head, tail, samples};
	const [user, system] = readFileSync(options.timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
	rmSync(options.timeFile, {force: true});
	return {exitCode, userMs: user! * 1000, systemMs: system! * 1000, wallMs, firstOutputMs, outputBytes, head, tail, samples};
}

function childPid(pid: number): number | undefined {
	try {
		const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
		return children === '' ? undefined : Number(children.split(' ')[0]);
	} catch {
		return undefined;
	}
}

function clockTicks(): number {
	try {
		return Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;
	} catch {
		return 100;
	}
}

/** utime and stime of a live process, from /proc (fields 14 and 15, counted after the command name). */
function procCpu(pid: number, ticks: number): {userMs: number; systemMs: number} | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return {userMs: (Number(fields[11]) / ticks) * 1000, systemMs: (Number(fields[12]) / ticks) * 1000};
	} catch {
		return undefined;
	}
}
