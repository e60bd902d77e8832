import {setMaxListeners} from 'node:events';
import pLimit, {type LimitFunction} from 'p-limit';
import {ProviderError, type ChatResponse} from '../providers/types.js';
import {backoffDelayMs} from './backoff.js';
import type {Clock, Timer} from './clock.js';
import {grade} from './grade.js';
import {LaneMetrics} from './lane-metrics.js';
import {AimdLimit} from './limits/aimd-limit.js';
import {CeilingLimit} from './limits/ceiling-limit.js';
import {admissionMs} from './limits/admission.js';
import {FirstWindow} from './limits/first-window.js';
import type {Limit, LimitChange} from './limits/limit.js';
import {OutageBreaker} from './limits/outage-breaker.js';
import {Pacer} from './limits/pacer.js';
import {ProbeWatch} from './limits/probe-watch.js';
import {RetryBudget} from './limits/retry-budget.js';
import {StormWait} from './limits/storm-wait.js';
import {embeddedBudget, type SharedBudget, type SharedChange} from './shared/shared-budget.js';
import {overloadCause} from './overload-cause.js';
import {retryStep} from './retry-policy.js';
import type {
	EngineEvent, ItemResult, LaneSettingValues, LaneSnapshot, LaneSpec, LaneState, RequestSettings, ResultSink,
	RetrySettings,
} from './types.js';
import {WakeTimer} from './wake-timer.js';
import type {PendingItems} from './pending-items.js';
import {WorkQueue, type WorkItem} from './work-queue.js';

/** What a lane shares with its engine. */
export type LaneContext = {
	clock: Clock;
	/** Wall-clock epoch ms, for records. */
	wallNow: () => number;
	random: () => number;
	request: RequestSettings;
	retry: RetrySettings;
	sink: ResultSink;
	signal: AbortSignal;
	emit: (event: EngineEvent) => void;
	/** The lane has nothing more to do (done, stopped, or drained after a stop). */
	onSettled: () => void;
	/** Something went wrong that must end the run (the store could not write). */
	onFatal: (error: unknown) => void;
};

/** A provider never answered and refused this many connections in a row: it is not there. */
const unreachableAttempts = 3;
const defaultBreaker = {failures: 5, maxProbeSeconds: 60};
/**
 * A request out this many median latencies is in the provider's tail (the median, as the tail itself pulls the
 * mean up): once nothing else is left, a second copy goes. About 12% of those at a heavy tail (lognormal
 * sigma 0.6), 2% at an ordinary one (0.35).
 */
const hedgeAfterMedians = 2;
/** Successes before the latency is known well enough to call a request slow. */
const hedgeAfterSuccesses = 20;
/** Slots a pause must have freed (and a quarter of the limit) for the lane to ramp back instead of refilling at once. */
const rampFromFreed = 3;

/** How a lane ended, if it did: every item final, or stopped (operator, signal, a refused key, no provider there). */
type Ending = {kind: 'done'} | {kind: 'stop'; reason?: string};

/**
 * One provider's lane, the coordinator of the pieces that share its one budget: the in-flight gate (p-limit)
 * sized by a `Limit` policy, the `Pacer` (qps, tpm, the provider's own header budgets, the ramp after a
 * pause), the `OutageBreaker` that gates every dispatch while the provider is down, and the `RetryBudget`.
 * Its `phase` is the one answer to "what is this lane doing", set in one place (`#reconsider`).
 */
export class Lane {
	readonly name: string;
	readonly #spec: LaneSpec;
	readonly #context: LaneContext;
	readonly #queue: WorkQueue;
	readonly #gate: LimitFunction;
	#limit: Limit;
	#adaptive: boolean;
	readonly #pacer: Pacer;
	readonly #breaker: OutageBreaker;
	readonly #retryBudget = new RetryBudget();
	/** The provider budget this lane shares with other runners (embedded: nobody else). */
	readonly #shared: SharedBudget;
	readonly #unsubscribeShared: () => void;
	/** The budget's `upCount` this lane has taken into account. */
	#sharedUpSeen: number;
	readonly #metrics: LaneMetrics;
	readonly #wakeTimer: WakeTimer;
	readonly #retryTimers = new Map<Timer, WorkItem>();
	/** Retries whose backoff is over, waiting for the retry budget. */
	readonly #readyRetries: WorkItem[] = [];
	/** Taken from the queue but held back by the pacer. */
	#held: WorkItem | undefined;
	/** Requests sent and not yet handled: when a 429 comes back, the others are what the provider can be holding. */
	#unanswered = 0;
	/** Items with a request in flight, in the order they went: the candidates for a second copy. */
	readonly #inFlightItems = new Set<WorkItem>();
	/** Copies still in flight of items already final (the other copy answered first): dropped when they come back. */
	#orphans = 0;
	#successes = 0;
	/** Until anything comes back from the provider, only admissions tell of room. */
	readonly #firstWindow: FirstWindow;
	readonly #probeWatch: ProbeWatch;
	readonly #storm: StormWait;
	/** Every request of the lane goes with this: the engine's abort, and the lane's own for copies left over at its end. */
	readonly #laneAbort = new AbortController();
	readonly #signal: AbortSignal;
	#phase: LaneState | undefined;
	#ending: Ending | undefined;
	#operatorPaused: boolean;
	#coolUntil = 0;
	#restUntil = 0;
	#pendingBatchStart = false;
	#settled = false;
	#answered = false;
	#unreachableInARow = 0;
	readonly #priorCount: number;
	#counts = {passed: 0, failed: 0, errored: 0};
	#requests = 0;
	#rateLimited = 0;
	#retries = 0;
	#outageFailures = 0;

