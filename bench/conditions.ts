import type {SimProvider} from './scenario.js';

/**
 * Provider conditions lanes must hold up under, each in the seed's shape: a few providers, one of them a
 * 20-model gateway with one shared budget. Times are simulated seconds; the runs are fast-forwarded 100x.
 * The engine is told none of these limits: lanes start from the seed's fixed plan.
 */
export type Condition = {
	key: string;
	label: string;
	providers: SimProvider[];
	/** Tests per model. */
	tests: number;
	/** Per provider, the plan lanes and the fixed plan start from. */
	plan: Record<string, number>;
	/** A provider whose address has nothing listening: the run must stop it and end with exit 4. */
	deadProvider?: string;
	/** max_tokens sent with every request (token quotas count it at admission). */
	maxTokens?: number;
	/** Providers told their token quota in the config (tpm), as a user who knows it would. */
	toldTpm?: string[];
};

const gatewayModels = Array.from({length: 20}, (_, index) => `gw-model-${String(index + 1).padStart(2, '0')}`);
const seedPlan = {azure: 5, user_azure: 5, gateway: 2};
const latency = {latencyMs: 1000, latencySigma: 0.35};

const azure = (simulate: SimProvider['simulate'] = {}): SimProvider => ({name: 'azure', dialect: 'azure', models: ['gpt-4o-mini'], simulate: {maxConcurrent: 12, rps: 10, ...latency, ...simulate}});
const userAzure = (simulate: SimProvider['simulate'] = {}): SimProvider => ({name: 'user_azure', dialect: 'azure', models: ['gpt-5-nano'], simulate: {maxConcurrent: 8, rps: 6, ...latency, ...simulate}});
const gateway = (simulate: SimProvider['simulate']): SimProvider => ({name: 'gateway', dialect: 'openai', models: gatewayModels, simulate: {...latency, ...simulate}});

/** An Azure account with a tokens-per-minute quota (60k, max_tokens 500) beside a gateway. */
const tpmQuota = (): Pick<Condition, 'providers' | 'tests' | 'maxTokens' | 'plan'> => ({
	providers: [
		{name: 'azure', dialect: 'azure', models: ['gpt-4o-mini', 'gpt-4o', 'o4-mini'], simulate: {maxConcurrent: 50, tpm: 60_000, ...latency}},
		gateway({maxConcurrent: 8, rps: 6}),
	],
	tests: 40,
	maxTokens: 500,
	plan: {azure: 5, gateway: 2},
});

export const conditions: Condition[] = [
	{
		key: 'outage',
		label: 'gateway outage of 4 minutes (503 to everything)',
		providers: [azure(), userAzure(), gateway({maxConcurrent: 10, rps: 8, outages: [{atSeconds: 60, forSeconds: 240, status: 503}]})],
		tests: 40,
		plan: seedPlan,
	},
	{
		key: 'faults',
		label: '10% random 5xx + a 2-minute outage + a 1-minute 429 storm',
		providers: [
			azure({errorRate: 0.1}), userAzure({errorRate: 0.1}),
			gateway({maxConcurrent: 10, rps: 8, errorRate: 0.1, outages: [{atSeconds: 50, forSeconds: 120, status: 502}, {atSeconds: 260, forSeconds: 60, status: 429}]}),
		],
		tests: 40,
		plan: seedPlan,
	},
	{
		key: 'seed',
		label: 'seed-like limits (rate-bound gateway)',
		providers: [azure(), userAzure(), gateway({maxConcurrent: 6, rps: 5})],
		tests: 30,
		plan: seedPlan,
	},
	{
		key: 'cap-drop',
		label: 'gateway concurrency cap drops to a third mid-run, then comes back',
		providers: [azure(), userAzure(), gateway({maxConcurrent: 24, rps: 100, changes: [{atSeconds: 15, maxConcurrent: 8}, {atSeconds: 35, maxConcurrent: 24}]})],
		tests: 40,
		plan: seedPlan,
	},
	{
		key: 'reasoning',
		label: 'reasoning models: 30 s median latency, heavy tail, 32 in flight allowed',
		providers: [
			azure({latencyMs: 20_000, latencySigma: 0.6}),
			gateway({maxConcurrent: 32, rps: 100, latencyMs: 30_000, latencySigma: 0.6}),
		],
		tests: 20,
		plan: seedPlan,
	},
	{
		key: 'tpm',
		label: 'Azure tokens-per-minute quota, max_tokens 500 (lanes not told the quota)',
		...tpmQuota(),
	},
	{
		key: 'tpm-told',
		label: 'the same quota, told to lanes as tpm',
		...tpmQuota(),
		toldTpm: ['azure'],
	},
	{
		key: 'dead',
		label: 'a baseURL where nothing listens, beside two healthy lanes',
		providers: [azure(), userAzure(), gateway({maxConcurrent: 8, rps: 6})],
		tests: 10,
		plan: seedPlan,
		deadProvider: 'gateway',
	},
];
