import process from 'node:process';
import type {Config} from '../config/schema.js';
import {Engine} from '../engine/engine.js';
import type {EngineEvent, ItemResult, LaneSnapshot, LaneSpec, RunStatus, TestCase} from '../engine/types.js';
import {buildSummary} from '../report/build-summary.js';
import {reportTable} from '../report/run-report.js';
import {startPlainReporter} from '../report/plain-reporter.js';
import type {Store} from '../store/index.js';
import type {LaneSettings} from '../store/types.js';
import {isStorageFull, storageFullMessage} from '../store/storage-errors.js';
import type {Connection} from './connect.js';
import {watchOutput} from './closed-output.js';
import {exitCodeFor} from './exit-codes.js';
import type {StoredReport} from './stored-summary.js';
import {commandLine} from './invocation.js';

export type OutputFlags = {plain: boolean; json: boolean};

/** Everything a run (new or resumed) needs once its inputs are checked and its store row exists. */
export type RunSession = {
	store: Store;
	dbPath: string;
	runId: string;
	config: Config;
	suitePath: string;
	tests: TestCase[];
	lanes: LaneSpec[];
	prior: ItemResult[];
	connection: Connection;
	flags: OutputFlags;
};

/**
 * Runs the engine with the store as its sink, a view (TUI or plain lines), signals wired to a graceful
 * stop; then records how it ended, prints the summary and returns the exit code.
 */
export async function executeRun(session: RunSession): Promise<number> {
	const {store, runId, flags} = session;
	const startedAt = performance.now();
	const engine = new Engine({
		lanes: session.lanes,
		tests: session.tests,
		prior: session.prior,
		request: session.config.request,
		retry: session.config.retry,
		sink: {recordResult: result => store.recordResult(runId, result)},
	});
	const saveLane = (lane: string) => {
		const snapshot = engine.snapshot().lanes.find(l => l.name === lane);
		if (snapshot) store.saveLaneSettings(runId, laneSettings(snapshot));
	};

	engine.subscribe((event: EngineEvent) => {
		if (event.type === 'attempt') {
			store.recordAttempt(runId, event.attempt);
			return;
		}

		if (event.type === 'result') return;
		store.recordEvent(runId, event);
		if (event.type === 'limit') saveLane(event.lane);
		if (event.type === 'operator' && 'lane' in event.operator) saveLane(event.operator.lane);
	});

	const onSignal = () => {
		engine.stop();
	};

	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	// The reader of our output went away: stop as on SIGTERM (interrupted, resumable).
	const output = watchOutput(onSignal);
	const useTui = !flags.plain && !flags.json && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY);
	// React and Ink are loaded only for the terminal UI: plain and JSON runs start faster without them.
	const tui = useTui ? (await import('../ui/run-tui.js')).runTui(engine, {runId, suitePath: session.suitePath, dbPath: session.dbPath}) : undefined;
	const plain = useTui ? undefined : startPlainReporter(engine, {write: line => process.stderr.write(`${line}\n`)});
	if (!useTui) {
		process.stderr.write(`lanes: run ${runId}: ${engine.snapshot().totals.items} items on ${session.lanes.length} ${session.lanes.length === 1 ? 'lane' : 'lanes'}; results in ${session.dbPath}\n`);
		stopWhenOnlyPausedLanesRemain(engine);
	}

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
		process.off('SIGINT', onSignal);
		process.off('SIGTERM', onSignal);
		plain?.stop();
		// A run that failed gives the terminal back before its error is printed.
		if (status === undefined) tui?.unmount();
		await session.connection.close();
	}

	const recordEnd = () => {
		for (const lane of engine.snapshot().lanes) store.saveLaneSettings(runId, laneSettings(lane));
		store.setRunStatus(runId, status!, Date.now());
		store.releaseLock(runId);
	};

	// With the disk full these writes fail too; the run then reads as interrupted (its process is gone).
	if (diskFull) ignoreStorageFull(recordEnd);
	else recordEnd();
	const {summary, results, stats} = summarize(session, status, performance.now() - startedAt, engine);
	const commands = {
		report: commandLine(['report', runId, '--db', session.dbPath]),
		resume: status === 'completed' ? undefined : commandLine(['resume', runId, '--db', session.dbPath]),
	};
	if (tui) await tui.finish(summary, commands);
	if (!tui) printOutcome({summary, results, stats}, commands, flags, diskFull ? storageFullMessage(session.dbPath) : undefined);
	if (tui && diskFull) process.stderr.write(`lanes: ${storageFullMessage(session.dbPath)}\n`);
	// Attempts still waiting to be written cannot be; closing here keeps the caller's close from failing on them.
	if (diskFull) ignoreStorageFull(() => store.close());
	if (output.closed()) output.tellTerminal(`lanes: run ${runId} stopped as interrupted: its output was closed (broken pipe); nothing recorded was lost\nresume: ${commands.resume}\n`);
	return exitCodeFor(status);
}

