import {readConfigFile} from '../../source/config/load-config.js';
import {loadSuite} from '../../source/config/load-suite.js';
import {modelMap} from '../../source/config/schema.js';
import {grade} from '../../source/engine/grade.js';
import {modelAccuracy, simulatedAnswer} from '../../source/providers/simulator/index.js';

/** Tests of every form the simulator answers, and every match kind. */
export const suiteTests = [
	{id: 'add-1', prompt: 'What is 17 + 25? Reply with the number only.', expected: '42'},
	{id: 'add-2', prompt: 'What is 8 + 5?', expected: '13'},
	{id: 'mul-1', prompt: 'What is 12 * 12?', expected: '144'},
	{id: 'sub-1', prompt: 'What is 100 - 58?', expected: '42', match: 'contains'},
	{id: 'rev-1', prompt: 'Reverse the word: lantern', expected: 'nretnal'},
	{id: 'rev-2', prompt: 'Reverse the word: harbor', expected: 'robrah'},
	{id: 'up-1', prompt: 'Uppercase: provider', expected: 'PROVIDER'},
	{id: 'up-2', prompt: 'Uppercase: lanes run fast', expected: '^LANES RUN FAST$', match: 'regex'},
	{id: 'rep-1', prompt: 'Repeat exactly: The quick brown fox.', expected: 'The quick brown fox.'},
	{id: 'rep-2', prompt: 'Repeat exactly: no full stop', expected: 'no full stop'},
	{id: 'ok-1', prompt: 'Say OK if you can read this.', expected: 'OK'},
	{id: 'any-1', prompt: 'Write anything at all.'},
] as const;

/**
 * Two simulated providers (one per dialect, one with a deployment name and a set accuracy), fast enough for
 * a test: `timeScale` 0.01, limits no run here reaches, quick retries.
 */
export function fastConfig(overrides: {timeScale?: number; providers?: Record<string, object>} = {}): object {
	return {
		providers: overrides.providers ?? {
			alpha: {
				type: 'simulated',
				models: ['m-one', 'm-two'],
				concurrency: 4,
				simulate: {dialect: 'openai', latencyMs: 200, maxConcurrent: 32, rps: 100, accuracy: {'m-two': 0.5}},
			},
			beta: {
				type: 'simulated',
				models: {'m-three': {deployment: 'dep-three'}},
				concurrency: 3,
				simulate: {dialect: 'azure', latencyMs: 300, maxConcurrent: 32, rps: 100},
			},
		},
		retry: {maxAttempts: 8, baseDelayMs: 10, maxDelayMs: 200},
		simulator: {timeScale: overrides.timeScale ?? 0.01},
	};
}

/**
 * Passes per model that the simulator's fixed answers give: `simulatedAnswer` with the model's accuracy,
 * graded as the engine grades. Reads the files the CLI reads, so defaults are applied the same way.
 */
export function predictedPasses(configPath: string, suitePath: string): Map<string, number> {
	const config = readConfigFile(configPath);
	const {tests} = loadSuite(suitePath);
	const passes = new Map<string, number>();
	for (const provider of Object.values(config.providers)) {
		if (provider.type !== 'simulated') throw new Error('predictedPasses needs simulated providers');
		for (const model of modelMap(provider.models).keys()) {
			const accuracy = modelAccuracy(model, provider.simulate);
			passes.set(model, tests.filter(test => grade(test, simulatedAnswer(model, test.prompt, accuracy)) === 'passed').length);
		}
	}

	return passes;
}

/** The exact key sets of the `--json` summary: a contract scripts rely on. */
export const summaryKeys = {
	top: ['runId', 'status', 'elapsedMs', 'totals', 'providers', 'models'],
	counts: ['items', 'passed', 'failed', 'errored', 'pending'],
	provider: ['items', 'passed', 'failed', 'errored', 'pending', 'requests', 'rateLimited', 'retries', 'concurrency', 'outageFailures', 'transientFailures', 'outages', 'downMs', 'tokens', 'tokensPerMinute'],
	model: ['provider', 'items', 'passed', 'failed', 'errored', 'pending', 'latencyP50Ms', 'latencyP95Ms'],
};

/** Parses stdout that must hold exactly one JSON object (one line) and nothing else. */
export function onlyJsonObject(stdout: string): any {
	const lines = stdout.split('\n').filter(line => line.trim() !== '');
	if (lines.length !== 1) throw new Error(`expected exactly one line of JSON on stdout, got ${lines.length}:\n${stdout}`);
	const value: unknown = JSON.parse(lines[0]!);
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`expected a JSON object on stdout, got: ${lines[0]}`);
	return value;
}
