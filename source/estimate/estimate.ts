import {effectiveRps} from '../providers/simulator/effective-rps.js';
import {modelNames, type Config} from '../config/schema.js';

/** Where a latency figure came from: measured in earlier runs, or assumed. */
export type LatencySource = 'observed' | 'simulated' | 'assumed';

export type ProviderEstimate = {
	provider: string;
	models: number;
	items: number;
	/** Mean latency per request used for this provider. */
	latencyMs: number;
	latencySource: LatencySource;
	serialMs: number;
	/** With the configured concurrency and qps (and batch rests). */
	configuredMs: number;
	/** At the provider's own limits, when lanes knows them (simulated providers); else undefined. */
	atLimitsMs?: number;
};

export type Estimate = {
	tests: number;
	providers: ProviderEstimate[];
	/** One request after another, every model. */
	serialMs: number;
	/** Lanes in parallel: the slowest lane. */
	configuredMs: number;
	atLimitsMs?: number;
	assumptions: string[];
};

export type EstimateInput = {
	config: Config;
	tests: number;
	/** Mean latency per model observed in earlier runs. */
	observed: ReadonlyMap<string, {count: number; meanMs: number}>;
	/** Used when neither history nor a simulated latency is known. */
	assumedLatencyMs: number;
};

/**
 * The seed's time estimate done properly: per provider, serially, with the configured plan, and at the
 * provider limits, saying which numbers are assumed.
 */
export function estimate(input: EstimateInput): Estimate {
	const assumptions: string[] = [];
	const providers = Object.entries(input.config.providers).map(([name, provider]): ProviderEstimate => {
		const models = modelNames(provider.models);
		const items = models.length * input.tests;
		const seen = models.map(model => input.observed.get(model)).filter(stats => stats !== undefined && stats.count > 0);
		let latencyMs: number;
		let latencySource: LatencySource;
		if (seen.length > 0) {
			latencyMs = seen.reduce((sum, stats) => sum + (stats!.meanMs * stats!.count), 0) / seen.reduce((sum, stats) => sum + stats!.count, 0);
			latencySource = 'observed';
			if (seen.length < models.length) assumptions.push(`${name}: ${models.length - seen.length} of ${models.length} models have no history; they are taken to be as fast as the others`);
		} else if (provider.type === 'simulated') {
			// Mean of a lognormal with this median and spread.
			latencyMs = provider.simulate.latencyMs * Math.exp((provider.simulate.latencySigma ** 2) / 2);
			latencySource = 'simulated';
		} else {
			latencyMs = input.assumedLatencyMs;
			latencySource = 'assumed';
			assumptions.push(`${name}: no earlier runs of its models; assumed ${input.assumedLatencyMs / 1000} s per request`);
		}

		const perSecond = (concurrency: number, qps?: number) => Math.min(concurrency / (latencyMs / 1000), qps ?? Number.POSITIVE_INFINITY);
		const cohorts = provider.batch ? Math.ceil(models.length / provider.batch.size) : 1;
		const restsMs = provider.batch ? (cohorts - 1) * provider.batch.pauseSeconds * 1000 : 0;
		// What the provider itself allows, where lanes knows it: no plan goes faster than that.
		const capacity = provider.type === 'simulated' ? perSecond(provider.simulate.maxConcurrent, effectiveRps(provider.simulate)) : Number.POSITIVE_INFINITY;
		const configuredMs = ((items / Math.min(capacity, perSecond(provider.concurrency, provider.qps))) * 1000) + restsMs;
		const atLimitsMs = Number.isFinite(capacity) ? (items / capacity) * 1000 : undefined;
		return {provider: name, models: models.length, items, latencyMs, latencySource, serialMs: items * latencyMs, configuredMs, atLimitsMs};
	});
	if (providers.some(p => p.atLimitsMs === undefined)) assumptions.push('the limits of real providers are not known to lanes: "at limits" covers simulated providers only');
	const atLimits = providers.map(p => p.atLimitsMs);
	return {
		tests: input.tests,
		providers,
		serialMs: providers.reduce((sum, p) => sum + p.serialMs, 0),
		configuredMs: Math.max(...providers.map(p => p.configuredMs)),
		atLimitsMs: atLimits.includes(undefined) ? undefined : Math.max(...atLimits as number[]),
		assumptions,
	};
}
