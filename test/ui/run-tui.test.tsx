import {EventEmitter} from 'node:events';
import {render} from 'ink-testing-library';
import {afterEach, describe, expect, it, vi} from 'vitest';
import type {RunSummary} from '../../source/summary/summary-types.js';
import {SummaryTable} from '../../source/ui/SummaryTable.js';
import {runTui} from '../../source/ui/run-tui.js';
import {FakeEngine, lane, snapshot} from './fake-engine.js';
import {info, lines} from './harness.js';

const counts = (items: number, passed: number, failed: number, errored: number) => ({items, passed, failed, errored, pending: items - passed - failed - errored});
const summary: RunSummary = {
	runId: 'r-20250813-1',
	status: 'interrupted',
	elapsedMs: 3_725_000,
	totals: counts(400, 300, 40, 10),
	providers: {azure: {...counts(200, 150, 40, 10), requests: 260, rateLimited: 12, retries: 20, concurrency: 6}, idealab: {...counts(200, 150, 0, 0), requests: 150, rateLimited: 0, retries: 0, concurrency: 2}},
	models: {
		'gpt-4o-mini': {...counts(200, 150, 40, 10), provider: 'azure', latencyP50Ms: 820, latencyP95Ms: 2100},
		'qwen-max': {...counts(200, 150, 0, 0), provider: 'idealab', latencyP50Ms: 1400, latencyP95Ms: 5200},
	},
};
const commands = {report: 'lanes report --db runs/lanes.db r-20250813-1', resume: 'lanes resume --db runs/lanes.db r-20250813-1'};

/** A terminal that records what Ink writes. */
class FakeTerminal extends EventEmitter {
	isTTY = true;
	columns = 80;
	rows = 24;
	output = '';
	write = (chunk: string, callback?: () => void) => {
		this.output += chunk;
		callback?.();
		return true;
	};
}

/** A TTY stdin, as ink-testing-library makes one. */
class FakeKeyboard extends EventEmitter {
	isTTY = true;
	#data: string | null = null;
	write(data: string) {
		this.#data = data;
		this.emit('readable');
	}

	read() {
		const data = this.#data;
		this.#data = null;
		return data;
	}

	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

afterEach(() => {
	vi.useRealTimers();
});

describe('the summary', () => {
	it('shows per-model results, the totals and both commands', async () => {
		const app = render(<SummaryTable summary={summary} commands={commands} columns={100}/>);
		const text = lines(app.lastFrame()).join('\n');
		expect(text).toContain('run r-20250813-1 interrupted in 1h02m: 400 items, 300 passed, 40 failed, 10 errored, 50 not run');
		expect(text).toMatch(/model\s+provider\s+items\s+passed\s+failed\s+errored\s+pass %\s+p50\s+p95/);
		expect(text).toMatch(/gpt-4o-mini\s+azure\s+200\s+150\s+40\s+10\s+75\.0%\s+820ms\s+2\.1s/);
		expect(text).toMatch(/qwen-max\s+idealab\s+200\s+150\s+0\s+0\s+100\.0%\s+1\.4s\s+5\.2s/);
		expect(text).toContain(`report: ${commands.report}`);
		expect(text).toContain(`resume: ${commands.resume}`);
		app.unmount();
	});
});

describe('runTui', () => {
	it('draws, takes keys, then finish() prints the summary, unmounts and lets go of the engine', async () => {
		const engine = new FakeEngine(snapshot([lane('azure'), lane('idealab')]));
		const stdout = new FakeTerminal();
		const stdin = new FakeKeyboard();
		const tui = runTui(engine, {...info, stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream});
		await vi.waitFor(() => expect(stdout.output).toContain('idealab'), {timeout: 2000, interval: 5});
		await vi.waitFor(() => expect(stdin.listenerCount('readable')).toBeGreaterThan(0), {timeout: 2000, interval: 5});
		stdin.write('2+');
		expect(engine.calls).toEqual([['setConcurrency', 'idealab', 9]]);
		expect(engine.listenerCount).toBe(1);

		await tui.finish(summary, commands);
		// The live view had the alternate screen; the summary is printed on the normal one, after leaving it.
		expect(stdout.output.startsWith('\u001B[?1049h')).toBe(true);
		const summaryAt = stdout.output.indexOf(`resume: ${commands.resume}`);
		expect(summaryAt).toBeGreaterThan(stdout.output.lastIndexOf('\u001B[?1049l'));
		expect(stdout.output).toMatch(/qwen-max\s+idealab/);
		expect(engine.listenerCount).toBe(0);
		stdin.write('q');
		expect(engine.calls).toHaveLength(1);
	});
});
