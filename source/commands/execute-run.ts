import type {Config} from '../config/schema.js';
import {Engine} from '../engine/engine.js';
import type {PendingItems} from '../engine/pending-items.js';
import type {LaneSpec, RunStatus} from '../engine/types.js';
import type {Store} from '../store/index.js';
import {runBudgets, withBudgets} from '../shared-budget/run-budgets.js';
import {isStorageFull, storageFullMessage} from '../store/storage-errors.js';
import {storedReport, type StoredReport} from '../summary/stored-report.js';
import {attach} from './attach-store.js';
import {watchOutput} from './closed-output.js';
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
	/** `redis`: the shared budgets' Redis (`--redis`), over the config's `shared.redis`. */
	flags: OutputFlags & {redis?: string};
};

/**
 * Runs the engine with the store as its record, a view (TUI or plain lines), signals wired to a graceful
 * stop; then records how it ended, shows the stored report and returns the exit code.
 */
export async function executeRun(session: RunSession): Promise<number> {
	const {store, runId} = session;
	const shared = await runBudgets(session.config, session.lanes, {
		redis: session.flags.redis, configPath: store.getRun(runId)?.configPath, simulatorUrl: session.connection.simulator?.url,
	}).catch(async (error: unknown) => {
		await session.connection.close();
		throw error;
	});
	const engine = new Engine({
		lanes: withBudgets(session.lanes, shared),
		items: session.items,
		request: session.config.request,
		retry: session.config.retry,
		sink: {recordResult: result => store.recordResult(runId, result)},
	});
	const detach = attach(engine, store, runId);
	const removeSignalHandlers = stopOnSignals(engine);
	// The reader of our output went away: stop as on SIGTERM (interrupted, resumable).
	const output = watchOutput(() => {
		engine.stop();
	});
	const view = await startView(engine, {runId, suitePath: session.suitePath, dbPath: session.dbPath, laneCount: session.lanes.length, flags: session.flags});
	const stopWatching = view.interactive ? undefined : stopWhenOnlyPausedLanesRemain(engine);

	let status: RunStatus | undefined;
	// A full disk stops the run as interrupted: every committed result is safe and a resume continues it.
	let diskFull = false;
	try {
		status = await engine.run();
	} catch (error) {
		if (!isStorageFull(error)) throw error;
		diskFull = true;
		status = 'interrupted';
	} finally {
		removeSignalHandlers();
		stopWatching?.();
		view.ended(status === undefined);
		await shared?.close();
		await session.connection.close();
	}

	const recordEnd = () => {
		detach();
		store.setRunStatus(runId, status!, Date.now());
		store.releaseLock(runId);
	};

	// With the disk full these writes fail too; the run then reads as interrupted (its process is gone).
	if (diskFull) ignoreStorageFull(recordEnd);
	else recordEnd();
	const commands = {
		report: commandLine(['report', runId, '--db', session.dbPath]),
		resume: status === 'completed' ? undefined : commandLine(['resume', runId, '--db', session.dbPath]),
	};
	await view.finish(summarize(session), commands, diskFull ? storageFullMessage(session.dbPath) : undefined);
	// Attempts still waiting to be written cannot be; closing here keeps the caller's close from failing on them.
	if (diskFull) ignoreStorageFull(() => store.close());
	if (output.closed()) output.tellTerminal(`lanes: run ${runId} stopped as interrupted: its output was closed (broken pipe); nothing recorded was lost\nresume: ${commands.resume}\n`);
	return exitCodeFor(status);
}

function ignoreStorageFull(action: () => void): void {
	try {
		action();
	} catch (error) {
		if (!isStorageFull(error)) throw error;
	}
}

/** The run as `lanes report` shows it: read back from the store, which now holds how it ended. */
function summarize(session: RunSession): StoredReport {
	const run = session.store.getRun(session.runId);
	if (!run) throw new Error(`run ${session.runId} vanished from ${session.dbPath}`);
	return storedReport(session.store, run);
}
