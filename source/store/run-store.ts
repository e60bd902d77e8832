import type Database from 'better-sqlite3';
import {InputError} from '../errors/input-error.js';
import type {PendingItems} from '../engine/pending-items.js';
import type {AttemptRecord, EngineEvent, ItemResult, TestCase} from '../engine/types.js';
import {DatabaseError, said, withPath, wrapError, type Doing} from './database-error.js';
import {HEARTBEAT_INTERVAL_MS, holderIsLive, lockHeldMessage, thisProcess} from './lock.js';
import {isCorruption} from './inspect-file.js';
import {registerLatencySketch} from './latency-sketch.js';
import {openDatabase} from './open-database.js';
import {readLatencyStats, readProviderStats, readRun} from './queries.js';
import {readModelStats} from './model-stats.js';
import {storedPendingItems} from './pending-items.js';
import {attemptValues, eventParams, type AttemptValues, laneParams, resultFromRow, resultValues, runListRow, testValues} from './rows.js';
import {itemKey} from './run-id.js';
import {isStorageFull} from './storage-errors.js';
import {configToJson} from './sanitize-config.js';
import {csvChunks} from './results-csv.js';
import {prepareStatements, type Statements} from './statements.js';
import type {CreateRunInput, LaneSettings, LatencyStats, ModelStats, ProviderStats, RunListRow, RunModel, RunRecord, StoreOptions, StoredRunStatus} from './types.js';
import {WriteBuffer} from './write-buffer.js';

const runStatuses = new Set<string>(['running', 'completed', 'interrupted', 'incomplete']);
/** Page cache of the integrity check, as for readers (negative: KiB). */
const checkCachePages = -2000;

/**
 * The run database: the only object in lanes that touches SQLite. Writes are synchronous; a result is
 * committed before `recordResult` returns, while attempts and events are batched (see WriteBuffer) and
 * written every 100 ms or 1000 rows, before reads of them, and on `setRunStatus`, `releaseLock`, `close`
 * and process exit.
 */
export class Store {
	/** The database file as given: every error message starts with it. */
	readonly path: string;
	readonly readonly: boolean;
	private readonly db: Database.Database;
	private readonly statements: Statements;
	private readonly buffer: WriteBuffer;
	/** Runs known to exist, so buffered rows are checked against a real run when they arrive, not at flush. */
	private readonly knownRuns = new Set<string>();
	private readonly heldLocks = new Set<string>();
	private heartbeatTimer: NodeJS.Timeout | undefined;
	private closed = false;

	/** Opens (or creates) the database; see `openStore`. */
	constructor(path: string, options: StoreOptions = {}) {
		this.path = path;
		this.readonly = options.readonly ?? false;
		this.db = openDatabase(path, {readonly: this.readonly});
		try {
			this.statements = withPath(path, 'preparing statements', () => {
				registerLatencySketch(this.db);
				return prepareStatements(this.db);
			});
		} catch (error) {
			this.db.close();
			throw error;
		}

		this.buffer = new WriteBuffer(this.db, this.statements, {maxRows: 1000, maxDelayMs: 100, clock: options.clock});
		if (!this.readonly) process.on('exit', this.onExit);
	}

	/**
	 * Records a new run (status `running`) with its lanes in display order and its tests: `tests` hands each
	 * one to `add` in suite order (a suite read streaming from disk); without it only `input.testIds` are
	 * stored, without texts. One transaction: a run exists with all its tests or not at all, and whatever
	 * `tests` throws rolls it back and is rethrown.
	 */
	createRun(input: CreateRunInput, tests?: (add: (test: TestCase) => void) => void): void {
		this.writable('creating a run');
		withPath(this.path, `creating run ${input.id}`, () => {
			this.db.transaction(() => {
				this.statements.insertRun.run({
					id: input.id,
					startedAt: Math.round(input.startedAt),
					configJson: configToJson(input.configJson),
					configPath: input.configPath,
					suitePath: input.suitePath,
					suiteHash: input.suiteHash,
					modelsJson: JSON.stringify(input.models.map(({name, provider, apiModel}) => ({name, provider, apiModel}))),
					testIdsJson: JSON.stringify(input.testIds),
					itemCount: input.models.length * input.testIds.length,
				});
				input.lanes.forEach((lane, position) => this.statements.saveLane.run(laneParams(input.id, lane, position)));
				if (tests) this.insertTests(input.id, tests);
				else input.testIds.forEach((id, position) => this.statements.insertTestId.run(input.id, position, id));
			})();
		});
		this.knownRuns.add(input.id);
	}

