import Database from 'better-sqlite3';
import {afterEach, describe, expect, test} from 'vitest';
import {laneDetail, quit, select, waitForLanes} from './screen.js';
import {laneLine, laneNames, startScenario, type Scenario} from './scenario.js';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.close();
	scenario = undefined;
});

type LaneRow = {lane: string; concurrency: number; adaptive: number; paused: number};

function savedLanes(dbPath: string): Map<string, LaneRow> {
	const db = new Database(dbPath, {readonly: true});
	try {
		return new Map(db.prepare<[], LaneRow>('SELECT lane, concurrency, adaptive, paused FROM run_lanes').all().map(row => [row.lane, row]));
	} finally {
		db.close();
	}
}

describe.sequential('the terminal UI across a resume and a resize', () => {
	test('changes made with keys are recorded and a resumed run starts from them', {timeout: 40_000}, async () => {
		scenario = await startScenario({tests: 200});
		const {simulator} = scenario;
		const session = scenario.startTui();
		await waitForLanes(session);
		await select(session, 'idealab');
		session.write('+++');
		await session.waitFor(() => /in flight \d+\/5 /.test(laneDetail(session.screenText(), 'idealab')), 5000, 'idealab at concurrency 5');
		session.write('p');
		await session.waitFor(() => /^› idealab\s+paused/m.test(session.screenText()), 5000, 'idealab paused');
		await select(session, 'azure');
		session.write('a');
		await session.waitFor(() => /adaptive\)/.test(laneDetail(session.screenText(), 'azure')), 5000, 'azure adaptive on');
		expect((await quit(session)).exitCode).toBe(3);

		const saved = savedLanes(scenario.dbPath);
		expect(saved.get('idealab')).toMatchObject({concurrency: 5, paused: 1});
		expect(saved.get('azure')).toMatchObject({adaptive: 1, paused: 0});
		expect(saved.get('user_azure')).toMatchObject({concurrency: 2, adaptive: 0, paused: 0});

		const runId = session.allText().match(/^run (\S+) interrupted/m)?.[1];
		expect(runId, session.allText()).toBeDefined();
		const idealabBefore = simulator.stats('idealab').requests;
		const azureBefore = simulator.stats('azure').requests;
		const resumed = scenario.startLanes(['resume', runId!, '--db', scenario.dbPath]);
		await waitForLanes(resumed);
		// The paused lane stays paused and says so, with the concurrency the operator left; the others go on.
		await resumed.waitFor(() => /^. idealab\s+paused/m.test(resumed.screenText()) && /in flight 0\/5 /.test(laneDetail(resumed.screenText(), 'idealab')), 5000, 'idealab paused at 5 after the resume');
		await resumed.waitFor(() => simulator.stats('azure').requests >= azureBefore + 10, 10_000, 'azure going on after the resume');
		expect(simulator.stats('idealab').requests).toBe(idealabBefore);
		expect(laneDetail(resumed.screenText(), 'azure')).toMatch(/adaptive\)/);
		expect((await quit(resumed)).exitCode).toBe(3);
	});

	test('a resized terminal redraws to fit', {timeout: 20_000}, async () => {
		scenario = await startScenario({tests: 200});
		const session = scenario.startTui();
		await waitForLanes(session);
		for (const [cols, rows] of [[80, 24], [60, 16], [120, 40]] as const) {
			session.resize(cols, rows);
			await session.waitFor(() => {
				const lines = session.screenText().split('\n');
				const drawn = lines.filter(line => line.length > 0);
				// Every lane and the key footer are on the screen, nothing wider than the terminal, and the
				// frame starts at the top (a frame taller than the screen would scroll the header away).
				return laneNames.every(name => laneLine(session.screenText(), name) !== undefined)
					&& drawn.every(line => line.length <= cols)
					&& /^run \S+ · /.test(lines[0] ?? '')
					&& drawn.some(line => line.startsWith('q quit · ? help'));
			}, 5000, `a clean frame at ${cols}x${rows}`);
		}

		expect((await quit(session)).exitCode).toBe(3);
	});
});
