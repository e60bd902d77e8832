import {afterAll, beforeAll, describe, expect, test} from 'vitest';
import {runCli, startCli, type CliProcess, type CliResult} from '../helpers/cli.js';
import {
	allItems, itemKey, onlyRunId, passesByModel, resultCount, resultRows, startWorld,
	type ResultRow, type World, type WorldProvider,
} from '../helpers/resume-harness.js';
import {waitUntil} from '../helpers/wait.js';

// Two lanes against the in-process simulator: `fast` (OpenAI dialect, three models, every answer after
// exactly 40 ms, so answers come in bursts as wide as the lane's concurrency) and `az` (Azure dialect, one
// model, about 40 ms with spread). 40 tests a model: 160 items.
const providers: Record<string, WorldProvider> = {
	fast: {
		dialect: 'openai',
		models: {'fast-a': 'fast-a', 'fast-b': 'fast-b', 'fast-c': 'fast-c'},
		simulate: {latencyMs: 4000, latencySigma: 0, accuracy: {'fast-a': 0.9, 'fast-b': 0.6, 'fast-c': 0.35}},
		lane: {concurrency: 4, maxConcurrency: 8},
	},
	az: {
		dialect: 'azure',
		models: {'az-one': 'dep-one'},
		simulate: {latencyMs: 4000, accuracy: {'az-one': 0.7}},
		lane: {concurrency: 3, maxConcurrency: 6},
	},
};

type KillPoint = {label: string; results: number; burst?: boolean};

/** Where each process is killed: by how many results are committed, or at the next burst of answers after that. */
const killPoints: KillPoint[] = [
	{label: 'after the first result', results: 1},
	{label: 'at 15%', results: 24},
	{label: 'in the middle of a burst of answers, past 40%', results: 64, burst: true},
	{label: 'at 70%', results: 112},
	{label: 'at 95%', results: 152},
];

/** One process of the chain: the items committed before it started, and when it started (simulator ms). */
type Segment = {label: string; startedAt: number; committedBefore: Set<string>};

let world: World;
let reference: World;
/** What the chained runs left, for the report checks. */
let chain: {db: string; runId: string; summary: any} | undefined;
let uninterrupted: {summary: any} | undefined;

beforeAll(async () => {
	world = await startWorld({providers});
	// The uninterrupted run gets a simulator of its own, so its requests stay out of the chain's log.
	reference = await startWorld({providers});
});
afterAll(async () => {
	await world?.close();
	await reference?.close();
});

const json = (exit: CliResult) => JSON.parse(exit.stdout.trim().split('\n').at(-1)!);