	/**
	 * Replaces the tests stored for a run (a resume that reads the suite again: texts of a run from before
	 * schema 3, or `--force` after the suite changed). One transaction, as in `createRun`.
	 */
	replaceTests(runId: string, tests: (add: (test: TestCase) => void) => void): void {
		const doing = `storing the tests of run ${runId}`;
		this.writable(doing);
		this.requireRun(runId, doing);
		withPath(this.path, doing, () => {
			this.db.transaction(() => {
				this.statements.deleteTests.run(runId);
				this.insertTests(runId, tests);
			})();
		});
	}

	/** True when every test of the run has its text stored (runs from before schema 3 have ids only). */
	hasTestTexts(runId: string): boolean {
		return withPath(this.path, `reading the tests of run ${runId}`, () => {
			const extent = this.statements.testExtent.get(runId)!;
			return extent.tests > 0 && extent.missing === 0;
		});
	}

	/**
	 * The run's pending items, read from the database in pages as lanes need them (see `storedPendingItems`),
	 * and its final results counted per model. With `retryErrors`, errored items are pending again.
	 */
	pendingItems(runId: string, options: {retryErrors: boolean}): PendingItems {
		return withPath(this.path, `reading the pending items of run ${runId}`, () => {
			const items = storedPendingItems(this.statements, runId, options);
			// Reads later, as the lanes go: their errors name the database as well.
			const doing = `reading pending items of run ${runId}`;
			return {
				...items,
				read: (models, from, to) => withPath(this.path, doing, () => items.read(models, from, to)),
				firstPending: (models, from) => withPath(this.path, doing, () => items.firstPending(models, from)),
			};
		});
	}

	/** Per model: results per status, tokens, p50 / p95 latency; computed by the database. */
	modelStats(runId: string): Map<string, ModelStats> {
		return withPath(this.path, `reading the model statistics of run ${runId}`, () => readModelStats(this.statements, runId));
	}

	/** The run's results as CSV lines (no header; see results-csv.ts), by model, then test id, in chunks that stream. */
	resultsCsv(runId: string): Iterable<Buffer> {
		const rows = withPath(this.path, `reading the results of run ${runId}`, () => this.statements.resultsCsv.iterate({runId}));
		return csvChunks(rows);
	}

	/**
	 * `PRAGMA quick_check`: reads every page, so it costs time on a large database; run where damage would
	 * do harm (before a resume writes) and on request. Returns the problems found (none: an empty list).
	 */
	checkIntegrity(): string[] {
		return withPath(this.path, 'checking the database', () => {
			// Every page passes through the page cache once: a small cache keeps the check from filling the
			// writer's 16 MB with pages the run will never read, which a resume would carry as RSS to its end.
			const cacheSize = this.db.pragma('cache_size', {simple: true}) as number;
			this.db.pragma(`cache_size = ${checkCachePages}`);
			try {
				return this.db
					.prepare<[], {quick_check: string}>('PRAGMA quick_check(5)')
					.all()
					.map(row => row.quick_check)
					.filter(message => message !== 'ok');
			} catch (error) {
				if (isCorruption(error)) return [(error as Error).message];
				throw error;
			} finally {
				this.db.pragma(`cache_size = ${cacheSize}`);
			}
		});
	}

	/** Throws an InputError naming the damage when `checkIntegrity` finds any. */
	requireIntact(): void {
		const problems = this.checkIntegrity();
		if (problems.length > 0) throw new InputError(`${this.path} is damaged (${problems.join('; ')}); restore it from a backup or use another --db`);
	}

