import stringWidth from 'string-width';
import {afterEach, describe, expect, test} from 'vitest';
import {runShell} from '../helpers/cli.js';
import {laneDetail, quit, sampleMax, select, waitForLanes} from './screen.js';
import {laneLine, laneNames, startScenario, type Scenario} from './scenario.js';

let scenario: Scenario | undefined;
afterEach(async () => {
	await scenario?.close();
	scenario = undefined;
});

// These drive whole runs in a real terminal: one at a time, with both cores.
describe.sequential('the terminal UI in a real pseudo-terminal', () => {
	test('the three lanes appear on the screen', {timeout: 20_000}, async () => {
		scenario = await startScenario({tests: 200});
		const session = scenario.startTui();
		await waitForLanes(session);
		const screen = session.screenText();
		expect(screen).toMatch(/^run \S+ · elapsed/m);
		for (const name of laneNames) expect(laneLine(screen, name), screen).toMatch(/running|paused|done/);
		// The lanes really send: each provider of the simulator sees requests.
		await session.waitFor(() => laneNames.every(name => scenario!.requests(name) > 0), 5000, 'requests at every provider');
		expect((await quit(session)).exitCode).toBe(3);
	});

	test('+ on a lane raises the requests its provider sees in flight', {timeout: 20_000}, async () => {
		scenario = await startScenario({tests: 200});
		const {simulator} = scenario;
		const session = scenario.startTui();
		await waitForLanes(session);
		await select(session, 'user_azure');
		await select(session, 'azure');
		await session.waitFor(() => simulator.stats('azure').inFlight > 0, 5000, 'azure requests in flight');
		const before = await sampleMax(() => simulator.stats('azure').inFlight, 800);

		for (let press = 0; press < 6; press++) session.write('+');
		await session.waitFor(() => /in flight \d+\/8 /.test(laneDetail(session.screenText(), 'azure')), 5000, 'azure at concurrency 8 on the screen');
		const after = await sampleMax(() => simulator.stats('azure').inFlight, 800);

		expect(before).toBeLessThanOrEqual(2);
		expect(after).toBeGreaterThanOrEqual(6);
		expect(after).toBeLessThanOrEqual(8);
		// The other lanes kept their concurrency.
		expect(simulator.stats('user_azure').maxInFlight).toBeLessThanOrEqual(2);
		expect((await quit(session)).exitCode).toBe(3);
	});

	test('p pauses idealab (no new requests reach it) while the other lanes go on; p again restarts it', {timeout: 20_000}, async () => {
		scenario = await startScenario({tests: 200});
		const {simulator} = scenario;
		const requests = scenario.requests;
		const session = scenario.startTui();
		await waitForLanes(session);
		await select(session, 'idealab');
		await session.waitFor(() => requests('idealab') >= 3, 5000, 'idealab requests');

		session.write('p');
		// Paused on the screen with nothing left in flight, and the simulator holds none of its requests.
		await session.waitFor(() => {
			const screen = session.screenText();
			return /^› idealab\s+paused\s{2}/m.test(screen) && /in flight 0\//.test(laneDetail(screen, 'idealab')) && simulator.stats('idealab').inFlight === 0;
		}, 5000, 'idealab paused with its in-flight requests drained');
		const pausedAt = requests('idealab');
		const lastStart = Math.max(...simulator.log().filter(entry => entry.provider === 'idealab').map(entry => entry.startedAt));
		const others = {azure: requests('azure'), user_azure: requests('user_azure')};

		// The other lanes go on: wait until each has sent 10 more.
		await session.waitFor(() => requests('azure') >= others.azure + 10 && requests('user_azure') >= others.user_azure + 10, 5000, 'azure and user_azure going on');
		expect(requests('idealab')).toBe(pausedAt);
		expect(simulator.log().filter(entry => entry.provider === 'idealab' && entry.startedAt > lastStart)).toEqual([]);

		session.write('p');
		await session.waitFor(() => requests('idealab') >= pausedAt + 5, 5000, 'idealab requests again after the second p');
		await session.waitFor(() => /^› idealab\s+running/m.test(session.screenText()), 5000, 'idealab running on the screen');
		expect((await quit(session)).exitCode).toBe(3);
	});

	test('q exits 3 and prints a resume command, which completes the run', {timeout: 30_000}, async () => {
		// Quick requests and a small suite, so the resumed run is short too.
		scenario = await startScenario({tests: 30, concurrency: 4, latencyMs: 100});
		const session = scenario.startTui();
		await waitForLanes(session);
		// Proves the keys are read before the one press of q (a second q would abort in-flight requests).
		await select(session, 'user_azure');
		await session.waitFor(() => laneNames.some(name => scenario!.requests(name) >= 3), 5000, 'requests under way');

		const exit = await quit(session);
		expect(exit.exitCode, session.allText()).toBe(3);
		let command = '';
		await session.waitFor(() => {
			command = session.allText().match(/^resume: (.+\bresume\b.+)$/m)?.[1] ?? '';
			return command !== '';
		}, 2000, 'the resume command');
		expect(command).toContain(scenario.dbPath);
		const runId = session.allText().match(/^run (\S+) interrupted/m)?.[1];
		expect(runId, session.allText()).toBeDefined();
		expect(command).toContain(runId);

		// The printed command, run as a plain child (no terminal): it finishes the rest of the run.
		const resumed = await runShell(command, {env: scenario.env, timeoutMs: 20_000});
		const output = resumed.stdout + resumed.stderr;
		expect(resumed.code, output).toBe(0);
		expect(output).toContain(`run ${runId} completed`);
	});

	test('a wide (CJK) model name: no line overflows the terminal, live or in the end table, and its row lines up', {timeout: 30_000}, async () => {
		const wide = '通义千问-max-长上下文';
		scenario = await startScenario({tests: 40, latencyMs: 100, idealabModels: [wide, 'qwen-max']});
		const session = scenario.startTui();
		await waitForLanes(session);
		await session.waitFor(() => session.screenText().includes(`batch 1/2 started: ${wide}`), 5000, 'the batch line naming the wide model');
		expect(session.overflowingRows()).toEqual([]);
		session.resize(50, 32);
		await session.waitFor(() => /started: 通义/.test(session.screenText()) && session.overflowingRows().length === 0, 5000, 'the 50-column screen with no row overflowing');
		session.resize(100, 32);
		await session.waitFor(() => session.screenText().includes(`started: ${wide}`) && session.overflowingRows().length === 0, 5000, 'back at 100 columns');
		expect((await quit(session)).exitCode).toBe(3);

		await session.settled();
		const text = session.allText();
		const lines = text.split('\n');
		const last = (match: (line: string) => boolean) => lines.length - 1 - [...lines].reverse().findIndex(match);
		const table = lines.slice(last(line => /^run \S+ interrupted in /.test(line)), last(line => line.startsWith('report: '))).filter(line => line !== '');
		expect(table.length, text).toBeGreaterThan(8);
		for (const line of table) expect(stringWidth(line), line).toBeLessThanOrEqual(100);
		const row = (name: string) => table.find(line => line.startsWith(`${name} `)) ?? '';
		expect(row(wide)).toMatch(/\sidealab\s+40\s/);
		// Cells, not code points: the wide name's row is as wide as the others.
		expect(stringWidth(row(wide))).toBe(stringWidth(row('gpt-4o-mini')));
		const providerAt = (line: string, provider: string) => stringWidth(line.slice(0, line.indexOf(` ${provider} `)));
		expect(providerAt(row(wide), 'idealab')).toBe(providerAt(row('gpt-4o-mini'), 'azure'));
	});
});
