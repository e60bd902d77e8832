import {type Config, modelMap, type ProviderConfig} from '../config/schema.js';
import type {ClientTarget} from './chat-client.js';
import type {SimulatedProviderSpec, Simulator} from './simulator/index.js';

/** A provider of `type: "simulated"` in a parsed config. */
export type SimulatedProviderConfig = Extract<ProviderConfig, {type: 'simulated'}>;

/** The simulated providers of a parsed config, in config order, as the simulator takes them. */
export function simulatedSpecs(config: Config): SimulatedProviderSpec[] {
	return Object.entries(config.providers)
		.filter((entry): entry is [string, SimulatedProviderConfig] => entry[1].type === 'simulated')
		.map(([name, provider]) => ({name, models: modelMap(provider.models), simulate: provider.simulate}));
}

/**
 * How a simulated lane reaches its provider. The lane uses the simulator's key unless the provider names
 * an `apiKeyEnv`: then it sends that variable's value, as a real lane would (a wrong one gets 401, which is
 * how a demo shows an auth failure).
 */
export function simulatedTarget(simulator: Simulator, name: string, provider: SimulatedProviderConfig, env: NodeJS.ProcessEnv = process.env): ClientTarget {
	const target = simulator.targets.get(name);
	if (!target) throw new Error(`the simulator has no provider "${name}"`);
	return provider.apiKeyEnv === undefined ? target : {...target, apiKey: env[provider.apiKeyEnv] ?? ''};
}
