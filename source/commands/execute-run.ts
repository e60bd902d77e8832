import type {Config} from '../config/schema.js';
import {Engine} from '../engine/engine.js';
import type {PendingItems} from '../engine/pending-items.js';
import type {LaneSpec, RunStatus} from '../engine/types.js';
import type {Store} from '../store/index.js';
import {storedReport, type StoredReport} from '../summary/stored-report.js';
import {attach} from './attach-store.js';
import type {Connection} from './connect.js';
import {exitCodeFor} from './exit-codes.js';
import {commandLine} from './invocation.js';
import {stopWhenOnlyPausedLanesRemain} from './paused-lanes-watchdog.js';
import {startView, type OutputFlags} from './run-view.js';
import {stopOnSignals} from './stop-on-signals.js';

export type {OutputFlags} from './run-view.js';

/** Everything a run (new or resumed) needs once its inputs are checked and its store row exists. */
export type RunSession = {
	store: Store;
	dbPath: string;
	runId: string;
	config: Config;
	suitePath: string;
	/** The run's pending items and final results, read from the store in pages. */
	items: PendingItems;
	lanes: LaneSpec[];
	connection: Connection;
	flags: OutputFlags;
};

/**
 * Runs the engine with the store as its record, a view (TUI or plain lines), signals wired to a graceful
 * stop; then records how it ended, shows the stored report and returns the exit code.
 */
export async function executeRun(session: RunSession): Promise<number> {
	const {store, runId} = session;
	const engine = new Engine({
		lanes: session.lanes,
		items: session.items,
		request: session.config.request,
		retry: session.config.retry,
		sink: {recordResult: result => store.recordResult(runId, result)},
	});
	const detach = attach(engine, store, runId);
	const removeSignalHandlers = stopOnSignals(engine);
	const view = await startView(engine, {runId, suitePath: session.suitePath, dbPath: session.dbPath, laneCount: session.lanes.length, flags: session.flags});
	const stopWatching = view.interactive ? undefined : stopWhenOnlyPausedLanesRemain(engine);

	let status: RunStatus | undefined;
	try {
		status = await engine.run();
	} finally {
		removeSignalHandlers();
		stopWatching?.();
		view.ended(status === undefined);
		await session.connection.close();
	}

	detach();
	store.setRunStatus(runId, status, Date.now());
	store.releaseLock(runId);
	const commands = {
		report: commandLine(['report', runId, '--db', session.dbPath]),
		resume: status === 'completed' ? undefined : commandLine(['resume', runId, '--db', session.dbPath]),
	};
	await view.finish(summarize(session), commands);
	return exitCodeFor(status);
}

/** The run as `lanes report` shows it: read back from the store, which now holds how it ended. */
function summarize(session: RunSession): StoredReport {
	const run = session.store.getRun(session.runId);
	if (!run) throw new Error(`run ${session.runId} vanished from ${session.dbPath}`);
	return storedReport(session.store, run);
}