describe.sequential('kill -9 at five points, resuming after each', () => {
	test('every item has exactly one result, the pass counts are those of an uninterrupted run, and no committed item is sent again', async () => {
		const db = world.folder.file('runs.db');
		const referenceDb = reference.folder.file('runs.db');
		const referenceRun = runCli(['run', '--config', reference.configPath, '--suite', reference.suitePath, '--db', referenceDb, '--plain', '--json'], reference.cli);

		const segments: Segment[] = [];
		let runId: string | undefined;
		const keysNow = () => new Set(runId ? resultRows(db, runId).map(row => itemKey(row.model, row.test_id)) : []);
		const argsNow = () => runId
			? ['resume', runId, '--db', db, '--plain', '--json']
			: ['run', '--config', world.configPath, '--suite', world.suitePath, '--db', db, '--plain', '--json'];
		const start = (label: string): CliProcess => {
			segments.push({label, startedAt: world.simNow(), committedBefore: keysNow()});
			return startCli(argsNow(), world.cli);
		};

		let burstEvidence: {answeredNotCommitted: string[]} | undefined;
		for (const point of killPoints) {
			const lanes = start(point.label);
			const segment = segments.at(-1)!;
			let killedAtSimMs = Number.NaN;
			const kill = () => {
				lanes.child.kill('SIGKILL');
				killedAtSimMs = world.simNow();
				world.afterSimulatorTimer(undefined);
			};

			// The simulator runs in this process and sends each delayed answer from a timer: this hook sees
			// every 200 the moment it goes out, so the child can never get ahead of it.
			const servedBefore = world.served();
			const outstanding = 160 - segment.committedBefore.size;
			let lastServed = servedBefore;
			let burstArmed = false;
			let recent: number[] = [];
			world.afterSimulatorTimer(() => {
				const served = world.served();
				if (served === lastServed || lanes.exitedYet()) return;
				lastServed = served;
				// Backstop: one item is still unanswered. When the last answers come in one burst, a poll of the
				// database could otherwise find the run already finished.
				if (served - servedBefore >= outstanding - 1) {
					kill();
					return;
				}

				if (!burstArmed) return;
				// Right after the second 200 of one burst: some of its answers are on the wire, the rest not sent yet.
				const now = performance.now();
				recent = [...recent.filter(at => now - at < 1), now];
				if (recent.length >= 2) kill();
			});
			const stillRunning = () => (lanes.exitedYet() && Number.isNaN(killedAtSimMs) ? `lanes exited before being killed ${point.label}` : undefined);
			// Each result of this process needs a 200 of this process first: the simulator's count (free to read)
			// says when the database (a file to open) is worth looking at.
			const needed = point.results - segment.committedBefore.size;
			await waitUntil(`${point.results} results in the database`, () => !Number.isNaN(killedAtSimMs) || (world.served() - servedBefore >= needed && resultCount(db) >= point.results), {
				abortIf: stillRunning,
				context: lanes.describe,
				intervalMs: 2,
			});
			if (Number.isNaN(killedAtSimMs)) {
				if (point.burst) {
					burstArmed = true;
					await waitUntil('a burst of answers', () => !Number.isNaN(killedAtSimMs), {abortIf: stillRunning, context: lanes.describe});
				} else {
					kill();
				}
			}

			const exit = await lanes.exited;
			expect(exit.signal, `killed ${point.label}: ${lanes.describe()}`).toBe('SIGKILL');
			runId ??= onlyRunId(db);
			if (point.burst) {
				// The kill landed while answers were arriving: answered 200 by then, in this process's time, yet not committed.
				const committed = keysNow();
				const answered = world.simulator.log().filter(entry => entry.status === 200 && entry.startedAt >= segment.startedAt && entry.endedAt <= killedAtSimMs);
				burstEvidence = {answeredNotCommitted: answered.map(entry => world.itemOf(entry)).filter(item => !committed.has(item))};
			}
		}

		expect(burstEvidence?.answeredNotCommitted.length, 'the burst kill must land with answers sent but not yet committed').toBeGreaterThan(0);

		const last = start('the final resume');
		const exit = await last.exited;
		expect(exit.code, last.describe()).toBe(0);
		const summary = json(exit);
		expect(summary).toMatchObject({runId, status: 'completed', totals: {items: 160, pending: 0, errored: 0}});

		// Exactly one result per item: the full cross product, nothing missing, nothing extra, none errored.
		const rows = resultRows(db, runId!);
		const keys = rows.map(row => itemKey(row.model, row.test_id));
		expect(new Set(keys).size, 'one row per item').toBe(keys.length);
		expect(keys.sort()).toEqual(allItems(world).sort());
		expect(rows.filter(row => row.status === 'errored')).toEqual([]);

		// The pass counts are what the simulator's fixed answers give, and what an uninterrupted run got.
		const referenceExit = await referenceRun;
		expect(referenceExit.code, referenceExit.stderr).toBe(0);
		const referenceSummary = json(referenceExit);
		const predicted = world.predictedPasses();
		const passes = passesByModel(rows);
		for (const {name} of world.models) {
			expect(passes.get(name), `${name} passes after the kills`).toBe(predicted.get(name));
			expect(referenceSummary.models[name].passed, `${name} passes in the uninterrupted run`).toBe(predicted.get(name));
			expect(summary.models[name]).toMatchObject({passed: referenceSummary.models[name].passed, failed: referenceSummary.models[name].failed});
		}

		expect(noResendAfterCommit(world, segments, rows)).toEqual([]);
		// Every kill did cost something: some items were sent more than once (their answers were lost).
		const sent = new Map<string, number>();
		for (const entry of world.simulator.log()) sent.set(world.itemOf(entry), (sent.get(world.itemOf(entry)) ?? 0) + 1);
		expect([...sent.values()].some(count => count > 1)).toBe(true);

		chain = {db, runId: runId!, summary};
		uninterrupted = {summary: referenceSummary};
	}, 120_000);

	test('lanes runs and lanes report agree with the run', async () => {
		if (!chain || !uninterrupted) throw new Error('needs the kill -9 test above to have passed');
		const {db, runId, summary} = chain;
		const [runs, reportJson, reportCsv, reportTable] = await Promise.all([
			runCli(['runs', '--db', db, '--json'], world.cli),
			runCli(['report', runId, '--db', db, '--format', 'json'], world.cli),
			runCli(['report', runId, '--db', db, '--format', 'csv'], world.cli),
			runCli(['report', runId, '--db', db, '--format', 'table'], world.cli),
		]);
		for (const exit of [runs, reportJson, reportCsv, reportTable]) expect(exit.code, exit.stderr).toBe(0);

		const passed = summary.totals.passed as number;
		const listed = JSON.parse(runs.stdout);
		expect(listed).toEqual([expect.objectContaining({id: runId, status: 'completed', items: 160, done: 160, passed, failed: 160 - passed, errored: 0, passRate: passed / 160})]);

		// The stored report is the --json summary of the run (its elapsed time is measured differently).
		const report = JSON.parse(reportJson.stdout);
		expect(Object.keys(report).sort()).toEqual(Object.keys(summary).sort());
		expect({...report, elapsedMs: 0}).toEqual({...summary, elapsedMs: 0});

		// CSV: the header, then one row per model with the run's counts, which are the uninterrupted run's.
		const csvRows = (text: string) => {
			const [header, ...lines] = text.trim().split('\n');
			const columns = header!.split(',');
			return {columns, rows: lines.map(line => Object.fromEntries(line.split(',').map((cell, index) => [columns[index]!, cell])))};
		};

		const csv = csvRows(reportCsv.stdout);
		expect(csv.columns.slice(0, 7)).toEqual(['model', 'provider', 'items', 'passed', 'failed', 'errored', 'pending']);
		expect(csv.rows.map(row => row.model)).toEqual(world.models.map(model => model.name));
		for (const row of csv.rows) {
			const model = summary.models[row.model!];
			expect(row).toMatchObject({provider: model.provider, items: '40', passed: String(model.passed), failed: String(model.failed), errored: '0', pending: '0'});
		}

		expect(csv.rows.map(row => [row.model, row.passed, row.failed])).toEqual(world.models.map(({name}) => [name, String(uninterrupted!.summary.models[name].passed), String(uninterrupted!.summary.models[name].failed)]));

		const table = reportTable.stdout;
		expect(table).toMatch(new RegExp(`^run ${runId} completed in \\S+: 160 items, ${passed} passed, ${160 - passed} failed, 0 errored$`, 'm'));
		for (const {name, provider} of world.models) {
			const model = summary.models[name];
			expect(table).toMatch(new RegExp(`^${name}\\s+${provider}\\s+40\\s+${model.passed}\\s+${model.failed}\\s+0\\s+0\\s`, 'm'));
		}
	}, 60_000);
});

