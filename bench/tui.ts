import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {cpuMethod, runInPty, type ChildRun} from './child-cpu.js';
import {fixed, percent, round, table, type SectionResult, type Target} from './format.js';
import {median} from './scenario.js';

const reps = 3;
/** The demo 20x faster: a run of a few seconds. */
const timeScale = 0.05;
/** Tests of data/demo.jsonl used: the first half keeps each run to a few seconds. */
const suiteTests = 24;
const cols = 100;
const rows = 30;

/**
 * The demo config (config/default.json) fast-forwarded: the simulator's timeScale, and the engine-side
 * times the simulator does not scale (qps caps, rests between batches, retry delays) scaled alike.
 */
function fastDemoConfig(): unknown {
	const config = JSON.parse(readFileSync('config/default.json', 'utf8')) as {providers: Record<string, {qps?: number; batch?: {size: number; pauseSeconds?: number}}>};
	for (const provider of Object.values(config.providers)) {
		if (provider.qps !== undefined) provider.qps /= timeScale;
		if (provider.batch) provider.batch.pauseSeconds = (provider.batch.pauseSeconds ?? 30) * timeScale;
	}

	return {
		...config,
		retry: {maxAttempts: 8, baseDelayMs: 1000 * timeScale, maxDelayMs: 60_000 * timeScale},
		simulator: {timeScale, port: 0},
	};
}

type Mode = 'tui' | 'plain';

/** Inside the project, so the compiled files find its node_modules. */
const builtDir = path.resolve('.bench/dist');

