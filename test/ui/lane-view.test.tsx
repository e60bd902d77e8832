import {afterEach, describe, expect, it} from 'vitest';
import {FakeEngine, lane, snapshot} from './fake-engine.js';
import {renderApp} from './harness.js';

let app: ReturnType<typeof renderApp> | undefined;
afterEach(() => {
	app?.cleanup();
	app = undefined;
});

describe('lane states', () => {
	const cases = [
		['running', lane('azure'), ['running', '120/400  30%', 'ETA 3m05s', 'in flight 4/8 (1-16 adaptive)', '3.2 qps', 'err 2.0%', '3×429', '4 retries', 'p50 820ms', 'p95 2.1s']],
		['paused', lane('azure', {state: 'paused', paused: true, inFlight: 2}), ['paused, 2 finishing']],
		['resting', lane('idealab', {state: 'resting', waitMs: 24_200, batch: {index: 2, count: 5}}), ['resting 25s', 'batch 2/5']],
		['cooling', lane('azure', {state: 'cooling', waitMs: 11_500}), ['waiting out 429: 12s']],
		['done', lane('azure', {state: 'done', pending: 0, passed: 380, inFlight: 0}), ['done', '400/400', '100%']],
		['stopped', lane('user_azure', {state: 'stopped', reason: 'auth failed (401): check USER_AZURE_KEY'}), ['stopped', 'auth failed (401): check USER_AZURE_KEY']],
		['pausing', lane('azure', {paused: true, inFlight: 3}), ['pausing, 3 finishing']],
		['manual with a qps cap', lane('azure', {adaptive: false, qpsCap: 5}), ['(1-16 manual)', '3.2 qps (cap 5.0)']],
	] as const;

	for (const [name, item, words] of cases) {
		it(`renders ${name}`, async () => {
			app = renderApp(new FakeEngine(snapshot([item])), {columns: 120, rows: 40});
			const text = await app.waitFor(frame => words.every(word => frame.includes(word)), `words of ${name}`);
			expect(text).toContain('› ');
		});
	}

	it('keeps the state words in the one-line form too', async () => {
		const lanes = [
			lane('a-running'),
			lane('b-resting', {state: 'resting', waitMs: 9000, batch: {index: 3, count: 5}}),
			lane('c-cooling', {state: 'cooling', waitMs: 4000}),
			lane('d-stopped', {state: 'stopped', reason: 'auth failed'}),
			lane('e-done', {state: 'done', pending: 0}),
			lane('f-paused', {state: 'paused', paused: true}),
		];
		app = renderApp(new FakeEngine(snapshot(lanes)), {columns: 100, rows: 16});
		const text = await app.waitFor(frame => frame.includes('resting 9s 3/5'));
		for (const word of ['running', '429 wait 4s', 'stopped', 'auth failed', 'done', 'paused']) expect(text).toContain(word);
		// One line per lane: each lane name appears on exactly one line.
		for (const item of lanes) expect(text.split('\n').filter(line => line.includes(item.name))).toHaveLength(1);
	});

	it('shows the header: run, suite, db, overall progress, counts and ETA', async () => {
		app = renderApp(new FakeEngine(snapshot([lane('azure'), lane('idealab')])), {columns: 120, rows: 30});
		const text = await app.waitFor(frame => frame.includes('r-20250813-1'));
		for (const word of ['elapsed 12m05s', 'suite data/smoke.jsonl', 'db runs/lanes.db', '240/800 30%', '200 passed', '30 failed', '10 errored', 'ETA 42m10s']) {
			expect(text).toContain(word);
		}
	});

	it('says it is stopping, with the in-flight count', async () => {
		const engine = new FakeEngine(snapshot([lane('azure', {inFlight: 3}), lane('idealab', {inFlight: 2})], {stopping: 'graceful'}));
		app = renderApp(engine);
		await app.waitFor(frame => frame.includes('stopping: waiting for 5 in-flight requests (q again to abort)'));
	});
});