/**
 * The simulator's own log against the database: what was sent for an item once its result was committed.
 * Two checks, both empty when nothing was re-sent:
 * - By process. The processes ran strictly one after another, so a request that reached the simulator after
 *   process k was started came from k or a later one, and none of them may send an item committed before k
 *   started. (A request of k-1 read by the simulator late cannot be blamed wrongly: k-1 only had a request
 *   in flight for an item it had not committed.)
 * - By time. A legitimate request for an item reaches the simulator before its answer, and the answer before
 *   the result's finished_at. So no request may start after finished_at; 25 ms of slack covers converting
 *   the simulator's monotonic clock to wall-clock time.
 */
function noResendAfterCommit(world: World, segments: readonly Segment[], rows: readonly ResultRow[]): string[] {
	const problems: string[] = [];
	const log = world.simulator.log();
	for (const segment of segments) {
		for (const entry of log) {
			if (entry.startedAt < segment.startedAt) continue;
			const item = world.itemOf(entry);
			if (segment.committedBefore.has(item)) problems.push(`${item} (status ${entry.status}) sent by or after "${segment.label}", though committed before it started`);
		}
	}

	const finishedAt = new Map(rows.map(row => [itemKey(row.model, row.test_id), row.finished_at]));
	for (const entry of log) {
		const item = world.itemOf(entry);
		const finished = finishedAt.get(item)!;
		const sentAt = world.simToEpoch(entry.startedAt);
		if (sentAt > finished + 25) problems.push(`${item} (status ${entry.status}) sent ${Math.round(sentAt - finished)} ms after its result was recorded`);
	}

	return problems;
}
