import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';
import {providerSchema, type SimulateConfig} from '../../source/config/schema.js';
import type {SimulatedProviderSpec} from '../../source/providers/simulator/index.js';
import {waitUntil} from '../helpers/wait.js';

/** A simulated provider spec with the schema's defaults filled in, as a parsed config would have it. */
export function spec(name: string, models: string[] | Record<string, string>, simulate: Record<string, unknown> = {}): SimulatedProviderSpec {
	const parsed = providerSchema.parse({
		type: 'simulated',
		models: Array.isArray(models) ? models : Object.fromEntries(Object.entries(models).map(([model, deployment]) => [model, {deployment}])),
		simulate,
	});
	if (parsed.type !== 'simulated') throw new Error('unreachable');
	const map = Array.isArray(models) ? new Map(models.map(model => [model, model])) : new Map(Object.entries(models));
	return {name, models: map, simulate: parsed.simulate as SimulateConfig};
}

/** Waits until `condition` holds, polling; fails after `timeoutMs` instead of hoping a sleep was long enough. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
	await waitUntil(what, condition, {timeoutMs});
}

/** The rejection of a promise (fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
	try {
		await promise;
	} catch (error) {
		return error;
	}

	throw new Error('expected a rejection');
}

/** A bare HTTP server answering every request with `handler`, to show the client what no simulator sends. */
export async function startRawServer(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<{url: string; close(): Promise<void>}> {
	const server = createServer(handler);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		},
	};
}

/** A URL where nothing listens (a port that was just freed). */
export async function deadUrl(): Promise<string> {
	const server = await startRawServer(() => undefined);
	await server.close();
	return server.url;
}
