import {z} from 'zod';
import {hasControlCharacters} from './quote.js';
import {redisUrlProblem} from '../shared-budget/redis-url.js';

const positiveInt = z.number().int().positive();

// Model names are printed in tables, CSV, events and messages: none may carry what a terminal would act on.
const modelName = z.string().min(1).refine(name => !hasControlCharacters(name), 'expected a model name without control characters or escape sequences');

const batch = z
	.strictObject({
		size: positiveInt.describe('How many of the lane\'s models run together in one cohort.'),
		pauseSeconds: z.number().nonnegative().default(30).describe('Rest between cohorts, in seconds (the seed\'s emergency plan).'),
	})
	.describe('Run the lane\'s models in cohorts with a rest in between.');

const breaker = z
	.strictObject({
		failures: positiveInt.default(5).describe('Consecutive 5xx, timeouts or connection errors that mark the provider as down.'),
		maxProbeSeconds: z.number().positive().default(60).describe('Longest wait between probes while the provider is down.'),
	})
	.describe('Outage detection: a provider failing as a whole gets no requests but one probe at a time until it answers.');

const modelEntry = z
	.strictObject({
		deployment: z.string().min(1).optional().describe('Name sent to the API (Azure deployment, or the gateway\'s model id). Defaults to the model name.'),
	})
	.describe('One model: the name in the config and results is the key.');

const models = z
	.union([
		z.array(modelName).min(1),
		z.record(modelName, modelEntry).refine(entries => Object.keys(entries).length > 0, 'expected at least one model, got none'),
	])
	.describe('Model names, or an object of name -> {deployment}.');

/** Fields every provider has: the lane's limits and how it adapts. */
const laneFields = {
	models,
	apiKeyEnv: z.string().min(1).optional().describe('Name of the environment variable that holds the API key. The key itself never goes in the config.'),
	concurrency: positiveInt.default(4).describe('Starting number of requests in flight at once.'),
	minConcurrency: positiveInt.default(1).describe('Adaptive control never goes below this.'),
	maxConcurrency: positiveInt.default(64).describe('Adaptive control never goes above this.'),
	qps: z.number().positive().optional().describe('Requests per second cap for the whole provider. No cap when absent (an Azure provider with tpm derives one: 6 requests per minute per 1,000 tpm).'),
	tpm: positiveInt.optional().describe('Tokens per minute the provider allows, if known: the lane paces each request\'s estimate (prompt characters / 4 + max_tokens) against it, as Azure counts at admission.'),
	breaker: breaker.optional(),
	hedge: z.boolean().default(true).describe('When the lane has nothing left to send and a slot free, send a second copy of a request that has taken more than twice the usual latency; the first answer counts and the other is dropped. Cuts the tail of heavy-tailed providers for a few extra requests per lane.'),
	adaptive: z.boolean().default(true).describe('Adapt concurrency to what the provider allows: down on 429s and errors, up slowly while all is well.'),
	batch: batch.optional(),
	budget: z.string().min(1).optional().describe('Id of the provider budget this lane spends, shared with every runner whose provider names the same id (with shared.redis). Defaults to the endpoint or baseURL; for a simulated provider, the simulator\'s URL and the provider\'s name.'),
};

const outage = z.strictObject({
	atSeconds: z.number().nonnegative().describe('Start of the outage, seconds after the simulator starts (before timeScale).'),
	forSeconds: z.number().positive().describe('Length of the outage in seconds (before timeScale).'),
	status: z.number().int().refine(status => status === 429 || (status >= 500 && status <= 599), {error: issue => `expected 429 or a 5xx status, got ${String(issue.input)}`}).default(503).describe('HTTP status answered during the outage: a 5xx, or 429 for a storm of refusals (with Retry-After).'),
});

const limitChange = z.strictObject({
	atSeconds: z.number().nonnegative().describe('When the provider\'s limits change, seconds after the simulator starts (before timeScale).'),
	maxConcurrent: positiveInt.optional().describe('New in-flight cap.'),
	rps: z.number().positive().optional().describe('New requests per second.'),
	tpm: positiveInt.optional().describe('New tokens per minute.'),
});

const simulate = z
	.strictObject({
		dialect: z.enum(['openai', 'azure']).default('openai').describe('Which API the simulated provider speaks.'),
		maxConcurrent: positiveInt.default(8).describe('Requests the provider serves at once across all its models; more get 429.'),
		rps: z.number().positive().optional().describe('Requests per second the provider accepts across all its models (token bucket); more get 429. Default 10, or for an Azure-dialect provider with tpm, 6 per minute per 1,000 tpm.'),
		tpm: positiveInt.optional().describe('Tokens per minute across all its models, counted at admission as prompt characters / 4 + max_tokens; more get 429. Azure dialect enforces it over 10-second windows.'),
		changes: z.array(limitChange).default([]).describe('Limits that move: at each time, the named limits take new values.'),
		burst: z.number().positive().optional().describe('Token bucket size. Defaults to rps (one second of requests).'),
		latencyMs: z.number().positive().default(800).describe('Median latency of one request in ms (lognormal, before timeScale).'),
		latencySigma: z.number().nonnegative().default(0.35).describe('Spread of the lognormal latency (sigma of its log).'),
		errorRate: z.number().min(0).max(1).default(0).describe('Share of requests answered with a 5xx at random.'),
		outages: z.array(outage).default([]).describe('Windows during which every request gets a 5xx.'),
		accuracy: z.record(z.string(), z.number().min(0).max(1)).default({}).describe('Share of right answers per model; unnamed models get a fixed value derived from their name.'),
		apiKey: z.string().min(1).optional().describe('Key the simulator accepts. Defaults to a built-in one that simulated lanes use unless apiKeyEnv is set.'),
	})
	.default({
		dialect: 'openai',
		maxConcurrent: 8,
		changes: [],
		latencyMs: 800,
		latencySigma: 0.35,
		errorRate: 0,
		outages: [],
		accuracy: {},
	})
	.describe('Behaviour of a simulated provider.');

