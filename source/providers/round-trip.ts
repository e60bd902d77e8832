import {connect} from 'node:net';

/** Connections timed: the shortest counts, as one may wait behind a busy event loop (a run's start is one). */
const samples = 3;

/**
 * Milliseconds a TCP connection to the provider's host takes: one network round trip, the shortest time in
 * which a refusal could come back. Undefined when it cannot be measured (the request path reports why).
 */
export async function connectRoundTripMs(address: string, timeoutMs = 2000): Promise<number | undefined> {
	let shortest: number | undefined;
	for (let sample = 0; sample < samples; sample++) {
		const measured = await connectOnceMs(address, timeoutMs);
		if (measured === undefined) return shortest;
		shortest = Math.min(shortest ?? measured, measured);
	}

	return shortest;
}

async function connectOnceMs(address: string, timeoutMs: number): Promise<number | undefined> {
	let url: URL;
	try {
		url = new URL(address);
	} catch {
		return undefined;
	}

	const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
	const host = url.hostname.replace(/^\[|\]$/g, '');
	return new Promise(resolve => {
		const startedAt = performance.now();
		const socket = connect({host, port});
		const done = (value: number | undefined) => {
			socket.destroy();
			resolve(value);
		};

		socket.setTimeout(timeoutMs, () => {
			done(undefined);
		});
		socket.once('connect', () => {
			done(performance.now() - startedAt);
		});
		socket.once('error', () => {
			done(undefined);
		});
	});
}
