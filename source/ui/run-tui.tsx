import {render} from 'ink';
import type {EngineControls, EngineView} from '../engine/types.js';
import {reportTable, type ReportInput} from '../summary/run-report.js';
import {App} from './App.js';
import {createSnapshotStore} from './snapshot-store.js';

const enterAltScreen = '\u001B[?1049h\u001B[H';
const leaveAltScreen = '\u001B[?1049l';
const clearScreen = '\u001B[2J\u001B[H';
/** Longer than a frame at the frame rate Ink is given, so no redraw for the old size comes after. */
const resizeSettleMs = 300;

export type TuiOptions = {
	runId: string;
	suitePath: string;
	dbPath: string;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	/** Frames per second at most. Default 3, just above the snapshot store's publishes. */
	maxFps?: number;
};

export type Tui = {
	/** Call when the run has ended: unmounts, then prints the report table (as `lanes report` does) and the report/resume commands. */
	finish(report: ReportInput, commands: {report: string; resume?: string}): Promise<void>;
	unmount(): void;
};

/**
 * Shows the run live in the terminal. Needs a TTY on stdin for keys; without one it still draws,
 * but the caller should prefer the plain reporter.
 */
export function runTui(engine: EngineView & EngineControls, options: TuiOptions): Tui {
	const store = createSnapshotStore(engine);
	const info = {runId: options.runId, suitePath: options.suitePath, dbPath: options.dbPath};
	const stdout = options.stdout ?? process.stdout;
	// The live view gets the terminal's alternate screen, as full-screen programs do: the user's scrollback
	// is left alone, and the result table, printed on the normal screen at the end, stays after lanes exits.
	stdout.write(enterAltScreen);
	let inAltScreen = true;
	const restoreScreen = () => {
		if (!inAltScreen) return;
		inAltScreen = false;
		stdout.write(leaveAltScreen);
	};

	process.once('exit', restoreScreen);
	const app = <App engine={engine} store={store} info={info}/>;
	const instance = render(app, {
		maxFps: options.maxFps ?? 3,
		exitOnCtrlC: false,
		patchConsole: false,
		stdout,
		stdin: options.stdin ?? process.stdin,
	});
	// A terminal that reflows on resize leaves frames drawn for the old width on more rows than Ink knows to
	// erase. Once the resize has settled (Ink's own redraws for it included), wipe the screen and draw the
	// whole frame again from the top.
	let resizeTimer: NodeJS.Timeout | undefined;
	const onResize = () => {
		clearTimeout(resizeTimer);
		resizeTimer = setTimeout(() => {
			stdout.write(clearScreen);
			instance.clear();
			instance.rerender(app);
		}, resizeSettleMs);
	};

	stdout.on('resize', onResize);
	let closed = false;

	const unmount = () => {
		if (closed) return;
		closed = true;
		stdout.off('resize', onResize);
		clearTimeout(resizeTimer);
		store.dispose();
		instance.unmount();
		restoreScreen();
		process.off('exit', restoreScreen);
	};

	return {
		async finish(report, commands) {
			if (closed) return;
			const exited = instance.waitUntilExit();
			unmount();
			await exited;
			// The commands are never cut: the terminal soft-wraps them, so they copy and paste whole.
			const commandLines = [`report: ${commands.report}`, ...(commands.resume ? [`resume: ${commands.resume}`] : [])];
			stdout.write(`${reportTable(report, {width: stdout.columns || 80})}\n\n${commandLines.join('\n')}\n`);
		},
		unmount,
	};
}
