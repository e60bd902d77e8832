import {sleep, systemClock, type Clock} from '../source/engine/clock.js';
import type {TestCase} from '../source/engine/types.js';
import {ProviderError, type ChatClient} from '../source/providers/types.js';

/** What a baseline run of one provider did. */
/** 429s are retried as long as it takes (each after its Retry-After), as eval tools do; this only ends a loop that would never. */
const maxRateLimitedAttempts = 10_000;

export type PoolLane = {doneMs: number; answered: number; gaveUp: number};

/**
 * The baselines: a fixed-size pool per provider, each worker sending its next item and retrying it on its
 * own, as a script or an eval tool without a shared budget does. A 429 waits its Retry-After; a 5xx or a
 * dropped connection backs off exponentially (from twice the simulated latency, with full jitter); after
 * `maxAttempts` failures (5xx) the item is given up; a 429 is retried until it is answered.
 */
export async function runPool(options: {
	lanes: Array<{name: string; client: ChatClient; models: string[]; concurrency: number}>;
	tests: TestCase[];
	maxTokens: number;
	firstBackoffMs: number;
	maxAttempts?: number;
	clock?: Clock;
}): Promise<{wallMs: number; lanes: Map<string, PoolLane>}> {
	const clock = options.clock ?? systemClock;
	const start = clock.now();
	const lanes = new Map<string, PoolLane>();
	const maxAttempts = options.maxAttempts ?? 8;
	await Promise.all(options.lanes.map(async lane => {
		const items = options.tests.flatMap(test => lane.models.map(model => ({model, test})));
		let next = 0;
		const outcome: PoolLane = {doneMs: 0, answered: 0, gaveUp: 0};
		const worker = async () => {
			while (next < items.length) {
				const {model, test} = items[next++]!;
				for (let attempt = 1; ; attempt++) {
					try {
						await lane.client.complete({model, prompt: test.prompt, maxTokens: options.maxTokens, temperature: 0}, {timeoutMs: 60_000});
						outcome.answered++;
						break;
					} catch (error) {
						const failure = error instanceof ProviderError ? error : undefined;
						const retriable = failure?.errorClass === 'rate_limit' || failure?.errorClass === 'transient' || failure?.errorClass === 'unreachable';
						if (!retriable || (failure.errorClass !== 'rate_limit' && attempt >= maxAttempts) || attempt >= maxRateLimitedAttempts) {
							outcome.gaveUp++;
							break;
						}

						const waitMs = failure.errorClass === 'rate_limit' && failure.retryAfterMs !== undefined
							? failure.retryAfterMs
							: Math.random() * options.firstBackoffMs * (2 ** Math.min(attempt - 1, 10));
						await sleep(clock, waitMs);
					}
				}
			}
		};

		await Promise.all(Array.from({length: lane.concurrency}, worker));
		outcome.doneMs = clock.now() - start;
		lanes.set(lane.name, outcome);
	}));
	return {wallMs: clock.now() - start, lanes};
}
