import {afterEach, describe, expect, it} from 'vitest';
import type {EngineEvent} from '../../source/engine/types.js';
import {computeLayout} from '../../source/ui/layout.js';
import {FakeEngine, lane, snapshot} from './fake-engine.js';
import {fits, lines, renderApp} from './harness.js';

let app: ReturnType<typeof renderApp> | undefined;
afterEach(() => {
	app?.cleanup();
	app = undefined;
});

const names = ['azure', 'user_azure', 'idealab', 'openrouter', 'groq', 'together', 'fireworks', 'mistral', 'deepinfra', 'anyscale', 'cerebras', 'lepton'];
const many = (count: number) => names.slice(0, count).map(name => lane(name));

/** Fills the event log with more lines than any layout shows. */
function flood(engine: FakeEngine): void {
	for (let index = 0; index < 30; index++) {
		const event: EngineEvent = {type: 'limit', lane: 'azure', from: 8 + index, to: 9 + index, cause: 'increase', at: Date.UTC(2025, 7, 13) + index * 5000};
		engine.emit(event);
	}
}

describe('fitting the terminal', () => {
	it('80x24 with 3 lanes fits in 24 rows, lanes in full', async () => {
		const engine = new FakeEngine(snapshot(many(3)));
		app = renderApp(engine, {columns: 80, rows: 24});
		flood(engine);
		const text = await app.waitFor(frame => frame.includes('concurrency 37 → 38') && fits(frame, 80, 24));
		expect(text).toContain('in flight 4/8');
		expect(lines(text).length).toBeLessThanOrEqual(23);
	});

	it('a 20-row terminal with 10 lanes fits, one line per lane', async () => {
		const engine = new FakeEngine(snapshot(many(10)));
		app = renderApp(engine, {columns: 80, rows: 20});
		flood(engine);
		const text = await app.waitFor(frame => frame.includes('concurrency 37 → 38') && fits(frame, 80, 20));
		for (const name of names.slice(0, 10)) expect(text).toContain(name);
		expect(text).not.toContain('in flight');
	});

	it('shows "+N more lanes" when even one line a lane is too much, and follows the selection', async () => {
		const engine = new FakeEngine(snapshot(many(12)));
		app = renderApp(engine, {columns: 80, rows: 12});
		await app.waitFor(frame => frame.includes('more lanes') && fits(frame, 80, 12));
		await app.ready();
		app.stdin.write('9');
		// Lane 9 was hidden below; the window moves to show it.
		const text = await app.waitFor(frame => frame.includes('› deepinfra'));
		expect(fits(text, 80, 12)).toBe(true);
		expect(text).toMatch(/\+\d+ more lanes \(\d+ above, \d+ below/);
	});

	it('re-renders on resize', async () => {
		const engine = new FakeEngine(snapshot(many(6)));
		app = renderApp(engine, {columns: 100, rows: 40});
		await app.waitFor(frame => frame.includes('in flight'));
		app.resize(80, 14);
		await app.waitFor(frame => !frame.includes('in flight') && fits(frame, 80, 14));
	});

	it('a 60-column terminal truncates, never wraps', async () => {
		const long = lane('a-provider-with-a-long-name', {state: 'stopped', reason: 'auth failed (401 Unauthorized): the key in AZURE_OPENAI_API_KEY was rejected by the endpoint'});
		const engine = new FakeEngine(snapshot([long, lane('idealab'), lane('azure')]));
		app = renderApp(engine, {columns: 120, rows: 30});
		flood(engine);
		const wide = await app.waitFor(frame => frame.includes('concurrency 37 → 38'));
		app.resize(60, 30);
		const narrow = await app.waitFor(frame => fits(frame, 60, 30) && frame.includes('concurrency 37 → 38'));
		// Same lines, only shorter: nothing was wrapped onto an extra line.
		expect(lines(narrow)).toHaveLength(lines(wide).length);
		expect(narrow).toContain('…');
	});

	it('fits any terminal from 8 to 60 rows with 1 to 12 lanes (layout arithmetic)', () => {
		for (let rows = 8; rows <= 60; rows++) {
			for (let laneCount = 1; laneCount <= 12; laneCount++) {
				for (const notice of [false, true]) {
					const layout = computeLayout({rows, laneCount, selected: laneCount - 1, notice});
					const laneLines = layout.shown * (layout.form === 'full' ? 3 : 1) + (layout.hidden > 0 ? 1 : 0);
					const total = layout.headerLines + (notice ? 1 : 0) + laneLines + (layout.eventLines > 0 ? layout.eventLines + 1 : 0) + (layout.footer ? 1 : 0);
					expect(total, `rows ${rows}, lanes ${laneCount}`).toBeLessThanOrEqual(rows - 1);
					expect(layout.shown, `rows ${rows}, lanes ${laneCount}`).toBeGreaterThanOrEqual(1);
					expect(laneCount - 1).toBeGreaterThanOrEqual(layout.first);
					expect(layout.first + layout.shown).toBeGreaterThan(laneCount - 1);
				}
			}
		}
	});

	it('wide (CJK) lane and model names never make a line wider than the terminal', async () => {
		const wideModel = '通义千问-max-长上下文';
		const engine = new FakeEngine(snapshot([lane('通义千问网关'), lane('azure', {state: 'stopped', reason: `${wideModel}: 鉴权失败 (401)`}), lane('idealab')]));
		app = renderApp(engine, {columns: 80, rows: 30});
		engine.emit({type: 'batch', lane: '通义千问网关', index: 1, count: 2, models: [wideModel, `${wideModel}-2`, 'qwen-max'], phase: 'start', at: Date.UTC(2025, 7, 13)});
		await app.waitFor(frame => frame.includes('batch 1/2 started'));
		for (const [columns, rows] of [[80, 30], [60, 30], [100, 12], [45, 20]] as const) {
			app.resize(columns, rows);
			await app.waitFor(frame => fits(frame, columns, rows) && frame.includes('通义'), `${columns}x${rows}`);
		}

		app.resize(100, 30);
		// Cut where the terminal ends, not wrapped: each lane still starts its own line.
		const text = await app.waitFor(frame => frame.includes(`batch 1/2 started: ${wideModel}`));
		expect(lines(text).filter(line => line.includes('通义千问网关'))).toHaveLength(2);
	});

	it('fits when rendered too, for a range of sizes', async () => {
		const engine = new FakeEngine(snapshot(many(12), {stopping: 'graceful'}));
		app = renderApp(engine, {columns: 80, rows: 24});
		flood(engine);
		await app.waitFor(frame => frame.includes('concurrency 37 → 38'));
		for (const [columns, rows] of [[80, 24], [60, 10], [100, 16], [120, 50], [70, 9]] as const) {
			app.resize(columns, rows);
			await app.waitFor(frame => fits(frame, columns, rows), `${columns}x${rows}`);
		}
	});
});
