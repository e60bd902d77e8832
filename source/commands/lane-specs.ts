import {modelMap, type Config} from '../config/schema.js';
import type {LaneSpec} from '../engine/types.js';
import {derivedRps} from '../providers/simulator/effective-rps.js';
import type {ChatClient} from '../providers/types.js';
import type {LaneSettings} from '../store/types.js';

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

/** Azure grants requests per minute in proportion to the token quota; a lane that knows the quota keeps to both. */
function azureDerivedQps(provider: Config['providers'][string]): number | undefined {
	const azure = provider.type === 'azure' || (provider.type === 'simulated' && provider.simulate.dialect === 'azure');
	return azure && provider.tpm !== undefined ? derivedRps(provider.tpm) : undefined;
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
			qps: provider.qps ?? azureDerivedQps(provider),
			tpm: provider.tpm,
			breaker: provider.breaker,
			hedge: provider.hedge,
			adaptive: setting.adaptive,
			paused: setting.paused,
			batch: provider.batch,
			keyVariable: provider.apiKeyEnv,
		};
	});
}
