import {providerSchema} from '../../source/config/schema.js';
import {startSimulator, type SimulatedProviderSpec, type Simulator} from '../../source/providers/simulator/index.js';
import {jsonl, makeTempDir} from '../helpers/cli.js';
import {startPty, type PtySession} from '../helpers/pty-session.js';

/** The demo's three providers, with their own keys, models and dialects. */
const providers = {
	azure: {dialect: 'azure', models: ['gpt-4o-mini'], keyEnv: 'E2E_AZURE_KEY', key: 'sim-key-azure'},
	user_azure: {dialect: 'azure', models: ['gpt-5-nano'], keyEnv: 'E2E_USER_AZURE_KEY', key: 'sim-key-user-azure'},
	idealab: {dialect: 'openai', models: ['qwen-max', 'glm-4', 'DeepSeek-V3'], keyEnv: 'E2E_IDEALAB_KEY', key: 'sim-key-idealab'},
} as const;

export type LaneName = keyof typeof providers;
export const laneNames = Object.keys(providers) as LaneName[];

export type ScenarioOptions = {
	/** Tests in the suite (each model runs all of them). */
	tests: number;
	/** Starting concurrency of every lane. Default 2. */
	concurrency?: number;
	/** Median latency of the simulator in real ms. Default 200. */
	latencyMs?: number;
	/** idealab's models instead of its usual three, run one at a time (a batch each) so each is named in the event log. */
	idealabModels?: string[];
};

/** The simulator running in this process, a config pointing real (openai/azure) lanes at it, and the child's env. */
export type Scenario = {
	simulator: Simulator;
	dir: string;
	configPath: string;
	suitePath: string;
	dbPath: string;
	/** The API key variables the config names, set to the simulator's keys. */
	env: Record<string, string>;
	/** `lanes run` on this scenario in a 100 × 32 pseudo-terminal. */
	startTui(): PtySession;
	/** Any lanes command in a 100 × 32 pseudo-terminal, with this scenario's keys in its environment. */
	startLanes(args: string[]): PtySession;
	/** Requests that reached a provider so far (counted on arrival). */
	requests(lane: LaneName): number;
	close(): Promise<void>;
};

export async function startScenario(options: ScenarioOptions): Promise<Scenario> {
	const latencyMs = options.latencyMs ?? 200;
	const modelsOf = (name: LaneName): readonly string[] => (name === 'idealab' && options.idealabModels) || providers[name].models;
	const specs: SimulatedProviderSpec[] = Object.entries(providers).map(([name, p]) => {
		const models = modelsOf(name as LaneName);
		const parsed = providerSchema.parse({
			type: 'simulated',
			models: [...models],
			// Generous limits: what the tests watch is what the lanes send, not the provider pushing back.
			simulate: {dialect: p.dialect, maxConcurrent: 20, rps: 500, latencyMs, latencySigma: 0.2, apiKey: p.key},
		});
		if (parsed.type !== 'simulated') throw new Error('unreachable');
		return {name, models: new Map(models.map(model => [model, model])), simulate: parsed.simulate};
	});
	const simulator = await startSimulator(specs, {seed: 7});
	const temp = makeTempDir('lanes-e2e-');

	const lane = (name: LaneName) => {
		const p = providers[name];
		const target = simulator.targets.get(name)!;
		const address = target.dialect === 'azure'
			? {type: 'azure', endpoint: target.endpoint, apiVersion: target.apiVersion}
			: {type: 'openai', baseURL: target.baseURL};
		// Adaptive off: the operator's keys alone set the concurrency, so a test sees exactly their effect.
		const batch = name === 'idealab' && options.idealabModels ? {batch: {size: 1, pauseSeconds: 0}} : {};
		return {...address, apiKeyEnv: p.keyEnv, models: [...modelsOf(name)], concurrency: options.concurrency ?? 2, maxConcurrency: 16, adaptive: false, ...batch};
	};

	const configPath = temp.write('config.json', JSON.stringify({
		providers: Object.fromEntries(laneNames.map(name => [name, lane(name)])),
		request: {timeoutMs: 10_000},
		retry: {maxAttempts: 8, baseDelayMs: 20, maxDelayMs: 500},
	}, null, 2));
	const tests = Array.from({length: options.tests}, (_, index) => {
		const [a, b] = [index + 3, (index * 7) % 50];
		return {id: `t${String(index + 1).padStart(4, '0')}`, prompt: `What is ${a} + ${b}?`, expected: String(a + b)};
	});
	const suitePath = temp.write('suite.jsonl', jsonl(tests));
	const dbPath = temp.file('run.db');
	const env = Object.fromEntries(Object.values(providers).map(p => [p.keyEnv, p.key]));
	const sessions: PtySession[] = [];
	const startLanes = (args: string[]) => {
		const session = startPty(args, {env});
		sessions.push(session);
		return session;
	};

	return {
		simulator,
		dir: temp.dir,
		configPath,
		suitePath,
		dbPath,
		env,
		startTui: () => startLanes(['run', '--config', configPath, '--suite', suitePath, '--db', dbPath]),
		startLanes,
		requests: name => simulator.stats(name).requests,
		async close() {
			for (const session of sessions) session.kill();
			await Promise.all(sessions.map(async session => session.exited));
			await simulator.close();
			temp.remove();
		},
	};
}

/** The first line of a lane on the screen: "› NAME state …" when selected, "  NAME state …" when not. */
export function laneLine(screen: string, name: LaneName): string | undefined {
	return screen.split('\n').find(line => new RegExp(`^(?:› |  )${name}\\s`).test(line));
}

/** Whether the lane is the selected one on the screen. */
export function isSelected(screen: string, name: LaneName): boolean {
	return laneLine(screen, name)?.startsWith('› ') ?? false;
}
