import {afterEach, describe, expect, it} from 'vitest';
import {FakeEngine, lane, snapshot} from './fake-engine.js';
import {renderApp} from './harness.js';

let app: ReturnType<typeof renderApp> | undefined;
afterEach(() => {
	app?.cleanup();
	app = undefined;
});

async function start(lanes = [lane('azure', {concurrency: 4}), lane('idealab', {concurrency: 2}), lane('user_azure', {concurrency: 1})]) {
	const engine = new FakeEngine(snapshot(lanes));
	app = renderApp(engine, {columns: 100, rows: 30});
	await app.waitFor(frame => frame.includes('› azure'));
	await app.ready();
	return {engine, app};
}

describe('keys', () => {
	it('"++" in one write counts twice and ends at +2', async () => {
		const {engine, app} = await start();
		await app.keys('++', 2);
		expect(engine.calls).toEqual([['setConcurrency', 'azure', 5], ['setConcurrency', 'azure', 6]]);
	});

	// The fake sends keys to the real engine: the line comes from its 'limit' event (cause 'operator').
	it('"+++" leaves one line in the event log: concurrency 4 → 7 (operator)', async () => {
		const {app} = await start();
		await app.keys('+++', 3);
		await app.waitFor(frame => frame.includes('azure: concurrency 4 → 7 (operator)') && frame.includes('in flight 4/7'));
	});

	it('"+" and "=" raise, "-" lowers, across separate writes too', async () => {
		const {engine, app} = await start();
		await app.keys('+', 1);
		await app.keys('=', 2);
		await app.keys('-', 3);
		expect(engine.calls).toEqual([['setConcurrency', 'azure', 5], ['setConcurrency', 'azure', 6], ['setConcurrency', 'azure', 5]]);
	});

	it('"]" and "[" move by 5, never below 1', async () => {
		const {engine, app} = await start();
		await app.keys(']', 1);
		expect(engine.calls.at(-1)).toEqual(['setConcurrency', 'azure', 9]);
		await app.keys('[[', 3);
		expect(engine.calls.slice(1)).toEqual([['setConcurrency', 'azure', 4], ['setConcurrency', 'azure', 1]]);
		app.stdin.write('-['); // azure is at 1 already: nothing to send
		await app.keys('3-+', 4); // user_azure is at 1: '-' sends nothing, '+' raises it to 2
		expect(engine.calls).toEqual([
			['setConcurrency', 'azure', 9], ['setConcurrency', 'azure', 4], ['setConcurrency', 'azure', 1], ['setConcurrency', 'user_azure', 2],
		]);
		expect(engine.calls.every(([, , value]) => typeof value !== 'number' || value >= 1)).toBe(true);
	});

	it('"2p" selects lane 2, then pauses it; "p" again resumes', async () => {
		const {engine, app} = await start();
		await app.keys('2p', 1);
		expect(engine.calls).toEqual([['pause', 'idealab']]);
		await app.waitFor(frame => frame.includes('› idealab'));
		await app.keys('p', 2);
		expect(engine.calls.at(-1)).toEqual(['resume', 'idealab']);
	});

	it('arrows and tab move the selection', async () => {
		const {engine, app} = await start();
		app.stdin.write('\u001B[B'); // down
		await app.waitFor(frame => frame.includes('› idealab'));
		app.stdin.write('\t');
		await app.waitFor(frame => frame.includes('› user_azure'));
		app.stdin.write('\u001B[A'); // up
		await app.waitFor(frame => frame.includes('› idealab'));
		await app.keys('a', 1);
		expect(engine.calls).toEqual([['setAdaptive', 'idealab', false]]);
	});

	it('"P" pauses every lane still running, then resumes them all', async () => {
		const {engine, app} = await start([lane('azure'), lane('idealab', {state: 'paused', paused: true}), lane('groq', {state: 'done', pending: 0})]);
		await app.keys('P', 1);
		expect(engine.calls).toEqual([['pause', 'azure']]);
		await app.keys('P', 3);
		expect(engine.calls.slice(1)).toEqual([['resume', 'azure'], ['resume', 'idealab']]);
	});

	it('"a" toggles adaptive and "s" skips the rest of the selected lane', async () => {
		const {engine, app} = await start();
		await app.keys('as', 2);
		expect(engine.calls).toEqual([['setAdaptive', 'azure', false], ['skipRest', 'azure']]);
	});

	it('"q" twice calls stop() twice; the screen says what is happening', async () => {
		const {engine, app} = await start();
		await app.keys('q', 1);
		await app.waitFor(frame => frame.includes('stopping: waiting for 12 in-flight requests (q again to abort)'));
		await app.keys('q', 2);
		expect(engine.calls).toEqual([['stop'], ['stop']]);
		await app.waitFor(frame => frame.includes('aborting'));
	});

	it('Ctrl-C stops too (the TUI handles it, Ink does not exit)', async () => {
		const {engine, app} = await start();
		await app.keys('\u0003', 1);
		await app.keys('\u0003', 2);
		expect(engine.calls).toEqual([['stop'], ['stop']]);
	});

	it('"?" shows the help overlay; any key closes it without acting', async () => {
		const {engine, app} = await start();
		app.stdin.write('?');
		await app.waitFor(frame => frame.includes('any key closes this') && frame.includes('toggle adaptive control'));
		app.stdin.write('+');
		await app.waitFor(frame => frame.includes('› azure') && !frame.includes('any key closes this'));
		await app.keys('+', 1);
		expect(engine.calls).toEqual([['setConcurrency', 'azure', 5]]);
	});
});