function summarize(session: RunSession, status: RunStatus, elapsedMs: number, engine: Engine): StoredReport {
	const lanes = engine.snapshot().lanes;
	// Read once: the summary, the plain report and nothing else need them.
	const results = session.store.results(session.runId);
	const stats = session.store.providerStats(session.runId);
	const summary = buildSummary({
		runId: session.runId,
		status,
		elapsedMs,
		providers: session.lanes.map(lane => ({
			name: lane.name,
			models: lane.models.map(model => model.name),
			concurrency: lanes.find(l => l.name === lane.name)?.concurrency ?? lane.concurrency,
		})),
		testIds: session.tests.map(test => test.id),
		results,
		requestStats: stats,
	});
	return {summary, results, stats};
}

/** Without the TUI: the JSON summary or the report's tables on stdout, how it ended and what to run next on stderr. */
function printOutcome({summary, results, stats}: StoredReport, commands: {report: string; resume?: string}, flags: OutputFlags, why?: string): void {
	process.stdout.write(`${flags.json ? JSON.stringify(summary) : reportTable(summary, results, stats)}\n`);
	if (why) process.stderr.write(`lanes: ${why}\n`);
	const t = summary.totals;
	process.stderr.write(`lanes: run ${summary.runId} ${summary.status}: ${t.passed} passed, ${t.failed} failed, ${t.errored} errored, ${t.pending} pending\n`);
	process.stderr.write(`report: ${commands.report}\n`);
	if (commands.resume) process.stderr.write(`resume: ${commands.resume}\n`);
}

function ignoreStorageFull(action: () => void): void {
	try {
		action();
	} catch (error) {
		if (!isStorageFull(error)) throw error;
	}
}

/** What a resume starts the lane from: as the operator or the controller left it. */
function laneSettings(lane: LaneSnapshot): LaneSettings {
	return {
		lane: lane.name,
		concurrency: lane.concurrency,
		minConcurrency: lane.minConcurrency,
		maxConcurrency: lane.maxConcurrency,
		adaptive: lane.adaptive,
		paused: lane.paused,
		qps: lane.qpsCap,
	};
}

/**
 * Without a terminal there are no keys to resume a lane the operator paused (and a resumed run keeps it
 * paused): once nothing else is left to do, stop so the run ends as interrupted instead of waiting forever.
 */
function stopWhenOnlyPausedLanesRemain(engine: Engine): void {
	const paused = engine.snapshot().lanes.filter(lane => lane.paused).map(lane => lane.name);
	if (paused.length === 0) return;
	process.stderr.write(`lanes: ${paused.join(', ')} paused, as the operator left it; without a terminal it stays paused (resume on a terminal and press p)\n`);
	const check = () => {
		const lanes = engine.snapshot().lanes;
		const idle = lanes.every(lane => lane.state === 'done' || lane.state === 'stopped' || (lane.paused && lane.inFlight === 0));
		if (idle) {
			unsubscribe();
			engine.stop();
		}
	};

	const unsubscribe = engine.subscribe(event => {
		if (event.type === 'state') check();
	});
	queueMicrotask(check);
}
