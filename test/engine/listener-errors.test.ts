import {describe, expect, it} from 'vitest';
import {realEngine} from '../helpers/real-engine.js';

describe('a listener that throws', () => {
	it('ends the run: run() rejects with its error, the other listeners still get the event, nothing more is sent', async () => {
		const real = realEngine([{name: 'a', concurrency: 2}], {tests: 50});
		const client = real.clients.get('a')!;
		await real.clock.until(() => client.held === 2, 'two requests in flight');
		const failure = new Error('disk full');
		const seen: string[] = [];
		real.engine.subscribe(event => {
			if (event.type === 'attempt') throw failure;
		});
		real.engine.subscribe(event => {
			seen.push(event.type);
		});

		client.answer(1);
		await expect(real.running).rejects.toBe(failure);
		expect(seen).toContain('attempt');
		// The request still in flight was aborted, and no new one went out after the failure.
		const sent = client.sent;
		await real.clock.advance(10_000);
		expect(client.sent).toBe(sent);
		expect(client.held).toBe(0);
	});

	it('does not throw into the control that emitted the event (a key press), and still ends the run', async () => {
		const real = realEngine([{name: 'a'}, {name: 'b'}]);
		const failure = new Error('view bug');
		real.engine.subscribe(event => {
			if (event.type === 'operator') throw failure;
		});

		expect(() => real.engine.pause('a')).not.toThrow();
		await expect(real.running).rejects.toBe(failure);
	});
});