/** Section 4: CPU of the same simulated run in a real pseudo-terminal, with the TUI and with --plain. */
export async function benchTui(): Promise<SectionResult> {
	const directory = mkdtempSync(path.join(os.tmpdir(), 'lanes-bench-tui-'));
	const configPath = path.join(directory, 'demo-fast.json');
	writeFileSync(configPath, JSON.stringify(fastDemoConfig(), null, '\t'));
	const suitePath = path.join(directory, 'demo-half.jsonl');
	const suiteLines = readFileSync('data/demo.jsonl', 'utf8').split('\n').filter(line => line.trim() !== '').slice(0, suiteTests);
	writeFileSync(suitePath, `${suiteLines.join('\n')}\n`);
	const timeFile = path.join(directory, 'time.txt');
	// The compiled CLI, as the installed `lanes` runs: through tsx, compiling the sources at every start would
	// cost more CPU than the whole run and hide what the TUI itself costs.
	execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--outDir', builtDir], {stdio: 'inherit'});
	const cli = [path.join(builtDir, 'cli.js')];
	const runs: Record<Mode, ChildRun[]> = {tui: [], plain: []};
	const startup: ChildRun[] = [];
	try {
		for (let rep = 0; rep < reps; rep++) {
			// Alternate which goes first so drift in the machine's load hits both alike.
			for (const mode of rep % 2 === 0 ? ['tui', 'plain'] as const : ['plain', 'tui'] as const) {
				const db = path.join(directory, `run-${mode}-${rep}.db`);
				const run = await runInPty([...cli, 'run', '--config', configPath, '--suite', suitePath, '--db', db, ...(mode === 'plain' ? ['--plain'] : [])], {cwd: process.cwd(), timeFile, cols, rows});
				checkRun(mode, run);
				runs[mode].push(run);
			}
		}

		// What any command costs before it does anything: Node and loading the modules.
		for (let rep = 0; rep < 2; rep++) startup.push(await runInPty([...cli, '--help'], {cwd: process.cwd(), timeFile, cols, rows}));
	} finally {
		rmSync(directory, {recursive: true, force: true});
	}

	const cpu = (run: ChildRun) => run.userMs + run.systemMs;
	const med = (mode: Mode, pick: (run: ChildRun) => number) => median(runs[mode].map(pick));
	const tuiCpu = med('tui', cpu);
	const plainCpu = med('plain', cpu);
	const startCpu = median(startup.map(cpu));
	const tuiWall = med('tui', run => run.wallMs);
	const plainWall = med('plain', run => run.wallMs);
	// From the first byte on screen to the exit: the run without the startup.
	const runWall = (mode: Mode) => med(mode, run => run.wallMs - run.firstOutputMs);
	const whole = (tuiCpu - plainCpu) / plainCpu;
	const ofRun = (tuiCpu - plainCpu) / Math.max(1, plainCpu - startCpu);
	// The TUI's extra CPU spread over how long it ran: its cost as a share of one core.
	const coreShare = (tuiCpu - plainCpu) / runWall('tui');
	// Steady state: CPU per second of wall time once both are up and running (from 1.5 s after the first
	// output to the last sample), where a run of hours spends its time; startup (loading React, Ink and
	// yoga's WebAssembly) is paid once.
	const steadyRate = (run: ChildRun) => {
		const window = run.samples.filter(sample => sample.atMs >= run.firstOutputMs + 1500);
		const first = window[0];
		const last = window.at(-1);
		return first && last && last.atMs > first.atMs ? (last.cpuMs - first.cpuMs) / (last.atMs - first.atMs) : Number.NaN;
	};

	const tuiRate = med('tui', steadyRate);
	const plainRate = med('plain', steadyRate);
	const steadyExtra = (tuiRate - plainRate) / plainRate;
	const lines = [
		`The demo (config/default.json: 3 simulated providers; the first ${suiteLines.length} tests of data/demo.jsonl) at timeScale ${timeScale}, with qps caps, batch rests and retry delays scaled alike;`,
		`\`node ${path.join(builtDir, 'cli.js')} run\` (compiled with tsc) in a ${cols}x${rows} pseudo-terminal (node-pty, no CI variable), ${reps} runs each, alternating; CPU by ${cpuMethod}.`,
		'',
		...table(
			['mode', 'CPU (user+sys), median', 'runs', 'wall, median', 'of it after the first output', 'terminal output'],
			(['tui', 'plain'] as const).map(mode => [
				mode === 'tui' ? 'TUI (Ink)' : '--plain',
				`${fixed(med(mode, cpu) / 1000, 2)} s`,
				runs[mode].map(run => fixed(cpu(run) / 1000, 2)).join(' / '),
				`${fixed(med(mode, run => run.wallMs) / 1000, 1)} s`,
				`${fixed(runWall(mode) / 1000, 1)} s`,
				`${fixed(med(mode, run => run.outputBytes) / 1024, 0)} KiB`,
			]),
		),
		`Startup alone (\`cli.js --help\`: Node + module loading): ${fixed(startCpu / 1000, 2)} s CPU.`,
		'',
		`TUI extra CPU: ${percent(whole)} of the whole plain process; ${percent(ofRun)} of the plain run without startup (${fixed((plainCpu - startCpu) / 1000, 2)} s).`,
		`Steady state (from 1.5 s after the first output to the end): TUI ${percent(tuiRate)} of a core, --plain ${percent(plainRate)}: the TUI adds ${percent(steadyExtra)}.`,
		`In absolute terms the TUI costs ${percent(coreShare)} of one core while the run is on screen (${fixed((tuiCpu - plainCpu) / (runWall('tui') / 1000), 0)} ms CPU per s). At timeScale 1 a run does ${fixed(1 / timeScale, 0)}x fewer requests per second but redraws as often,`,
		'so in a real run the TUI\'s share relative to the (much smaller) engine work is larger than the ratio above.',
	];
	const targets: Target[] = [
		{name: 'TUI under 10% more CPU than --plain (steady state, while the run is on screen)', met: steadyExtra < 0.1, detail: `${percent(steadyExtra)} (run part after startup: ${percent(ofRun)}; whole process: ${percent(whole)})`},
	];
	return {
		title: '4. TUI cost (issue 4)',
		lines,
		targets,
		json: {
			reps, timeScale, cols, rows, cpuMethod,
			tuiCpuSeconds: round(tuiCpu / 1000), plainCpuSeconds: round(plainCpu / 1000), startupCpuSeconds: round(startCpu / 1000),
			tuiWallSeconds: round(tuiWall / 1000), plainWallSeconds: round(plainWall / 1000),
			tuiRunWallSeconds: round(runWall('tui') / 1000), plainRunWallSeconds: round(runWall('plain') / 1000),
			tuiRuns: runs.tui.map(run => round(cpu(run) / 1000)), plainRuns: runs.plain.map(run => round(cpu(run) / 1000)),
			extraShareWhole: round(whole, 4), extraShareOfRun: round(ofRun, 4), tuiCoreShare: round(coreShare, 4),
			steadyTuiCoreShare: round(tuiRate, 4), steadyPlainCoreShare: round(plainRate, 4), steadyExtraShare: round(steadyExtra, 4),
		},
	};
}

/** A run must have completed and shown what it was asked to: the TUI, or plain lines. */
function checkRun(mode: Mode, run: ChildRun): void {
	// The plain reporter starts with "lanes: run ID: N items on K lanes"; the TUI never prints it.
	const plainHeader = run.head.includes(' items on ');
	if (run.exitCode !== 0) throw new Error(`${mode} run exited with ${run.exitCode}: ${run.tail.slice(-600)}`);
	if (mode === 'plain' && !plainHeader) throw new Error(`--plain run printed no status lines: ${run.head.slice(0, 600)}`);
	if (mode === 'tui' && plainHeader) throw new Error(`TUI run fell back to plain output: ${run.head.slice(0, 600)}`);
}
