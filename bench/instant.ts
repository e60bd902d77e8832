import type {EngineEvent, ResultSink} from '../source/engine/types.js';
import type {Simulator} from '../source/providers/simulator/index.js';
import type {ChatClient} from '../source/providers/types.js';
import {laneSpec, makeTests, runTimed, simClient, startSim, type SimProvider, type TimedRun} from './scenario.js';

/** Models of the instant lane: many, as the idealab lane has. */
const models = Array.from({length: 20}, (_, i) => `model-${String(i + 1).padStart(2, '0')}`);

/** A provider that answers at once (the simulator's timer still rounds to about 1 ms) and never says 429. */
export const instantProvider: SimProvider = {
	name: 'instant',
	dialect: 'openai',
	models,
	simulate: {maxConcurrent: 1_000_000, rps: 1_000_000_000, latencyMs: 0.001, latencySigma: 0},
};

/** An in-process client that resolves immediately: what is left is the engine's own cost. */
export const fakeClient: ChatClient = {
	async complete(request) {
		return {text: request.prompt.length % 2 === 0 ? 'even' : 'odd', promptTokens: 8, completionTokens: 1};
	},
};

/** In flight at once in the instant runs: enough to keep the HTTP path busy on two cores. */
export const instantConcurrency = 16;

export type InstantKind = 'fake' | 'http';

/** Runs `items` (rounded to whole tests over the lane's models) through one fixed lane. */
export async function runInstant(options: {
	kind: InstantKind;
	items: number;
	simulator?: Simulator;
	sink?: ResultSink;
	onEvent?: (event: EngineEvent) => void;
	after?: () => void;
}): Promise<TimedRun> {
	const client = options.kind === 'fake' ? fakeClient : simClient(options.simulator!, instantProvider.name);
	const lane = laneSpec(instantProvider, client, {concurrency: instantConcurrency, adaptive: false});
	return runTimed({
		lanes: [lane],
		tests: makeTests(Math.max(1, Math.round(options.items / models.length))),
		sink: options.sink,
		onEvent: options.onEvent,
		after: options.after,
	});
}

/** Starts the instant simulator (timeScale 1) for a section; close it when done. */
export async function startInstantSimulator(): Promise<Simulator> {
	return startSim([instantProvider], 1);
}
