import {render} from 'ink-testing-library';
import stringWidth from 'string-width';
import {vi} from 'vitest';
import {App} from '../../source/ui/App.js';
import {createSnapshotStore, type SnapshotStore} from '../../source/ui/snapshot-store.js';
import type {FakeEngine} from './fake-engine.js';

export const info = {runId: 'r-20250813-1', suitePath: 'data/smoke.jsonl', dbPath: 'runs/lanes.db'};

// eslint-disable-next-line no-control-regex
const ansi = /\u001B\[[0-9;]*[A-Za-z]/g;

/** The frame's lines without colours. */
export function lines(frame: string | undefined): string[] {
	return (frame ?? '').replace(ansi, '').split('\n');
}

/** Whether the frame draws in fewer lines than the terminal has rows and no line is wider than it, in terminal cells. */
export function fits(frame: string | undefined, columns: number, rows: number): boolean {
	const all = lines(frame);
	return all.length <= rows - 1 && all.every(line => stringWidth(line) <= columns);
}

/**
 * Renders the App with ink-testing-library, then gives its stdout a size and announces it with
 * 'resize' (ink-testing-library's stdout is always 100 columns and has no rows).
 */
export function renderApp(engine: FakeEngine, size: {columns: number; rows: number} = {columns: 80, rows: 24}) {
	const store: SnapshotStore = createSnapshotStore(engine, {intervalMs: 10, idleMs: 50});
	const result = render(<App engine={engine} store={store} info={info}/>);
	const resize = (columns: number, rows: number) => {
		Object.defineProperty(result.stdout, 'columns', {value: columns, configurable: true});
		Object.defineProperty(result.stdout, 'rows', {value: rows, configurable: true});
		result.stdout.emit('resize');
	};

	resize(size.columns, size.rows);
	return {
		...result,
		store,
		resize,
		text: () => lines(result.lastFrame()).join('\n'),
		/** Polls the frame until `predicate` holds (bounded); no fixed sleeps. */
		async waitFor(predicate: (text: string) => boolean, message = 'frame never matched'): Promise<string> {
			return vi.waitFor(() => {
				const text = lines(result.lastFrame()).join('\n');
				if (!predicate(text)) throw new Error(`${message}:\n${text}`);
				return text;
			}, {timeout: 2000, interval: 5});
		},
		/** Waits until Ink listens to stdin (useInput subscribes in an effect, after the first frame). */
		async ready(): Promise<void> {
			await vi.waitFor(() => {
				if (result.stdin.listenerCount('readable') === 0) throw new Error('stdin not read yet');
			}, {timeout: 2000, interval: 5});
		},
		/** Writes keys and waits until the engine has recorded `calls` commands in all. */
		async keys(input: string, calls: number): Promise<void> {
			result.stdin.write(input);
			await vi.waitFor(() => {
				if (engine.calls.length < calls) throw new Error(`expected ${calls} calls, got ${JSON.stringify(engine.calls)}`);
			}, {timeout: 2000, interval: 5});
		},
		cleanup() {
			result.unmount();
			store.dispose();
			void engine.dispose();
		},
	};
}
