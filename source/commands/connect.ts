import {modelMap, type Config} from '../config/schema.js';
import type {LaneSpec} from '../engine/types.js';
import {createChatClient} from '../providers/chat-client.js';
import {simulatedSpecs, simulatedTarget} from '../providers/simulated-config.js';
import {startSimulator, type Simulator} from '../providers/simulator/index.js';
import type {ChatClient} from '../providers/types.js';
import type {LaneSettings} from '../store/types.js';

/** A client per provider; the built-in simulator started when the config has simulated providers. */
export type Connection = {
	clients: Map<string, ChatClient>;
	simulator?: Simulator;
	close(): Promise<void>;
};

export async function connect(config: Config, apiKeys: ReadonlyMap<string, string>): Promise<Connection> {
	const specs = simulatedSpecs(config);
	const simulator = specs.length > 0 ? await startSimulator(specs, {port: config.simulator.port, timeScale: config.simulator.timeScale, seed: Date.now() % 100_000}) : undefined;
	const clients = new Map<string, ChatClient>();
	const bounds = {maxResponseBytes: config.request.maxResponseBytes};
	for (const [name, provider] of Object.entries(config.providers)) {
		const apiKey = apiKeys.get(name);
		if (provider.type === 'azure') {
			clients.set(name, createChatClient({dialect: 'azure', endpoint: provider.endpoint, apiVersion: provider.apiVersion, apiKey: apiKey ?? ''}, bounds));
		} else if (provider.type === 'openai') {
			clients.set(name, createChatClient({dialect: 'openai', baseURL: provider.baseURL, apiKey: apiKey ?? ''}, bounds));
		} else {
			clients.set(name, createChatClient(simulatedTarget(simulator!, name, provider), bounds));
		}
	}

	return {
		clients,
		simulator,
		async close() {
			await simulator?.close();
		},
	};
}

/** The lane settings a new run starts from: the config's. */
export function configLaneSettings(config: Config): LaneSettings[] {
	return Object.entries(config.providers).map(([lane, provider]) => ({
		lane,
		concurrency: Math.min(provider.maxConcurrency, Math.max(provider.minConcurrency, provider.concurrency)),
		minConcurrency: provider.minConcurrency,
		maxConcurrency: provider.maxConcurrency,
		adaptive: provider.adaptive,
		paused: false,
		qps: provider.qps,
	}));
}

/** One lane per provider, in config order, starting from the given settings. */
export function laneSpecs(config: Config, clients: ReadonlyMap<string, ChatClient>, settings: readonly LaneSettings[]): LaneSpec[] {
	const byLane = new Map(settings.map(setting => [setting.lane, setting]));
	return Object.entries(config.providers).map(([name, provider]) => {
		const setting = byLane.get(name) ?? configLaneSettings(config).find(s => s.lane === name)!;
		return {
			name,
			client: clients.get(name)!,
			models: [...modelMap(provider.models)].map(([model, apiModel]) => ({name: model, apiModel})),
			concurrency: setting.concurrency,
			minConcurrency: setting.minConcurrency,
			maxConcurrency: setting.maxConcurrency,
			// The rate cap is the config's (no key changes it); the rest is as the operator or controller left it.
			qps: provider.qps,
			adaptive: setting.adaptive,
			paused: setting.paused,
			batch: provider.batch,
			keyVariable: provider.apiKeyEnv,
		};
	});
}
