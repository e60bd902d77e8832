import {connect} from 'node:net';

/**
 * Milliseconds a TCP connection to the provider's host takes: one network round trip, the shortest time in
 * which a refusal could come back. Undefined when it cannot be measured (the request path reports why).
 */
export async function connectRoundTripMs(address: string, timeoutMs = 2000): Promise<number | undefined> {
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