	/** The run with its JSON fields parsed and its lanes, or undefined if there is none with this id. */
	getRun(id: string): RunRecord | undefined {
		return withPath(this.path, `reading run ${id}`, () => readRun(this.statements, id));
	}

	/** The most recently started run that did not complete (running, interrupted or incomplete). */
	latestUnfinishedRun(): RunRecord | undefined {
		return withPath(this.path, 'finding the latest unfinished run', () => {
			const latest = this.statements.latestUnfinishedRun.get();
			return latest && readRun(this.statements, latest.id);
		});
	}

	/**
	 * Every run, newest first, with how far it got. A run still marked running whose process is gone
	 * (killed, crashed) reads as interrupted: that is what it is, and `lanes resume` continues it.
	 */
	listRuns(): RunListRow[] {
		return withPath(this.path, 'listing runs', () => this.statements.listRuns.all().map(row => {
			const cached = row.status !== 'running' && row.done !== null && row.passed !== null && row.failed !== null && row.errored !== null;
			const counts = cached ? {done: row.done!, passed: row.passed!, failed: row.failed!, errored: row.errored!} : this.statements.runCounts.get({runId: row.id, models: row.models_json})!;
			const run = runListRow({...row, ...counts});
			if (run.status !== 'running') return run;
			const lock = this.statements.getLock.get(run.id);
			return lock && holderIsLive(lock, thisProcess, Date.now()) ? run : {...run, status: 'interrupted' as const};
		}));
	}

	/**
	 * Commits the final result of an item before returning.
	 * Returns false, writing nothing, when the item already has a passed or failed result: those are final.
	 * An errored result is replaced, which is how `--retry-errors` records its second chance.
	 */
	recordResult(runId: string, result: ItemResult): boolean {
		// Once a result: the message is only built if something fails.
		const doing = () => `recording the result of ${result.model} / ${result.testId} in run ${runId}`;
		this.writable(doing);
		this.requireRun(runId, doing);
		try {
			// One statement, so it commits on its own: no BEGIN/COMMIT round trip on the hottest write.
			return this.statements.recordResult.run(...resultValues(runId, result)).changes > 0;
		} catch (error) {
			throw wrapError(this.path, doing, error);
		}
	}

	/** Queues one request attempt for the next batch write. */
	recordAttempt(runId: string, attempt: AttemptRecord): void {
		const doing = () => `recording attempt ${attempt.attempt} of ${attempt.model} / ${attempt.testId} in run ${runId}`;
		this.writable(doing);
		this.requireRun(runId, doing);
		let row: AttemptValues;
		try {
			row = attemptValues(runId, attempt);
		} catch (error) {
			throw wrapError(this.path, doing, error);
		}

		try {
			this.buffer.addAttempt(row);
		} catch (error) {
			throw wrapError(this.path, 'writing attempts and events', error);
		}
	}

	/** Queues an operator action or controller decision (limit, operator, lane_stopped, batch, rate_limited, state); ignores other events. */
	recordEvent(runId: string, event: EngineEvent): void {
		const doing = `recording a ${event.type} event in run ${runId}`;
		const row = withPath(this.path, doing, () => eventParams(runId, event));
		if (!row) return;
		this.writable(doing);
		this.requireRun(runId, doing);
		withPath(this.path, 'writing attempts and events', () => this.buffer.addEvent(row));
	}

	/** Saves a lane's current settings (a lane not yet saved for this run is added after the others). */
	saveLaneSettings(runId: string, settings: LaneSettings): void {
		const doing = `saving the settings of lane ${settings.lane} in run ${runId}`;
		this.writable(doing);
		this.requireRun(runId, doing);
		withPath(this.path, doing, () => this.statements.saveLane.run(laneParams(runId, settings, null)));
	}

