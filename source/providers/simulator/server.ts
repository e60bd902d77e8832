import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import {once} from 'node:events';
import type {AddressInfo} from 'node:net';
import {systemClock, type Timer} from '../../engine/clock.js';
import type {ClientTarget} from '../chat-client.js';
import {handleChat} from './chat-handler.js';
import {failureResponse, route} from './dialects.js';
import {sendJson} from './http-io.js';
import {ProviderState} from './provider-state.js';
import type {SimRequestLog, SimStats, SimulatedProviderSpec, Simulator, SimulatorOptions} from './types.js';

/** The api-version the simulator hands out to Azure-dialect clients (any non-empty one is accepted). */
export const SIMULATOR_AZURE_API_VERSION = '2024-10-21';

// A long demo run logs a few thousand requests; the cap only keeps a runaway from eating memory.
const maxLogEntries = 200_000;

/**
 * Starts the built-in simulated providers: one real HTTP server on 127.0.0.1 where each provider has its own
 * path prefix, its own key and its own budget, speaking the OpenAI or the Azure OpenAI chat API.
 * `GET /_sim/stats` and `GET /_sim/log` expose the counts to other processes.
 */
export async function startSimulator(providers: SimulatedProviderSpec[], options: SimulatorOptions = {}): Promise<Simulator> {
	const clock = options.clock ?? systemClock;
	const timeScale = options.timeScale ?? 1;
	if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
	const startedAt = clock.now();
	const states = new Map<string, ProviderState>();
	for (const spec of providers) {
		if (states.has(spec.name)) throw new Error(`simulated provider "${spec.name}" is defined twice`);
		states.set(spec.name, new ProviderState(spec, timeScale, options.seed ?? 1, startedAt));
	}

	let log: SimRequestLog[] = [];
	const timers = new Set<Timer>();
	let responses = 0;
	const context = {
		now: () => clock.now(),
		elapsed: () => clock.now() - startedAt,
		nextId: () => `sim-${++responses}`,
		schedule(ms: number, callback: () => void) {
			const timer = clock.setTimeout(() => {
				timers.delete(timer);
				callback();
			}, ms);
			timers.add(timer);
			return () => {
				clock.clearTimeout(timer);
				timers.delete(timer);
			};
		},
		record(entry: SimRequestLog) {
			log.push(entry);
			if (log.length > maxLogEntries * 1.1) log = log.slice(-maxLogEntries);
		},
	};
	const allStats = () => Object.fromEntries([...states].map(([name, state]) => [name, state.stats()]));

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://simulator');
		const target = route(request.method ?? 'GET', url.pathname);
		if (target.kind === 'stats') return sendJson(response, 200, {elapsedMs: context.elapsed(), providers: allStats()});
		if (target.kind === 'log') return sendJson(response, 200, log);
		const state = target.kind === 'chat' ? states.get(target.provider) : undefined;
		if (target.kind !== 'chat' || !state || state.simulate.dialect !== target.dialect) {
			const {status, body} = failureResponse(target.kind === 'chat' ? target.dialect : 'openai', {kind: 'no_route'});
			return sendJson(response, status, body);
		}

		await handleChat(context, state, request, response, {dialect: target.dialect, deployment: target.deployment, query: url.searchParams});
	}

	// Responses not yet closed, so close() can wait until every exchange has released its slot and logged.
	const open = new Set<ServerResponse>();
	const server = createServer((request, response) => {
		open.add(response);
		response.on('close', () => open.delete(response));
		handle(request, response).catch(() => {
			// A bug here must cost one request, not the whole run.
			sendJson(response, 500, {error: {message: 'simulator error', type: 'server_error', param: null, code: null}});
		});
	});
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const url = `http://${urlHost(host)}:${(server.address() as AddressInfo).port}`;

	return {
		url,
		targets: new Map([...states].map(([name, state]) => [name, targetFor(url, name, state)])),
		stats(provider: string): SimStats {
			const state = states.get(provider);
			if (!state) throw new Error(`no simulated provider "${provider}"`);
			return state.stats();
		},
		log: () => [...log],
		resetStats() {
			for (const state of states.values()) state.resetStats();
			log = [];
		},
		async close() {
			const closed = new Promise<void>(resolve => {
				server.close(() => {
					resolve();
				});
			});
			const ended = [...open].map(async response => once(response, 'close'));
			// Without this, keep-alive sockets and requests still waiting out their latency hold close() open.
			server.closeAllConnections();
			for (const timer of timers) clock.clearTimeout(timer);
			timers.clear();
			await Promise.all([closed, ...ended]);
		},
	};
}

function targetFor(url: string, name: string, state: ProviderState): ClientTarget {
	const prefix = `${url}/${encodeURIComponent(name)}`;
	return state.simulate.dialect === 'azure'
		? {dialect: 'azure', endpoint: prefix, apiVersion: SIMULATOR_AZURE_API_VERSION, apiKey: state.apiKey}
		: {dialect: 'openai', baseURL: `${prefix}/v1`, apiKey: state.apiKey};
}

/** The host to put in the URL: a wildcard address is reached through loopback; IPv6 needs brackets. */
function urlHost(host: string): string {
	if (host === '0.0.0.0' || host === '') return '127.0.0.1';
	if (host === '::') return '[::1]';
	return host.includes(':') ? `[${host}]` : host;
}
