import {EventEmitter} from 'node:events';
import stringWidth from 'string-width';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {reportTable} from '../../source/summary/run-report.js';
import {runTui} from '../../source/ui/run-tui.js';
import {FakeEngine, lane, snapshot} from './fake-engine.js';
import {report} from '../summary/fixtures.js';
import {info} from './harness.js';

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

		await tui.finish(report, commands);
		// The live view had the alternate screen; the summary is printed on the normal one, after leaving it.
		expect(stdout.output.startsWith('\u001B[?1049h')).toBe(true);
		const summaryAt = stdout.output.indexOf(`resume: ${commands.resume}`);
		expect(summaryAt).toBeGreaterThan(stdout.output.lastIndexOf('\u001B[?1049l'));
		// The same table as `lanes report`, fitted to the terminal's 80 columns.
		const end = stdout.output.slice(stdout.output.lastIndexOf('\u001B[?1049l'));
		expect(end).toContain(reportTable(report, {width: 80}));
		expect(end).toContain('run r-20250813-1 interrupted in 1h02m');
		expect(end).toMatch(/^qwen-max\s+idealab\s+200\s+150/m);
		for (const line of end.split('\n').slice(1, -3)) expect(stringWidth(line), line).toBeLessThanOrEqual(80);
		expect(engine.listenerCount).toBe(0);
		stdin.write('q');
		expect(engine.calls).toHaveLength(1);
	});
});
