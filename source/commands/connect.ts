import type {Config} from '../config/schema.js';
import {createChatClient} from '../providers/chat-client.js';
import {simulatedSpecs, simulatedTarget} from '../providers/simulated-config.js';
import {startSimulator, type Simulator} from '../providers/simulator/index.js';
import type {ChatClient} from '../providers/types.js';

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