	/**
	 * Sets a run's status, writing waiting attempts and events first so a finished run's trail is complete.
	 * `endedAt` (epoch ms) is recorded when given; `running` (a resume) clears it.
	 */
	setRunStatus(runId: string, status: StoredRunStatus, endedAt?: number): void {
		const doing = `setting the status of run ${runId}`;
		this.writable(doing);
		if (!runStatuses.has(status)) throw new DatabaseError(this.path, `${doing}: "${status}" is not a run status`);
		withPath(this.path, doing, () => {
			this.buffer.flush();
			const endedAtMs = endedAt === undefined ? null : Math.round(endedAt);
			this.db.transaction(() => {
				if (this.statements.setRunStatus.run({id: runId, status, endedAt: endedAtMs}).changes === 0) {
					throw new DatabaseError(this.path, `${doing}: there is no such run`);
				}

				// A run that is no longer running keeps its counts on its row, so `lanes runs` never counts it again.
				const models = status === 'running' ? undefined : this.statements.getRun.get(runId)?.models_json;
				const counts = models === undefined ? undefined : this.statements.runCounts.get({runId, models});
				this.statements.cacheCounts.run({
					id: runId, done: counts?.done ?? null, passed: counts?.passed ?? null, failed: counts?.failed ?? null, errored: counts?.errored ?? null,
				});
			})();
		});
	}

	/**
	 * Narrows a run to the models and tests it still has (`resume --force` after the suite or the config
	 * lost some). Results of the dropped items stay in the database; the run's counts no longer include them.
	 */
	narrowRun(runId: string, scope: {models: RunModel[]; testIds: string[]}): void {
		const doing = `narrowing run ${runId}`;
		this.writable(doing);
		withPath(this.path, doing, () => this.db.transaction(() => {
			const testIds = JSON.stringify(scope.testIds);
			const changes = this.statements.narrowRun.run({
				id: runId, models: JSON.stringify(scope.models), testIds, itemCount: scope.models.length * scope.testIds.length,
			}).changes;
			if (changes === 0) throw new DatabaseError(this.path, `${doing}: there is no such run`);
			this.statements.narrowTests.run({id: runId, testIds});
		})());
	}

	/** The run's final results, in the order they were first recorded. */
	results(runId: string): ItemResult[] {
		return withPath(this.path, `reading the results of run ${runId}`, () => this.statements.results.all(runId).map(row => resultFromRow(row)));
	}

	/** `itemKey(model, testId)` of every item with a final result; errored items only with `includeErrored`. */
	finalKeys(runId: string, options: {includeErrored: boolean}): Set<string> {
		return withPath(this.path, `reading the finished items of run ${runId}`, () => {
			const rows = this.statements.finalKeys.all({runId, includeErrored: options.includeErrored ? 1 : 0});
			return new Set(rows.map(row => itemKey(row.model, row.test_id)));
		});
	}

	/** Requests, 429s and retries per provider in a run, from its attempts (waiting ones written first). */
	providerStats(runId: string): Map<string, ProviderStats> {
		return withPath(this.path, `reading the provider statistics of run ${runId}`, () => {
			try {
				if (!this.readonly) this.buffer.flush();
			} catch (error) {
				// With the disk full, the summary still counts the attempts already on disk.
				if (!isStorageFull(error)) throw error;
			}

			return readProviderStats(this.statements, runId);
		});
	}

	/** Count, mean and median latency of answered (passed or failed) results per model, over the 20 most recent runs. */
	latencyStats(models?: string[]): Map<string, LatencyStats> {
		return withPath(this.path, 'reading latencies', () => readLatencyStats(this.statements, models));
	}

	/**
	 * Takes the run's lock for this process. Throws an InputError if a live process holds it: on this host
	 * one that exists, on another host one whose heartbeat is fresh. A lock left by a dead process is taken
	 * over. While held, the heartbeat is renewed every 10 s on an unref'd timer.
	 */
	acquireLock(runId: string): void {
		const doing = `locking run ${runId}`;
		this.writable(doing);
		this.requireRun(runId, doing);
		withPath(this.path, doing, () => {
			this.db
				.transaction(() => {
					const now = Date.now();
					const lock = this.statements.getLock.get(runId);
					const ours = lock?.pid === thisProcess.pid && lock.hostname === thisProcess.hostname;
					if (lock && !ours && holderIsLive(lock, thisProcess, now)) throw new InputError(lockHeldMessage(this.path, lock));
					this.statements.takeLock.run({runId, ...thisProcess, now});
				})
				// IMMEDIATE: the write lock is taken before reading, so two processes cannot both see the run as free.
				.immediate();
		});
		this.heldLocks.add(runId);
		this.heartbeatTimer ??= setInterval(() => this.beatAll(), HEARTBEAT_INTERVAL_MS).unref();
	}

