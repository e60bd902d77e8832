import process from 'node:process';
import type {Engine} from '../engine/engine.js';
import {startPlainReporter} from '../plain/plain-reporter.js';
import {reportTable} from '../summary/run-report.js';
import type {StoredReport} from '../summary/stored-report.js';
import {terminalWidth} from './terminal-width.js';

export type OutputFlags = {plain: boolean; json: boolean};

/** The commands printed when a run ends. */
export type FinishCommands = {report: string; resume?: string};

/** What a run is watched with: the TUI on a terminal, else plain lines on stderr. */
export type RunView = {
	/** True for the TUI: the operator has keys. */
	interactive: boolean;
	/** The engine returned or threw: progress stops; a failed run gets the terminal back before its error is printed. */
	ended(failed: boolean): void;
	/** How the run ended: the TUI's end screen, or the report (JSON with --json) on stdout and what to run next on stderr. */
	finish(report: StoredReport, commands: FinishCommands, why?: string): Promise<void>;
};

export type ViewInfo = {runId: string; suitePath: string; dbPath: string; laneCount: number; flags: OutputFlags};

/** The TUI when both ends are a terminal and neither --plain nor --json was given; plain lines otherwise. */
export async function startView(engine: Engine, info: ViewInfo): Promise<RunView> {
	const {flags} = info;
	const useTui = !flags.plain && !flags.json && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY);
	if (useTui) {
		// React and Ink are loaded only for the terminal UI: plain and JSON runs start faster without them.
		const tui = (await import('../ui/run-tui.js')).runTui(engine, {runId: info.runId, suitePath: info.suitePath, dbPath: info.dbPath});
		return {
			interactive: true,
			ended(failed) {
				if (failed) tui.unmount();
			},
			async finish(report, commands, why) {
				await tui.finish(report, commands);
				if (why) process.stderr.write(`lanes: ${why}\n`);
			},
		};
	}

	const plain = startPlainReporter(engine, {write: line => process.stderr.write(`${line}\n`)});
	process.stderr.write(`lanes: run ${info.runId}: ${engine.snapshot().totals.items} items on ${info.laneCount} ${info.laneCount === 1 ? 'lane' : 'lanes'}; results in ${info.dbPath}\n`);
	return {
		interactive: false,
		ended() {
			plain.stop();
		},
		async finish(report, commands, why) {
			printOutcome(report, commands, flags, why);
		},
	};
}

/** Without the TUI: the JSON summary or the report's tables on stdout, how it ended and what to run next on stderr. */
function printOutcome(report: StoredReport, commands: FinishCommands, flags: OutputFlags, why?: string): void {
	const {summary} = report;
	process.stdout.write(`${flags.json ? JSON.stringify(summary) : reportTable(report, {width: terminalWidth()})}\n`);
	if (why) process.stderr.write(`lanes: ${why}\n`);
	const t = summary.totals;
	process.stderr.write(`lanes: run ${summary.runId} ${summary.status}: ${t.passed} passed, ${t.failed} failed, ${t.errored} errored, ${t.pending} pending\n`);
	process.stderr.write(`report: ${commands.report}\n`);
	if (commands.resume) process.stderr.write(`resume: ${commands.resume}\n`);
}
