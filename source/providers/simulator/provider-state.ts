import type {SimulateConfig} from '../../config/schema.js';
import {sampleLatency} from './latency.js';
import {effectiveRps} from './effective-rps.js';
import {type LimitSettings, ProviderLimits} from './provider-limits.js';
import {hash32, seededRandom} from './random.js';
import type {SimStats, SimulatedProviderSpec} from './types.js';

/** The key a simulated provider accepts when its config names none. Not a secret: the simulator is local. */
export const DEFAULT_SIMULATOR_KEY = 'lanes-simulator-key';

type Counts = Omit<SimStats, 'inFlight' | 'maxInFlight'>;

/**
 * What the provider does with a well-formed request: refuse it at once (a 429: a storm, or its budget spent),
 * fail it after a while (an outage or a random 5xx), or answer it after its latency. `holdsSlot`: the request
 * took one of the provider's concurrency slots, which it gives back when it ends.
 */
export type Decision =
	| {kind: 'refuse'; reason: 'storm' | 'concurrency' | 'rate' | 'tokens'; retryAfterMs: number}
	| {kind: 'fail'; status: number; afterMs: number; holdsSlot: boolean}
	| {kind: 'answer'; afterMs: number; holdsSlot: true};

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

	constructor(spec: SimulatedProviderSpec, readonly timeScale: number, seed: number, now: number) {
		this.name = spec.name;
		this.simulate = spec.simulate;
		this.apiKey = spec.simulate.apiKey ?? DEFAULT_SIMULATOR_KEY;
		for (const [model, apiName] of spec.models) {
			// Two config names may share a deployment; the first one names it.
			if (!this.byApiName.has(apiName)) this.byApiName.set(apiName, model);
		}

		this.#current = {maxConcurrent: spec.simulate.maxConcurrent, rps: spec.simulate.rps, tpm: spec.simulate.tpm};
		this.limits = new ProviderLimits(this.#settings(), now);
		this.#changes = [...spec.simulate.changes].sort((a, b) => a.atSeconds - b.atSeconds);
		// Each provider has its own stream, so one provider's traffic does not change another's randomness.
		this.random = seededRandom((seed ^ hash32(spec.name)) >>> 0);
	}

	readonly #changes: SimulateConfig['changes'];
	#current: {maxConcurrent: number; rps?: number; tpm?: number};

	/** Applies the scheduled limit changes due by `elapsedMs` (since the simulator started). */
	advanceTo(elapsedMs: number, now: number): void {
		let changed = false;
		while (this.#changes.length > 0 && elapsedMs >= this.#changes[0]!.atSeconds * 1000 * this.timeScale) {
			const {atSeconds, ...limits} = this.#changes.shift()!;
			this.#current = {...this.#current, ...Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined))};
			changed = true;
		}

		if (changed) this.limits.update(this.#settings(), now);
	}

	/** The provider's limits in force, in the config's units (rps, tpm). */
	get current(): {maxConcurrent: number; rps: number; tpm?: number} {
		return {...this.#current, rps: effectiveRps({...this.#current, dialect: this.simulate.dialect})};
	}

	#settings(): LimitSettings {
		const {maxConcurrent, rps, tpm} = this.current;
		const {latencyMs, burst} = this.simulate;
		return {
			maxConcurrent,
			// The budget runs on scaled time, so a run behaves the same at any timeScale, only faster.
			tokensPerMs: rps / 1000 / this.timeScale,
			burst: Math.max(1, burst ?? rps),
			// A slot frees up about every median latency / slots.
			concurrencyRetryMs: Math.max(1, (latencyMs * this.timeScale) / maxConcurrent),
			// Azure checks its quota over short windows (a sixth of the minute's tokens at once); OpenAI per minute.
			...(tpm === undefined ? {} : {tokenBudget: {perMs: tpm / 60_000 / this.timeScale, size: this.simulate.dialect === 'azure' ? tpm / 6 : tpm}}),
		};
	}

	/**
	 * Decides a request that arrived `elapsedMs` after the simulator started, weighing `tokens` against a token
	 * quota: the one place the simulated provider's limits, outages, errors and latencies are applied, in the
	 * order real APIs check them.
	 */
	decide(elapsedMs: number, now: number, tokens: number): Decision {
		this.advanceTo(elapsedMs, now);
		const outage = this.outageStatus(elapsedMs);
		if (outage === 429) return {kind: 'refuse', reason: 'storm', retryAfterMs: Math.max(1, Math.ceil(1000 * this.timeScale))};
		if (outage !== undefined) return {kind: 'fail', status: outage, afterMs: this.drawErrorLatency(), holdsSlot: false};
		const admission = this.limits.tryAcquire(now, tokens);
		if (!admission.ok) return {kind: 'refuse', reason: admission.reason, retryAfterMs: Math.max(1, Math.ceil(admission.retryAfterMs))};
		const errorStatus = this.drawError();
		if (errorStatus !== undefined) return {kind: 'fail', status: errorStatus, afterMs: this.drawErrorLatency(), holdsSlot: true};
		return {kind: 'answer', afterMs: this.drawLatency(), holdsSlot: true};
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
