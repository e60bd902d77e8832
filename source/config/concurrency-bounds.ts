import type {Config} from './schema.js';
import {formatPath} from './explain-issues.js';

/**
 * A `concurrency` the user wrote outside [minConcurrency, maxConcurrency] would be clamped without a word
 * ("100, adaptive off" running at 64): say so instead. Only a value written in the file counts; the default
 * (4) under a small maxConcurrency is simply lowered to it.
 */
export function concurrencyProblems(source: string, input: unknown, config: Config): string[] {
	const problems: string[] = [];
	const written = (input as {providers?: Record<string, {concurrency?: unknown}>} | undefined)?.providers;
	for (const [name, provider] of Object.entries(config.providers)) {
		if (written?.[name]?.concurrency === undefined) continue;
		const where = `${source}: ${formatPath(['providers', name, 'concurrency'])}`;
		if (provider.concurrency > provider.maxConcurrency) {
			problems.push(`${where}: expected at most maxConcurrency (${provider.maxConcurrency}), got ${provider.concurrency}; raise "maxConcurrency" too to start that high`);
		} else if (provider.concurrency < provider.minConcurrency) {
			problems.push(`${where}: expected at least minConcurrency (${provider.minConcurrency}), got ${provider.concurrency}`);
		}
	}

	return problems;
}
