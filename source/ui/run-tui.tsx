import {render} from 'ink';
import type {EngineControls, EngineView} from '../engine/types.js';
import type {RunSummary} from '../report/summary-types.js';
import {App, type Finished} from './App.js';
import {createSnapshotStore} from './snapshot-store.js';

export type TuiOptions = {
	runId: string;
	suitePath: string;
	dbPath: string;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	/** Frames per second at most. Default 10. */
	maxFps?: number;
};

export type Tui = {
	/** Call when the run has ended: shows the per-model result table and the report/resume commands, then unmounts. */
	finish(summary: RunSummary, commands: {report: string; resume?: string}): Promise<void>;
	unmount(): void;
};

/**
 * Shows the run live in the terminal. Needs a TTY on stdin for keys; without one it still draws,
 * but the caller should prefer the plain reporter.
 */
export function runTui(engine: EngineView & EngineControls, options: TuiOptions): Tui {
	const store = createSnapshotStore(engine);
	const info = {runId: options.runId, suitePath: options.suitePath, dbPath: options.dbPath};
	const tree = (finished?: Finished) => <App engine={engine} store={store} info={info} finished={finished}/>;
	const instance = render(tree(), {
		maxFps: options.maxFps ?? 10,
		exitOnCtrlC: false,
		patchConsole: false,
		stdout: options.stdout ?? process.stdout,
		stdin: options.stdin ?? process.stdin,
	});
	let closed = false;

	const unmount = () => {
		if (closed) return;
		closed = true;
		store.dispose();
		instance.unmount();
	};

	return {
		async finish(summary, commands) {
			if (closed) return;
			// Ask for the exit promise before unmounting: Ink settles it once the last frame is written.
			const exited = instance.waitUntilExit();
			instance.rerender(tree({summary, commands}));
			unmount();
			await exited;
		},
		unmount,
	};
}
