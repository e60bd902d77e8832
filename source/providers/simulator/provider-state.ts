import type {SimulateConfig} from '../../config/schema.js';
import {sampleLatency} from './latency.js';
import {ProviderLimits} from './provider-limits.js';
import {hash32, seededRandom} from './random.js';
import type {SimStats, SimulatedProviderSpec} from './types.js';

/** The key a simulated provider accepts when its config names none. Not a secret: the simulator is local. */
export const DEFAULT_SIMULATOR_KEY = 'lanes-simulator-key';

type Counts = Omit<SimStats, 'inFlight' | 'maxInFlight'>;

/**
 * Everything the simulator keeps about one provider: its budget, counts, random stream and the model
 * names it knows. All times are real (already multiplied by timeScale) and on the simulator's clock.
 */
export class ProviderState {
	readonly name: string;
	readonly simulate: SimulateConfig;
	readonly apiKey: string;
	readonly limits: ProviderLimits;
	counts: Counts = zeroCounts();
	private readonly random: () => number;
	/** API name (model id or deployment) -> config model name. */
	private readonly byApiName = new Map<string, string>();

	constructor(spec: SimulatedProviderSpec, private readonly timeScale: number, seed: number, now: number) {
		this.name = spec.name;
		this.simulate = spec.simulate;
		this.apiKey = spec.simulate.apiKey ?? DEFAULT_SIMULATOR_KEY;
		for (const [model, apiName] of spec.models) {
			// Two config names may share a deployment; the first one names it.
			if (!this.byApiName.has(apiName)) this.byApiName.set(apiName, model);
		}

		const {rps, burst, maxConcurrent, latencyMs} = spec.simulate;
		this.limits = new ProviderLimits({
			maxConcurrent,
			// The budget runs on scaled time, so a run behaves the same at any timeScale, only faster.
			tokensPerMs: rps / 1000 / timeScale,
			burst: Math.max(1, burst ?? rps),
			// A slot frees up about every median latency / slots.
			concurrencyRetryMs: Math.max(1, (latencyMs * timeScale) / maxConcurrent),
		}, now);
		// Each provider has its own stream, so one provider's traffic does not change another's randomness.
		this.random = seededRandom((seed ^ hash32(spec.name)) >>> 0);
	}

	/** The config model name for a name sent to the API, if the provider has it. */
	modelFor(apiName: string): string | undefined {
		return this.byApiName.get(apiName);
	}

	/** The outage status if `elapsedMs` (since the simulator started) falls in an outage window. */
	outageStatus(elapsedMs: number): number | undefined {
		const scale = 1000 * this.timeScale;
		const outage = this.simulate.outages.find(({atSeconds, forSeconds}) => elapsedMs >= atSeconds * scale && elapsedMs < (atSeconds + forSeconds) * scale);
		return outage?.status;
	}

	/** A random 5xx status, drawn with probability errorRate; undefined for a normal answer. */
	drawError(): number | undefined {
		if (this.simulate.errorRate <= 0 || this.random() >= this.simulate.errorRate) return undefined;
		return [500, 502, 503][Math.floor(this.random() * 3)]!;
	}

	/** Real ms to answer a served request. */
	drawLatency(): number {
		return sampleLatency(this.random, this.simulate.latencyMs, this.simulate.latencySigma) * this.timeScale;
	}

	/** Real ms before an error is answered: errors come back faster than answers. */
	drawErrorLatency(): number {
		return this.drawLatency() * 0.2;
	}

	stats(): SimStats {
		return {inFlight: this.limits.inFlight, maxInFlight: this.limits.maxInFlight, ...this.counts};
	}

	resetStats(): void {
		this.counts = zeroCounts();
		this.limits.maxInFlight = this.limits.inFlight;
	}
}

function zeroCounts(): Counts {
	return {requests: 0, served: 0, rateLimited: 0, errors: 0, unauthorized: 0};
}
