import {describe, expect, test} from 'vitest';
import {startCli} from '../helpers/cli.js';
import {startPty} from '../helpers/pty-session.js';
import {
	allItems, itemKey, onlyRunId, readDb, resultCount, resultRows, resumeArgs, startWorld,
	type World, type WorldProvider,
} from '../helpers/resume-harness.js';
import {waitUntil} from '../helpers/wait.js';

// About 60 ms a request, 7 in flight at a time over two lanes: 160 items take a couple of seconds, so a
// stop lands mid-run with requests out.
const providers: Record<string, WorldProvider> = {
	fast: {dialect: 'openai', models: {'fast-a': 'fast-a', 'fast-b': 'fast-b', 'fast-c': 'fast-c'}, simulate: {latencyMs: 6000}, lane: {concurrency: 4, adaptive: false}},
	az: {dialect: 'azure', models: {'az-one': 'dep-one'}, simulate: {latencyMs: 6000}, lane: {concurrency: 3, adaptive: false}},
};

const inFlight = (world: World) => Object.keys(providers).reduce((sum, name) => sum + world.simulator.stats(name).inFlight, 0);

/** The moment to stop: enough results and requests out (read together, so both hold when the stop is sent). */
function stopMoment(world: World, db: string, results: number): {results: number; inFlight: number} | undefined {
	// Every result needs a 200 first: the simulator's count is free to read, the database is a file to open.
	if (world.served() < results) return undefined;
	const now = {results: resultCount(db), inFlight: inFlight(world)};
	return now.results >= results && now.inFlight >= 2 ? now : undefined;
}

/**
 * A graceful stop loses nothing: every request the simulator answered 200 has its result in the database,
 * none was abandoned mid-answer (the simulator logs those as 499), and the requests out at the stop
 * were waited for and recorded.
 */
function expectNothingLost(world: World, db: string, runId: string, atStop: {results: number; inFlight: number}): Set<string> {
	const committed = new Set(resultRows(db, runId).map(row => itemKey(row.model, row.test_id)));
	const log = world.simulator.log();
	const answered = log.filter(entry => entry.status === 200).map(entry => world.itemOf(entry));
	expect(answered.filter(item => !committed.has(item)), 'answered 200 but not in the database').toEqual([]);
	expect(log.filter(entry => entry.status === 499).map(entry => world.itemOf(entry)), 'requests abandoned by the client').toEqual([]);
	expect(committed.size, 'the requests in flight at the stop were recorded').toBeGreaterThanOrEqual(atStop.results + atStop.inFlight);
	expect(committed.size, 'the run stopped before the end').toBeLessThan(160);
	return committed;
}

/** Runs the printed resume command; it must finish the run, sending nothing already committed. */
async function resumeToTheEnd(world: World, db: string, runId: string, printed: string, committed: Set<string>): Promise<void> {
	const args = resumeArgs(printed);
	expect(args.slice(0, 2)).toEqual(['resume', runId]);
	expect(args).toContain(db);
	const resumedAt = world.simNow();
	const resumed = startCli(args, world.cli);
	const exit = await resumed.exited;
	expect(exit.code, resumed.describe()).toBe(0);
	expect(exit.stderr).toContain(`run ${runId} completed`);

	const rows = resultRows(db, runId);
	expect(rows.map(row => itemKey(row.model, row.test_id)).sort()).toEqual(allItems(world).sort());
	expect(rows.filter(row => row.status === 'errored')).toEqual([]);
	expect(readDb(db, d => d.prepare('SELECT status FROM runs WHERE id = ?').get(runId))).toEqual({status: 'completed'});
	const resent = world.simulator.log().filter(entry => entry.startedAt >= resumedAt && committed.has(world.itemOf(entry)));
	expect(resent.map(entry => world.itemOf(entry)), 'sent again though committed before the resume').toEqual([]);
}

describe.sequential('a graceful stop, then the printed resume command', () => {
	test('SIGTERM during a plain run: exit 3, a resume: line, no answered request lost, and the command completes the run', async () => {
		const world = await startWorld({providers});
		try {
			const db = world.folder.file('runs.db');
			const lanes = startCli(['run', '--config', world.configPath, '--suite', world.suitePath, '--db', db, '--plain'], world.cli);
			const atStop = await waitUntil('30 results with requests in flight', () => stopMoment(world, db, 30), {
				abortIf: () => (lanes.exitedYet() ? 'lanes exited first' : undefined),
				context: lanes.describe,
			});
			lanes.child.kill('SIGTERM');
			const exit = await lanes.exited;

			expect(exit.code, lanes.describe()).toBe(3);
			const runId = onlyRunId(db);
			expect(exit.stderr).toContain(`run ${runId} interrupted`);
			expect(exit.stderr).toMatch(new RegExp(`^resume: .*\\bresume ${runId} --db `, 'm'));
			const committed = expectNothingLost(world, db, runId, atStop);
			await resumeToTheEnd(world, db, runId, exit.stderr, committed);
		} finally {
			await world.close();
		}
	}, 60_000);

	test('Ctrl-C in the terminal UI: exit 3, the resume command on screen, no answered request lost, and the command completes the run', async () => {
		const world = await startWorld({providers});
		const db = world.folder.file('runs.db');
		const terminal = startPty(['run', '--config', world.configPath, '--suite', world.suitePath, '--db', db], {env: world.env, cols: 200, rows: 40});
		/** Scrollback and screen, once the terminal has parsed all the child wrote. */
		const screen = async () => {
			await terminal.settled();
			return terminal.allText();
		};

		try {
			const context = () => `--- screen ---\n${terminal.output().slice(-3000)}`;
			const atStop = await waitUntil('the UI showing 20 done, with requests in flight', async () => {
				if (world.served() < 20) return undefined;
				const shown = /\b(\d+)\/160\b/.exec(await screen());
				return shown && Number(shown[1]) >= 20 && stopMoment(world, db, 20);
			}, {abortIf: () => (terminal.exit() ? 'lanes exited first' : undefined), context});
			terminal.write('\u0003');
			const {exitCode} = await terminal.exited;

			expect(exitCode, context()).toBe(3);
			const runId = onlyRunId(db);
			// The last frames may still be on their way through the terminal when the exit is reported.
			const printed = await waitUntil('the resume command on screen', async () => {
				const text = await screen();
				return /^\s*resume: /m.test(text) && text;
			}, {timeoutMs: 5000, context});
			expect(printed).toContain(runId);
			expect(printed).toMatch(new RegExp(`^\\s*resume: .*\\bresume ${runId} --db `, 'm'));
			const committed = expectNothingLost(world, db, runId, atStop);
			await resumeToTheEnd(world, db, runId, printed, committed);
		} finally {
			terminal.kill();
			await world.close();
		}
	}, 60_000);
});