const azureProvider = z.strictObject({
	type: z.literal('azure').describe('Azure OpenAI.'),
	endpoint: z.url().describe('Azure OpenAI resource endpoint, e.g. https://RESOURCE.openai.azure.com'),
	apiVersion: z.string().min(1).default('2024-10-21').describe('Azure OpenAI api-version query parameter.'),
	...laneFields,
	apiKeyEnv: z.string().min(1).describe('Name of the environment variable that holds the API key.'),
});

const openaiProvider = z.strictObject({
	type: z.literal('openai').describe('Any OpenAI-compatible API (a gateway).'),
	baseURL: z.url().describe('Base URL of an OpenAI-compatible API, e.g. https://GATEWAY/v1'),
	...laneFields,
	apiKeyEnv: z.string().min(1).describe('Name of the environment variable that holds the API key.'),
});

const simulatedProvider = z.strictObject({
	type: z.literal('simulated').describe('The built-in simulator: no network, no key, limits set under "simulate".'),
	...laneFields,
	simulate,
});

export const providerSchema = z.discriminatedUnion('type', [azureProvider, openaiProvider, simulatedProvider]);

export const configSchema = z
	.strictObject({
		providers: z
			.record(z.string().regex(/^[\w.-]+$/, 'provider names use only letters, digits and _ . -'), providerSchema)
			.refine(providers => Object.keys(providers).length > 0, 'expected at least one provider, got none')
			.describe('One lane per provider, shown in this order.'),
		request: z
			.strictObject({
				timeoutMs: positiveInt.default(60_000).describe('Timeout of one request in ms.'),
				maxTokens: positiveInt.default(256).describe('max_tokens sent with every request.'),
				temperature: z.number().min(0).max(2).default(0).describe('temperature sent with every request.'),
				maxResponseBytes: positiveInt.default(1_048_576).describe('Largest response body read, in bytes; a larger answer fails its item as permanent (default 1 MiB).'),
			})
			.default({timeoutMs: 60_000, maxTokens: 256, temperature: 0, maxResponseBytes: 1_048_576})
			.describe('What every request sends and how long it may take.'),
		retry: z
			.strictObject({
				maxAttempts: positiveInt.default(8).describe('Attempts per item for transient failures before it counts as errored.'),
				baseDelayMs: z.number().nonnegative().default(1000).describe('First backoff delay, at most: a lane whose provider answers faster waits twice its latency instead. Doubles each attempt, with full jitter.'),
				maxDelayMs: z.number().nonnegative().default(60_000).describe('Longest backoff delay, and the longest Retry-After honoured.'),
			})
			.default({maxAttempts: 8, baseDelayMs: 1000, maxDelayMs: 60_000})
			.describe('Retries of rate-limited (429) and transient (5xx, timeout) failures.'),
		shared: z
			.strictObject({
				redis: z.string().superRefine((text, context) => {
					const problem = redisUrlProblem(text);
					if (problem) context.addIssue({code: 'custom', message: problem, input: text});
				}).describe('Redis that runners of one provider budget share their limits through, e.g. redis://HOST:6379/0. The --redis flag sets or overrides it.'),
			})
			.optional()
			.describe('Share each provider\'s budget (in-flight cap, rates, Retry-After pauses, outage probes) with other lanes runners.'),
		simulator: z
			.strictObject({
				timeScale: z.number().positive().default(1).describe('Multiplies the simulator\'s latencies, outage times and Retry-After (0.01 runs 100x faster).'),
				port: z.number().int().min(0).max(65_535).default(0).describe('Port of the built-in simulator; 0 picks a free one.'),
			})
			.default({timeScale: 1, port: 0})
			.describe('The built-in simulated provider set.'),
	})
	.superRefine((config, context) => {
		const owner = new Map<string, string>();
		for (const [name, provider] of Object.entries(config.providers)) {
			if (provider.minConcurrency > provider.maxConcurrency) {
				context.addIssue({code: 'custom', path: ['providers', name, 'minConcurrency'], message: `expected at most maxConcurrency (${provider.maxConcurrency}), got ${provider.minConcurrency}`, input: provider.minConcurrency});
			}

			for (const [index, model] of modelNames(provider.models).entries()) {
				const other = owner.get(model);
				if (other) {
					// Results are keyed by model name, so a name may appear once; the deployment may repeat.
					const where = Array.isArray(provider.models) ? index : model;
					const rename = JSON.stringify({[`${model}-${name}`]: {deployment: model}});
					context.addIssue({code: 'custom', path: ['providers', name, 'models', where], message: `model "${model}" is already in provider "${other}"; model names must be unique, so name this one differently, e.g. ${rename}`, input: model});
				}

				owner.set(model, name);
			}
		}
	});

export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type SimulateConfig = z.infer<typeof simulate>;

/** Model name -> name sent to the API. */
export function modelMap(models: ProviderConfig['models']): Map<string, string> {
	if (Array.isArray(models)) return new Map(models.map(name => [name, name]));
	return new Map(Object.entries(models).map(([name, entry]) => [name, entry.deployment ?? name]));
}

export function modelNames(models: ProviderConfig['models']): string[] {
	return [...modelMap(models).keys()];
}