	/** Renews the heartbeat of a lock this process holds; throws if it does not hold it (any more). */
	heartbeat(runId: string): void {
		const doing = `renewing the lock of run ${runId}`;
		this.writable(doing);
		withPath(this.path, doing, () => {
			if (this.statements.heartbeat.run({runId, ...thisProcess, now: Date.now()}).changes > 0) return;
			const lock = this.statements.getLock.get(runId);
			const holder = lock ? `process ${lock.pid} on ${lock.hostname} has taken it over` : 'it is not locked';
			throw new DatabaseError(this.path, `${doing}: this process does not hold it (${holder})`);
		});
	}

	/** Writes waiting attempts and events, then gives the lock up (if this process holds it). */
	releaseLock(runId: string): void {
		const doing = `unlocking run ${runId}`;
		this.writable(doing);
		withPath(this.path, doing, () => {
			this.buffer.flush();
			this.statements.releaseLock.run({runId, ...thisProcess});
		});
		this.heldLocks.delete(runId);
		if (this.heldLocks.size === 0) this.stopHeartbeats();
	}

	private insertTests(runId: string, tests: (add: (test: TestCase) => void) => void): void {
		let position = 0;
		tests(test => {
			this.statements.insertTest.run(...testValues(runId, position++, test));
		});
	}

	/** Writes what waits, releases this store's locks and closes the database. Safe to call twice. */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		process.off('exit', this.onExit);
		let failure: unknown;
		try {
			this.finish();
		} catch (error) {
			failure = error;
		} finally {
			this.buffer.dispose();
			this.stopHeartbeats();
			this.db.close();
		}

		if (failure) throw wrapError(this.path, 'closing', failure);
	}

	/** Writes waiting rows and releases held locks: on close, and when the process exits without closing. */
	private finish(): void {
		if (this.readonly) return;
		this.buffer.flush();
		for (const runId of this.heldLocks) this.statements.releaseLock.run({runId, ...thisProcess});
		this.heldLocks.clear();
	}

	private readonly onExit = (): void => {
		try {
			this.finish();
		} catch {
			// Exiting anyway; an unreleased lock of a dead process is taken over by the next run.
		}
	};

	private beatAll(): void {
		for (const runId of this.heldLocks) {
			try {
				this.statements.heartbeat.run({runId, ...thisProcess, now: Date.now()});
			} catch {
				// A missed beat (database busy) is harmless: the next one is ten seconds away.
			}
		}
	}

	private stopHeartbeats(): void {
		if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
		this.heartbeatTimer = undefined;
	}

	private writable(doing: Doing): void {
		if (this.closed) throw new DatabaseError(this.path, `${said(doing)}: the store is closed`);
		if (this.readonly) throw new DatabaseError(this.path, `${said(doing)}: the database is open read-only`);
	}

	private requireRun(runId: string, doing: Doing): void {
		if (this.knownRuns.has(runId)) return;
		if (!withPath(this.path, doing, () => this.statements.runExists.get(runId))) {
			throw new DatabaseError(this.path, `${said(doing)}: there is no run ${runId}`);
		}

		this.knownRuns.add(runId);
	}
}

/**
 * Opens the lanes database at `path`, creating it (and its directories) if missing and migrating it to the
 * current schema. Throws an InputError, without changing the file, for a file that is not a lanes database,
 * one written by a newer lanes, or a damaged one. With `readonly`, nothing is created, migrated or written.
 */
export function openStore(path: string, options: StoreOptions = {}): Store {
	return new Store(path, options);
}