	/** `items` holds the run's pending items and final results: the lane reads its models' share in pages. */
	constructor(spec: LaneSpec, items: PendingItems, context: LaneContext) {
		this.name = spec.name;
		this.#spec = spec;
		this.#context = context;
		this.#adaptive = spec.adaptive;
		this.#operatorPaused = spec.paused ?? false;
		this.#queue = new WorkQueue(spec.models, items, spec.batch?.size, context.request.maxTokens);
		this.#signal = AbortSignal.any([context.signal, this.#laneAbort.signal]);
		// Every request in flight listens for it, as for the engine's.
		setMaxListeners(0, this.#signal);
		this.#counts = items.priorCounts(spec.models.map(model => model.name));
		this.#priorCount = this.#counts.passed + this.#counts.failed + this.#counts.errored;
		this.#limit = this.#makeLimit(spec.adaptive, spec.concurrency, spec.minConcurrency, spec.maxConcurrency);
		this.#gate = pLimit(this.#limit.limit);
		this.#pacer = new Pacer(context.clock, {qps: spec.qps, tpm: spec.tpm});
		const breaker = spec.breaker ?? defaultBreaker;
		this.#breaker = new OutageBreaker({failures: breaker.failures, maxProbeMs: breaker.maxProbeSeconds * 1000}, context.random);
		this.#metrics = new LaneMetrics(context.clock);
		this.#wakeTimer = new WakeTimer(context.clock, () => {
			this.#wake();
		});
		this.#firstWindow = new FirstWindow(context.clock, () => {
			this.#applyLimit(this.#limit.onSample({kind: 'admitted'}));
			this.#pump();
		});
		this.#probeWatch = new ProbeWatch(context.clock, sentAt => {
			this.#applyLimit(this.#limit.onSample({kind: 'probe_admitted', sentAt}));
			this.#pump();
		});
		this.#storm = new StormWait(context.random, context.retry.maxDelayMs);
		this.#shared = spec.shared ?? embeddedBudget;
		this.#sharedUpSeen = this.#shared.upCount;
		this.#unsubscribeShared = this.#shared.subscribe(change => {
			this.#onShared(change);
		});
	}

	get total(): number {
		return this.#queue.total + this.#priorCount;
	}

	get settled(): boolean {
		return this.#settled;
	}

	/** Done with every item (as opposed to stopped with some left). */
	get finished(): boolean {
		return this.#ending?.kind === 'done';
	}

	get stoppedReason(): string | undefined {
		return this.#ending?.kind === 'stop' ? this.#ending.reason : undefined;
	}

	get phase(): LaneState {
		return this.#phase ?? 'running';
	}

	start(): void {
		const shared = this.#shared.view();
		if (shared) this.#context.emit({type: 'shared', lane: this.name, phase: 'joined', runners: shared.runners, budget: shared.budget, at: this.#context.wallNow()});
		if (this.#queue.remaining === 0) {
			this.#end({kind: 'done'});
			return;
		}

		this.#emitBatchStart();
		this.#pump();
		void this.#spec.client.roundTripMs?.().then(roundTripMs => {
			if (roundTripMs === undefined) return;
			const ms = admissionMs(roundTripMs);
			this.#firstWindow.setAdmissionMs(ms);
			this.#probeWatch.setAdmissionMs(ms);
		}, () => undefined);
	}

	setConcurrency(value: number): void {
		const from = this.#limit.limit;
		this.#limit.set(Math.max(1, Math.round(value)));
		this.#applyLimit({from, to: this.#limit.limit, cause: 'operator'}, true);
		this.#pump();
	}

	setAdaptive(on: boolean): void {
		if (on === this.#adaptive) return;
		this.#adaptive = on;
		const current = this.#limit;
		this.#limit = this.#makeLimit(on, current.limit, current.min, on ? Math.max(current.max, this.#spec.maxConcurrency) : current.limit, false);
	}

	pause(): void {
		this.#operatorPaused = true;
		this.#reconsider();
	}

	resume(): void {
		this.#operatorPaused = false;
		this.#pump();
	}

	skipRest(): void {
		if (this.#restUntil <= this.#context.clock.now()) return;
		this.#restUntil = 0;
		this.#wake();
	}

	/** Graceful: nothing new is sent; in-flight requests finish and are recorded. */
	stop(): void {
		if (this.#settled) return;
		if (!this.#ending) this.#ending = {kind: 'stop'};
		this.#cancelTimers();
		this.#reconsider();
		this.#settleIfDrained();
	}

	/** What the store keeps so a resumed run starts where this one was left. */
	settings(): LaneSettingValues {
		return {
			// With adaptive control off the operator's number is kept, not where the provider's refusals put the lane.
			concurrency: this.#operatorNumber(),
			minConcurrency: this.#limit.min,
			maxConcurrency: this.#adaptive ? this.#limit.max : Math.max(this.#limit.max, this.#spec.maxConcurrency),
			adaptive: this.#adaptive,
			paused: this.#operatorPaused,
			...(this.#pacer.qps === undefined ? {} : {qps: this.#pacer.qps}),
		};
	}

	snapshot(): LaneSnapshot {
		const now = this.#context.clock.now();
		const {passed, failed, errored} = this.#counts;
		const items = this.total;
		const pending = items - passed - failed - errored;
		const latency = this.#metrics.latency();
		const state = this.phase;
		const waitUntil = state === 'resting' ? this.#restUntil : state === 'cooling' ? this.#coolUntil : state === 'probing' ? this.#breaker.nextProbeAt : undefined;
		const batch = this.#spec.batch ? {index: this.#queue.cohortNumber, count: this.#queue.cohortCount} : undefined;
		const breaker = this.#breaker.counters(now);
		const downSince = this.#breaker.downSince;
		return {
			name: this.name,
			state,
			reason: this.stoppedReason,
			paused: this.#operatorPaused,
			items,
			passed,
			failed,
			errored,
			pending,
			inFlight: this.#gate.activeCount,
			concurrency: this.#operatorNumber(),
			minConcurrency: this.#limit.min,
			maxConcurrency: this.#adaptive ? this.#limit.max : Math.max(this.#limit.max, this.#spec.maxConcurrency),
			adaptive: this.#adaptive,
			qpsCap: this.#pacer.qps,
			qps: this.#metrics.qps(),
			errorRate: this.#metrics.errorRate(),
			requests: this.#requests,
			rateLimited: this.#rateLimited,
			retries: this.#retries,
			latencyP50Ms: latency.p50,
			latencyP95Ms: latency.p95,
			etaMs: this.#eta(pending, now, state),
			waitMs: waitUntil === undefined ? undefined : Math.max(0, waitUntil - now),
			batch,
			qpsHistory: this.#metrics.qpsHistory(),
			tokensPerMinute: Math.round(this.#metrics.tokensPerMinute()),
			tpmCap: this.#pacer.tpm,
			probeEveryMs: this.#breaker.probeEveryMs,
			downForMs: downSince === undefined ? undefined : now - downSince,
			outages: breaker.outages,
			downMs: breaker.downMs,
			probes: breaker.probes,
			outageFailures: this.#outageFailures,
			shared: this.#shared.view(),
		};
	}

	/** The limit with adaptive control on; off, the operator's ceiling. */
	#operatorNumber(): number {
		return this.#limit instanceof CeilingLimit ? this.#limit.ceiling : this.#limit.limit;
	}

	/** Slow start only at the start of a run: an operator who turns adaptive control on mid-run keeps their number. */
	#makeLimit(adaptive: boolean, initial: number, min: number, max: number, slowStart = true): Limit {
		const {clock} = this.#context;
		return adaptive
			? new AimdLimit(clock, {initial, min, max: Math.max(max, initial), slowStart})
			: new CeilingLimit(clock, {ceiling: initial, min, fresh: slowStart});
	}

	#eta(pending: number, now: number, state: LaneState): number | undefined {
		if (pending === 0) return 0;
		if (state === 'paused' || state === 'stopped' || state === 'stopping' || state === 'probing') return undefined;
		const rate = this.#metrics.completionRate();
		if (rate <= 0) return undefined;
		const rests = this.#spec.batch ? this.#queue.cohortsAfterCurrent * this.#spec.batch.pauseSeconds * 1000 : 0;
		return ((pending / rate) * 1000) + rests + Math.max(0, this.#restUntil - now);
	}

	/** The one place the phase changes: from how the lane ended, the operator's pause, and what it waits for. */
	#reconsider(): void {
		const now = this.#context.clock.now();
		let phase: LaneState;
		if (this.#ending?.kind === 'done') phase = 'done';
		else if (this.#ending) phase = this.#working() > 0 ? 'stopping' : 'stopped';
		else if (this.#operatorPaused) phase = 'paused';
		else if (this.#restUntil > now) phase = 'resting';
		else if (this.#breaker.state !== 'closed') phase = 'probing';
		else if (this.#coolUntil > now) phase = 'cooling';
		else phase = 'running';
		if (phase === this.#phase) return;
		const from = this.#phase;
		this.#phase = phase;
		if (phase === 'running' && from === 'cooling') {
			this.#applyLimit(this.#limit.onSample({kind: 'wait_over', inFlight: this.#limitCounts(this.#unanswered)}));
		}

		// Slots a provider-wide pause freed go out across one latency window, not as one burst. A short wait
		// (a slot 429's Retry-After) frees next to nothing, and ramping after it would drain the lane.
		if (phase === 'running' && (from === 'cooling' || from === 'probing') && this.#limit.limit - this.#gate.activeCount >= Math.max(rampFromFreed, this.#limit.limit / 4)) {
			this.#pacer.ramp(this.#limit.windowMs, this.#limit.limit);
		}
		this.#context.emit({type: 'state', lane: this.name, state: phase, reason: this.stoppedReason, at: this.#context.wallNow()});
	}

	/** Sends what the limits allow now, and tells the shared budget what the lane holds and wants. */
	#pump(): void {
		this.#adoptShared();
		this.#dispatchReady();
		this.#shared.note(this.#gate.activeCount, this.#demand());
	}

	/** What the lane would hold if it had the budget alone: its limit while it has work, else what is in flight. */
	#demand(): number {
		if (this.#settled) return 0;
		if (this.#ending) return this.#working();
		return this.#hasReady() || this.#retryTimers.size > 0 ? this.#limit.limit : this.#working();
	}

	/** Another runner's 429 pause, and another runner's probe that found the provider up. */
	#adoptShared(): void {
		const now = this.#context.clock.now();
		const pauseMs = this.#shared.pauseLeftMs();
		if (pauseMs > 0) this.#coolUntil = Math.max(this.#coolUntil, now + pauseMs);
		if (this.#shared.upCount !== this.#sharedUpSeen) {
			this.#sharedUpSeen = this.#shared.upCount;
			const downSince = this.#breaker.downSince;
			if (this.#breaker.onSuccess(now)) this.#providerUp(now, downSince);
		}
	}

	#onShared(change: SharedChange): void {
		if (this.#settled) return;
		if (change.kind === 'lost') {
			this.#context.emit({type: 'shared', lane: this.name, phase: 'lost', share: change.share, reason: change.reason, at: this.#context.wallNow()});
		} else if (change.kind === 'rejoined') {
			this.#context.emit({type: 'shared', lane: this.name, phase: 'rejoined', runners: change.runners, at: this.#context.wallNow()});
		}

		// The configured rate is the budget's: this runner keeps to its share of it.
		if (this.#spec.qps !== undefined) this.#pacer.setQps(this.#spec.qps * Math.max(0.01, this.#shared.rateShare()));
		if (this.#spec.tpm !== undefined) this.#pacer.setTpm(this.#spec.tpm * Math.max(0.01, this.#shared.rateShare()));
		this.#wake();
	}

	/** Sends what the limits allow now, and arranges to be woken when waiting ends. */
	#dispatchReady(): void {
		this.#reconsider();
		const now = this.#context.clock.now();
		switch (this.#phase) {
			case 'resting': {
				this.#wakeTimer.at(this.#restUntil);
				return;
			}

			case 'cooling': {
				this.#wakeTimer.at(this.#coolUntil);
				return;
			}

			case 'running':
			case 'probing': {
				break;
			}

			default: {
				return;
			}
		}

		while (this.#hasReady() && this.#gate.activeCount < this.#shared.slots(this.#limit.limit)) {
			if (!this.#breaker.allows(now)) {
				const probeAt = this.#breaker.nextProbeAt;
				if (probeAt !== undefined) this.#wakeTimer.at(probeAt);
				return;
			}

			// One probe for every runner of the budget: the one that claims it sends it; the others hear the outcome.
			if (this.#breaker.state === 'open' && !this.#shared.claimProbe(this.#breaker.probeEveryMs ?? 0)) return;

			const item = this.#held ?? this.#take();
			this.#held = undefined;
			if (!item) break;
			const wait = this.#pacer.delayMs(item.tokens);
			if (wait > 0) {
				this.#held = item;
				if (this.#pacer.heldByRate(item.tokens)) this.#limit.onSample({kind: 'paced'});
				this.#wakeTimer.at(now + wait);
				return;
			}

			this.#dispatch(item);
		}

		if (this.#working() === 0 && this.#retryTimers.size === 0 && !this.#hasReady()) {
			this.#cohortDone();
			return;
		}

		this.#hedge(now);
	}

	/** Requests in flight whose answer still counts. */
	#working(): number {
		return this.#gate.activeCount - this.#orphans;
	}

	/**
	 * Nothing left to send and a slot free: a request out for more than a few latency windows is in the
	 * provider's tail, and waiting for it would hold the whole lane. A second copy goes; the first answer counts.
	 */
	#hedge(now: number): void {
		if (this.#spec.hedge === false || this.#phase !== 'running' || this.#breaker.state !== 'closed' || this.#successes < hedgeAfterSuccesses) return;
		if (this.#hasReady() || this.#retryTimers.size > 0) return;
		const afterMs = hedgeAfterMedians * (this.#metrics.latency().p50 ?? this.#limit.windowMs);
		let wakeAt = Number.POSITIVE_INFINITY;
		for (const item of this.#inFlightItems) {
			if (this.#gate.activeCount >= this.#shared.slots(this.#limit.limit)) break;
			if (item.hedged || item.copies !== 1) continue;
			const due = item.sentAt + afterMs;
			const wait = Math.max(due - now, this.#pacer.delayMs(item.tokens));
			if (wait > 0) {
				wakeAt = Math.min(wakeAt, now + wait);
				continue;
			}

			item.hedged = true;
			this.#dispatch(item);
		}

		if (wakeAt < Number.POSITIVE_INFINITY) this.#wakeTimer.at(wakeAt);
	}

	#hasReady(): boolean {
		return this.#held !== undefined || this.#readyRetries.length > 0 || this.#queue.hasReady();
	}

	/** Retries go when the budget has one or nothing else is ready; first attempts earn the budget. */
	#take(): WorkItem | undefined {
		if (this.#readyRetries.length > 0 && (!this.#queue.hasReady() || this.#retryBudget.tryWithdraw())) return this.#readyRetries.shift();
		const item = this.#queue.next();
		if (item?.attempts === 0) this.#retryBudget.noteFirstAttempt();
		return item;
	}

	#cohortDone(): void {
		if (!this.#queue.advance()) {
			this.#end({kind: 'done'});
			return;
		}

		const pauseMs = (this.#spec.batch?.pauseSeconds ?? 0) * 1000;
		if (pauseMs > 0) {
			this.#restUntil = this.#context.clock.now() + pauseMs;
			this.#context.emit({
				type: 'batch', lane: this.name, index: this.#queue.cohortNumber, count: this.#queue.cohortCount,
				models: this.#queue.cohortModels(), phase: 'rest', restMs: pauseMs, at: this.#context.wallNow(),
			});
			this.#pendingBatchStart = true;
			this.#pump();
			return;
		}

		this.#emitBatchStart();
		this.#pump();
	}

	#emitBatchStart(): void {
		this.#pendingBatchStart = false;
		if (!this.#spec.batch) return;
		this.#context.emit({
			type: 'batch', lane: this.name, index: this.#queue.cohortNumber, count: this.#queue.cohortCount,
			models: this.#queue.cohortModels(), phase: 'start', at: this.#context.wallNow(),
		});
	}

	#dispatch(item: WorkItem): void {
		const now = this.#context.clock.now();
		this.#pacer.take(item.tokens);
		if (item.copies === 0) {
			item.sentAt = now;
			item.hedged = false;
			this.#inFlightItems.add(item);
		}

		this.#firstWindow.noteSent(now);

		item.copies++;
		const probe = this.#breaker.noteSent(now);
		this.#unanswered++;
		this.#requests++;
		item.attempts++;
		if (item.attempts > 1) this.#retries++;
		void this.#send(item, probe).catch(error => {
			this.#context.onFatal(error);
		});
		const inFlight = this.#limitCounts(this.#gate.activeCount);
		this.#limit.noteDispatch(inFlight, this.#gate.activeCount);
		// A probe proves room only if it is the one over the old level: a lane held back by rate is not.
		if (this.#limit.probingSince !== undefined && inFlight >= this.#limit.limit) {
			const attempt = item.attempts;
			this.#probeWatch.watch(now, () => item.copies > 0 && item.attempts === attempt && !item.final);
		}
	}

	async #send(item: WorkItem, probe: boolean): Promise<void> {
		const {clock, request} = this.#context;
		const sentAt = clock.now();
		let outcome: {response: ChatResponse} | {error: ProviderError};
		try {
			// p-limit is the in-flight gate: its activeCount is what the lane holds at the provider.
			outcome = {response: await this.#gate(async () => this.#spec.client.complete(
				{model: item.model.apiModel, system: item.test.system, prompt: item.test.prompt, maxTokens: request.maxTokens, temperature: request.temperature},
				{signal: this.#signal, timeoutMs: request.timeoutMs},
			))};
		} catch (error) {
			outcome = {error: asProviderError(error)};
		}

		// Only the provider's failures are handled as such: if the store cannot take a result, that is not
		// the item's fault and no retry helps, so it propagates and ends the run.
		item.copies--;
		this.#firstWindow.end();
		try {
			if (item.final) this.#orphans--;
			else if ('response' in outcome) this.#onSuccess(item, outcome.response, sentAt);
			else this.#onFailure(item, outcome.error, sentAt, probe);
		} catch (error) {
			// Stops every lane before this one's pump below could send anything more.
			this.#context.onFatal(error);
		} finally {
			this.#unanswered--;
			if (item.copies === 0 || item.final) this.#inFlightItems.delete(item);
			this.#pump();
			this.#settleIfDrained();
		}
	}

	#onSuccess(item: WorkItem, response: ChatResponse, sentAt: number): void {
		const now = this.#context.clock.now();
		const latencyMs = now - sentAt;
		this.#answered = true;
		this.#successes++;
		this.#unreachableInARow = 0;
		this.#storm.onSuccess();
		this.#metrics.noteRequest(true, latencyMs);
		this.#metrics.noteTokens((response.promptTokens ?? 0) + (response.completionTokens ?? 0));
		this.#pacer.observe(response.rateLimit);
		this.#providerAnswered(now, sentAt);
		this.#recordAttempt(item, 'ok', latencyMs);
		this.#finalize(item, {
			status: grade(item.test, response.text),
			answer: response.text,
			latencyMs,
			promptTokens: response.promptTokens,
			completionTokens: response.completionTokens,
		});
		this.#applyLimit(this.#limit.onSample({kind: 'success', latencyMs, processingMs: response.processingMs}));
	}

	#onFailure(item: WorkItem, error: ProviderError, sentAt: number, probe: boolean): void {
		const {clock, retry, random, signal} = this.#context;
		const now = clock.now();
		const latencyMs = now - sentAt;
		this.#pacer.observe(error.rateLimit);
		if (item.copies > 0) {
			// The other copy is still out: it answers for the item.
			this.#recordAttempt(item, error.errorClass, latencyMs, error);
			return;
		}

		if (signal.aborted) {
			// Aborted by the operator's second stop: the item stays pending for a resume.
			this.#recordAttempt(item, error.errorClass, latencyMs, error);
			if (probe) this.#breaker.onProbeLost(now);
			this.#queue.requeue(item);
			return;
		}

		if (error.errorClass === 'unreachable' && !this.#answered) {
			this.#onUnreachable(item, error, latencyMs);
			return;
		}

		// The probe got an answer that is no outage (a 429 as the provider comes back, a 400): the provider is up,
		// whatever it said, and what it said is handled as from a provider that is up. Left probing, the lane
		// would wait for a probe that is over, and send nothing again.
		if (probe && error.errorClass !== 'transient' && error.errorClass !== 'unreachable') this.#providerAnswered(now, sentAt);

		if (error.errorClass === 'transient' || error.errorClass === 'unreachable') {
			const wasDown = this.#breaker.state !== 'closed';
			const tripped = this.#breaker.onFailure(now, probe, this.#answered ? this.#limit.windowMs : undefined, sentAt, this.#metrics.recentOutcomes());
			if (wasDown || tripped) {
				this.#onOutageFailure(item, error, latencyMs, tripped);
				return;
			}
		}

		this.#metrics.noteRequest(error.errorClass === 'rate_limit' ? undefined : false);
		this.#recordAttempt(item, error.errorClass, latencyMs, error);
		if (error.errorClass === 'rate_limit') {
			this.#rateLimited++;
			item.rateLimits++;
		}

		const step = retryStep(error, item, this.#retrySettings(retry), random);
		if (step.kind === 'wait-lane') {
			const waitMs = this.#storm.onRefusal(now, sentAt, step.waitMs, this.#limit.windowMs);
			this.#coolUntil = Math.max(this.#coolUntil, now + waitMs);
			this.#shared.publishPause(waitMs);
			this.#context.emit({type: 'rate_limited', lane: this.name, retryAfterMs: waitMs, inFlight: this.#gate.activeCount, at: this.#context.wallNow()});
		}

		// After the 429 is told, so the cut it causes reads as its consequence.
		if (error.errorClass === 'rate_limit') {
			this.#pacer.refused(error.rateLimit, item.tokens);
			this.#pacer.noteRefusalRoundTrip(latencyMs);
			const admitted = this.#limitCounts(this.#unanswered - 1);
			// In a storm the provider refuses whatever the lane holds: the growing wait answers it, not the limit,
			// and the first answer after it restores the level its first refusals cut.
			this.#applyLimit(this.#limit.onSample(this.#storm.raging ? {kind: 'storm'} : {kind: 'overload', cause: overloadCause(error.rateLimit, item.tokens), sentAt, admitted}));
		} else if (error.errorClass === 'transient') {
			this.#applyLimit(this.#limit.onSample({kind: 'error', sentAt, errorShare: this.#metrics.errorRate(), samples: this.#metrics.samples}));
		}

		switch (step.kind) {
			case 'wait-lane': {
				this.#queue.requeueLast(item);
				return;
			}

			case 'retry': {
				this.#retryLater(item, step.delayMs);
				return;
			}

			case 'give-up': {
				this.#finalize(item, {status: 'errored', errorClass: error.errorClass, errorMessage: error.message});
				return;
			}

			case 'stop-lane': {
				this.#queue.requeue(item);
				this.#stopLane(this.#spec.keyVariable ? `${error.message}; the key comes from ${this.#spec.keyVariable}` : error.message);
			}
		}
	}

	/**
	 * The requests in flight the limit counts, for `own` of this runner's: an adaptive lane learns the limit of the
	 * whole shared budget, so it counts every runner's.
	 */
	#limitCounts(own: number): number {
		return this.#adaptive ? this.#shared.inFlightAcross(own) : own;
	}

	/** The provider answered a request sent at `sentAt`; an answer that ends an outage is told everywhere. */
	#providerAnswered(now: number, sentAt: number): void {
		const downSince = this.#breaker.downSince;
		if (this.#breaker.onSuccess(now, sentAt)) {
			this.#providerUp(now, downSince);
			this.#shared.publishUp();
		}
	}

	#providerUp(now: number, downSince: number | undefined): void {
		this.#metrics.forgetOutcomes();
		this.#context.emit({type: 'outage', lane: this.name, phase: 'up', downMs: now - (downSince ?? now), at: this.#context.wallNow()});
	}

	/** A provider that never answered refuses connections: after a few tries it is not there, and the lane stops. */
	#onUnreachable(item: WorkItem, error: ProviderError, latencyMs: number): void {
		this.#metrics.noteRequest(false);
		this.#recordAttempt(item, 'unreachable', latencyMs, error);
		this.#unreachableInARow++;
		if (this.#unreachableInARow >= unreachableAttempts) {
			this.#queue.requeue(item);
			this.#stopLane(error.message);
			return;
		}

		const {baseDelayMs, maxDelayMs} = this.#retrySettings(this.#context.retry);
		item.outageFailures++;
		this.#retryLater(item, backoffDelayMs(this.#unreachableInARow, baseDelayMs, maxDelayMs, this.#context.random));
	}

	/** While the provider is down, failures cost the item nothing: it goes again once the provider is back. */
	#onOutageFailure(item: WorkItem, error: ProviderError, latencyMs: number, tripped: boolean): void {
		this.#outageFailures++;
		item.outageFailures++;
		this.#recordAttempt(item, 'outage', latencyMs, error);
		this.#queue.requeue(item);
		if (tripped) {
			this.#context.emit({
				type: 'outage', lane: this.name, phase: 'down', failures: this.#breaker.failuresInARow,
				probeEveryMs: this.#breaker.probeEveryMs, reason: error.message, at: this.#context.wallNow(),
			});
		}
	}

	/**
	 * The configured first backoff is a ceiling: a provider that answers in 20 ms is asked again after tens of
	 * milliseconds, not a second, which would leave a fast lane's last retries trailing far behind its work.
	 */
	#retrySettings(retry: RetrySettings): RetrySettings {
		if (!this.#answered) return retry;
		return {...retry, baseDelayMs: Math.min(retry.baseDelayMs, 2 * this.#limit.windowMs)};
	}

	#stopLane(reason: string): void {
		if (this.#ending) return;
		this.#ending = {kind: 'stop', reason};
		this.#cancelTimers();
		this.#context.emit({type: 'lane_stopped', lane: this.name, reason, at: this.#context.wallNow()});
		this.#reconsider();
	}

	#retryLater(item: WorkItem, delayMs: number): void {
		const timer = this.#context.clock.setTimeout(() => {
			this.#retryTimers.delete(timer);
			this.#readyRetries.push(item);
			this.#pump();
		}, delayMs);
		this.#retryTimers.set(timer, item);
	}

	#finalize(item: WorkItem, outcome: Pick<ItemResult, 'status' | 'answer' | 'latencyMs' | 'promptTokens' | 'completionTokens' | 'errorClass' | 'errorMessage'>): void {
		const result: ItemResult = {
			provider: this.name, model: item.model.name, testId: item.test.id, attempts: item.attempts, finishedAt: this.#context.wallNow(), ...outcome,
		};
		// Durable first: a result is counted anywhere only once the store has it.
		this.#context.sink.recordResult(result);
		item.final = true;
		this.#orphans += item.copies;
		this.#queue.complete();
		this.#counts[result.status]++;
		this.#metrics.noteCompletion();
		this.#context.emit({type: 'result', result});
	}

	#recordAttempt(item: WorkItem, outcome: 'ok' | ProviderError['errorClass'], latencyMs: number, error?: ProviderError): void {
		this.#context.emit({
			type: 'attempt',
			attempt: {
				provider: this.name, model: item.model.name, testId: item.test.id, attempt: item.attempts, outcome,
				status: error?.status, latencyMs, retryAfterMs: error?.retryAfterMs, errorMessage: error?.message, at: this.#context.wallNow(),
			},
		});
	}

	/** Sizes the gate to the limit and tells the change; an operator's change is told even when the number stays. */
	#applyLimit(change: LimitChange | undefined, always = false): void {
		if (!change || (!always && change.from === change.to)) return;
		this.#gate.concurrency = this.#limit.limit;
		// #shared: the budget's one limit is the lowest its runners publish (adaptive: learned; off: the operator's).
		this.#shared.publishLimit(this.#adaptive ? this.#limit.limit : this.#operatorNumber());
		this.#context.emit({type: 'limit', lane: this.name, ...change, settings: this.settings(), at: this.#context.wallNow()});
	}

	#wake(): void {
		this.#wakeTimer.cancel();
		if (this.#pendingBatchStart && this.#restUntil <= this.#context.clock.now()) this.#emitBatchStart();
		this.#pump();
	}

	#cancelTimers(): void {
		// Items waiting for a retry go back to the queue: they stay pending, not lost.
		for (const [timer, item] of this.#retryTimers) {
			this.#context.clock.clearTimeout(timer);
			this.#queue.requeue(item);
		}

		this.#retryTimers.clear();
		for (const item of this.#readyRetries.splice(0)) this.#queue.requeue(item);
		if (this.#held) this.#queue.requeue(this.#held);
		this.#held = undefined;
		this.#wakeTimer.cancel();
		this.#firstWindow.end();
		this.#probeWatch.cancel();
	}

	#end(ending: Ending): void {
		this.#ending = ending;
		this.#reconsider();
		this.#settle();
	}

	#settleIfDrained(): void {
		this.#reconsider();
		if (this.#ending?.kind === 'stop' && this.#working() === 0) this.#settle();
	}

	#settle(): void {
		if (this.#settled) return;
		this.#settled = true;
		// The report records that the run shared its budget, and with how many runners at most.
		const shared = this.#shared.view();
		if (shared) this.#context.emit({type: 'shared', lane: this.name, phase: 'left', runners: shared.mostRunners ?? shared.runners, budget: shared.budget, at: this.#context.wallNow()});
		this.#shared.release();
		this.#unsubscribeShared();
		// Copies whose item another copy already answered: nothing waits for them.
		if (this.#orphans > 0) this.#laneAbort.abort(new Error('answered by another copy'));
		this.#cancelTimers();
		this.#reconsider();
		this.#context.onSettled();
	}
}

function asProviderError(error: unknown): ProviderError {
	if (error instanceof ProviderError) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new ProviderError('transient', message, {cause: error});
}
