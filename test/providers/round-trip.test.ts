import {createServer} from 'node:net';
import {describe, expect, it} from 'vitest';
import {connectRoundTripMs} from '../../source/providers/round-trip.js';

describe('connectRoundTripMs', () => {
	it('times a TCP connection to the provider\'s host, and gives nothing where nobody listens', async () => {
		const server = createServer(socket => socket.destroy());
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as {port: number};
		const measured = await connectRoundTripMs(`http://127.0.0.1:${port}/v1`);
		expect(measured).toBeGreaterThan(0);
		await new Promise(resolve => server.close(resolve));
		expect(await connectRoundTripMs(`http://127.0.0.1:${port}/v1`)).toBeUndefined();
		expect(await connectRoundTripMs('not a url')).toBeUndefined();
	});

	it('takes the shortest of a few connections: one that waited behind a busy event loop does not count', async () => {
		const server = createServer(socket => socket.destroy());
		await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
		const {port} = server.address() as {port: number};
		const measuring = connectRoundTripMs(`http://127.0.0.1:${port}/v1`);
		// The run's start keeps the loop busy while the first connection is made.
		const busyUntil = performance.now() + 60;
		while (performance.now() < busyUntil) { /* busy */ }
		const measured = await measuring;
		await new Promise(resolve => server.close(resolve));
		expect(measured).toBeLessThan(30);
	});
});
