import {Engine} from '../../source/engine/engine.js';
import type {EngineEvent, LaneSpec, TestCase} from '../../source/engine/types.js';
import {ProviderError, type ChatClient, type ChatResponse} from '../../source/providers/types.js';
import {FakeClock} from './fake-clock.js';

/** A provider that holds every request until the test answers it (or the engine aborts it). */
export class HeldClient implements ChatClient {
	readonly #held: Array<{answer: (response: ChatResponse) => void}> = [];
	sent = 0;

	get held(): number {
		return this.#held.length;
	}

	async complete(_request: unknown, options: {signal?: AbortSignal}): Promise<ChatResponse> {
		this.sent++;
		return new Promise((resolve, reject) => {
			if (options.signal?.aborted) {
				reject(new ProviderError('transient', 'aborted'));
				return;
			}

			const entry = {answer: resolve};
			this.#held.push(entry);
			options.signal?.addEventListener('abort', () => {
				this.#held.splice(this.#held.indexOf(entry), 1);
				reject(new ProviderError('transient', 'aborted'));
			}, {once: true});
		});
	}

	/** Answers the `count` oldest held requests with "OK". */
	answer(count = 1): void {
		for (const entry of this.#held.splice(0, count)) entry.answer({text: 'OK'});
	}
}

export type RealLane = Pick<LaneSpec, 'name'> & Partial<Omit<LaneSpec, 'name' | 'client'>>;

/**
 * The real Engine on a fake clock, each lane's provider a HeldClient, every event recorded: what a view
 * really receives, for fakes and tests that must not drift from the engine.
 */
export function realEngine(lanes: readonly RealLane[], options: {tests?: number} = {}) {
	const clock = new FakeClock();
	const clients = new Map(lanes.map(lane => [lane.name, new HeldClient()]));
	const tests: TestCase[] = Array.from({length: options.tests ?? 20}, (_, index) => ({id: `t${index + 1}`, prompt: `p${index + 1}`, expected: 'OK', match: 'exact'}));
	const engine = new Engine({
		lanes: lanes.map(lane => ({
			models: [{name: `${lane.name}-model`, apiModel: `${lane.name}-model`}],
			concurrency: 2, minConcurrency: 1, maxConcurrency: 16, adaptive: false,
			...lane,
			client: clients.get(lane.name)!,
		})),
		tests, clock, random: () => 0.5,
		request: {timeoutMs: 60_000, maxTokens: 10, temperature: 0},
		retry: {maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 1000},
		sink: {recordResult() {}},
	});
	const events: EngineEvent[] = [];
	engine.subscribe(event => events.push(event));
	const running = engine.run();
	return {
		engine, events, clock, clients, running,
		/** The events `action` makes the engine emit before it returns. */
		during(action: () => void): EngineEvent[] {
			const from = events.length;
			action();
			return events.slice(from);
		},
		/** Aborts what is held and waits (on fake time) for the run to end. */
		async close(): Promise<void> {
			let ended = false;
			void running.catch(() => undefined).finally(() => {
				ended = true;
			});
			engine.stop();
			engine.stop();
			await clock.advanceUntil(() => ended, {stepMs: 1000});
		},
	};
}
