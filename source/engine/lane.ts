import pLimit, {type LimitFunction} from 'p-limit';
import {ProviderError, type ChatResponse} from '../providers/types.js';
import {AdaptiveController, type LimitChange} from './adaptive-controller.js';
import type {Clock, Timer} from './clock.js';
import {grade} from './grade.js';
import {LaneMetrics} from './lane-metrics.js';
import {retryStep} from './retry-policy.js';
import {TokenBucket} from './token-bucket.js';
import type {
	EngineEvent, ItemResult, LaneSnapshot, LaneSpec, LaneState, ModelSpec, RequestSettings, ResultSink, RetrySettings, TestCase,
} from './types.js';
import {WakeTimer} from './wake-timer.js';
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

/**
 * One provider's lane: its models share one budget, so one in-flight cap (p-limit), one rate cap (token
 * bucket), one Retry-After pause and one adaptive controller serve all of them.
 */
export class Lane {
	readonly name: string;
	readonly #spec: LaneSpec;
	readonly #context: LaneContext;
	readonly #queue: WorkQueue;
	readonly #limit: LimitFunction;
	readonly #bucket: TokenBucket;
	readonly #controller: AdaptiveController;
	readonly #metrics: LaneMetrics;
	readonly #retryTimers = new Map<Timer, WorkItem>();
	#adaptive: boolean;
	#paused: boolean;
	#inFlight = 0;
	readonly #priorCount: number;
	#counts = {passed: 0, failed: 0, errored: 0};
	#requests = 0;
	#rateLimited = 0;
	#retries = 0;
	#coolUntil = 0;
	#restUntil = 0;
	#stopping = false;
	#stoppedReason: string | undefined;
	#finished = false;
	#settled = false;
	#lastState: LaneState | undefined;
	readonly #wakeTimer: WakeTimer;

	constructor(spec: LaneSpec, items: Array<{model: ModelSpec; test: TestCase}>, prior: readonly ItemResult[], context: LaneContext) {
		this.name = spec.name;
		this.#spec = spec;
		this.#context = context;
		this.#adaptive = spec.adaptive;
		this.#paused = spec.paused ?? false;
		this.#queue = new WorkQueue(spec.models, items, spec.batch?.size);
		for (const result of prior) this.#counts[result.status]++;
		this.#priorCount = prior.length;
		this.#controller = new AdaptiveController(context.clock, {initial: spec.concurrency, min: spec.minConcurrency, max: spec.maxConcurrency});
		this.#limit = pLimit(this.#controller.limit);
		this.#bucket = new TokenBucket(context.clock, spec.qps);
		this.#metrics = new LaneMetrics(context.clock);
		this.#wakeTimer = new WakeTimer(context.clock, () => {
			this.#wake();
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
		return this.#finished;
	}

	get stoppedReason(): string | undefined {
		return this.#stoppedReason;
	}

	start(): void {
		if (this.#queue.remaining === 0) {
			this.#finish();
			return;
		}

		this.#emitBatchStart();
		this.#refreshState();
		this.#pump();
	}

	setConcurrency(value: number): void {
		const to = Math.max(1, Math.round(value));
		this.#controller.set(to);
		this.#applyLimit();
		this.#pump();
	}

	setAdaptive(on: boolean): void {
		this.#adaptive = on;
		if (on) this.#controller.set(this.#controller.limit);
	}

	pause(): void {
		this.#paused = true;
		this.#refreshState();
	}

	resume(): void {
		this.#paused = false;
		this.#refreshState();
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
		this.#stopping = true;
		this.#cancelTimers();
		this.#refreshState();
		this.#settleIfDrained();
	}

	snapshot(): LaneSnapshot {
		const now = this.#context.clock.now();
		const {passed, failed, errored} = this.#counts;
		const items = this.total;
		const pending = items - passed - failed - errored;
		const latency = this.#metrics.latency();
		const state = this.#state();
		const waitUntil = state === 'resting' ? this.#restUntil : state === 'cooling' ? this.#coolUntil : undefined;
		const batch = this.#spec.batch ? {index: this.#queue.cohortNumber, count: this.#queue.cohortCount} : undefined;
		return {
			name: this.name,
			state,
			reason: this.#stoppedReason,
			paused: this.#paused,
			items,
			passed,
			failed,
			errored,
			pending,
			inFlight: this.#inFlight,
			concurrency: this.#controller.limit,
			minConcurrency: this.#controller.min,
			maxConcurrency: this.#controller.max,
			adaptive: this.#adaptive,
			qpsCap: this.#bucket.rate,
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
		};
	}

	#eta(pending: number, now: number, state: LaneState): number | undefined {
		if (pending === 0) return 0;
		if (state === 'paused' || state === 'stopped' || state === 'stopping') return undefined;
		const rate = this.#metrics.completionRate();
		if (rate <= 0) return undefined;
		const rests = this.#spec.batch ? this.#queue.cohortsAfterCurrent * this.#spec.batch.pauseSeconds * 1000 : 0;
		return ((pending / rate) * 1000) + rests + Math.max(0, this.#restUntil - now);
	}

	#state(): LaneState {
		if (this.#finished) return 'done';
		if (this.#stoppedReason !== undefined) return this.#inFlight > 0 ? 'stopping' : 'stopped';
		if (this.#stopping) return this.#inFlight > 0 ? 'stopping' : 'stopped';
		if (this.#paused) return 'paused';
		const now = this.#context.clock.now();
		if (this.#restUntil > now) return 'resting';
		if (this.#coolUntil > now) return 'cooling';
		return 'running';
	}

	#refreshState(): void {
		const state = this.#state();
		if (state === this.#lastState) return;
		this.#lastState = state;
		this.#context.emit({type: 'state', lane: this.name, state, reason: this.#stoppedReason, at: this.#context.wallNow()});
	}

	/** Sends what the limits allow now, and arranges to be woken when waiting ends. */
	#pump(): void {
		if (this.#settled || this.#finished || this.#stopping || this.#stoppedReason !== undefined || this.#paused) return;
		const now = this.#context.clock.now();
		if (this.#restUntil > now) {
			this.#wakeTimer.at(this.#restUntil);
			return;
		}

		if (this.#coolUntil > now) {
			this.#wakeTimer.at(this.#coolUntil);
			return;
		}

		while (this.#inFlight < this.#controller.limit && this.#queue.hasReady()) {
			const wait = this.#bucket.delayMs();
			if (wait > 0) {
				this.#wakeTimer.at(now + wait);
				return;
			}

			this.#bucket.tryTake();
			this.#dispatch(this.#queue.next()!);
		}

		if (this.#inFlight === 0 && this.#retryTimers.size === 0 && !this.#queue.hasReady()) this.#cohortDone();
	}

	#cohortDone(): void {
		if (!this.#queue.advance()) {
			this.#finish();
			return;
		}

		const pauseMs = (this.#spec.batch?.pauseSeconds ?? 0) * 1000;
		if (pauseMs > 0) {
			this.#restUntil = this.#context.clock.now() + pauseMs;
			this.#context.emit({
				type: 'batch', lane: this.name, index: this.#queue.cohortNumber, count: this.#queue.cohortCount,
				models: this.#queue.cohortModels(), phase: 'rest', restMs: pauseMs, at: this.#context.wallNow(),
			});
		}

		this.#emitBatchStartWhenRested();
	}

	#pendingBatchStart = false;

	#emitBatchStartWhenRested(): void {
		if (this.#restUntil > this.#context.clock.now()) {
			this.#pendingBatchStart = true;
			this.#refreshState();
			this.#wakeTimer.at(this.#restUntil);
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
		this.#inFlight++;
		this.#requests++;
		item.attempts++;
		if (item.attempts > 1) this.#retries++;
		this.#controller.noteDispatch(this.#inFlight);
		void this.#send(item).catch(error => {
			this.#context.onFatal(error);
		});
	}

	async #send(item: WorkItem): Promise<void> {
		const {clock, request, signal} = this.#context;
		const sentAt = clock.now();
		let outcome: {response: ChatResponse} | {error: ProviderError};
		try {
			outcome = {response: await this.#limit(async () => this.#spec.client.complete(
				{model: item.model.apiModel, system: item.test.system, prompt: item.test.prompt, maxTokens: request.maxTokens, temperature: request.temperature},
				{signal, timeoutMs: request.timeoutMs},
			))};
		} catch (error) {
			outcome = {error: asProviderError(error)};
		}

		// Only the provider's failures are handled as such: if the store cannot take a result, that is not
		// the item's fault and no retry helps, so it propagates and ends the run.
		try {
			if ('response' in outcome) this.#onSuccess(item, outcome.response, sentAt);
			else this.#onFailure(item, outcome.error, sentAt);
		} catch (error) {
			// Stops every lane before this one's pump below could send anything more.
			this.#context.onFatal(error);
		} finally {
			this.#inFlight--;
			this.#refreshState();
			this.#pump();
			this.#settleIfDrained();
		}
	}

	#onSuccess(item: WorkItem, response: ChatResponse, sentAt: number): void {
		const latencyMs = this.#context.clock.now() - sentAt;
		this.#metrics.noteRequest(true, latencyMs);
		this.#recordAttempt(item, 'ok', latencyMs);
		this.#finalize(item, {
			status: grade(item.test, response.text),
			answer: response.text,
			latencyMs,
			promptTokens: response.promptTokens,
			completionTokens: response.completionTokens,
		});
		// With adaptive control off the controller is not consulted at all: the operator's number stands.
		if (this.#adaptive) this.#apply(this.#controller.onSuccess(latencyMs));
	}

	#onFailure(item: WorkItem, error: ProviderError, sentAt: number): void {
		const latencyMs = this.#context.clock.now() - sentAt;
		this.#metrics.noteRequest(false);
		this.#recordAttempt(item, error.errorClass, latencyMs, error);
		if (this.#context.signal.aborted) {
			// Aborted by the operator's second stop: the item stays pending for a resume.
			this.#queue.requeue(item);
			return;
		}

		if (error.errorClass === 'rate_limit') {
			this.#rateLimited++;
			item.rateLimits++;
		}

		const step = retryStep(error, item, this.#context.retry, this.#context.random);
		if (step.kind === 'wait-lane') {
			this.#coolUntil = Math.max(this.#coolUntil, this.#context.clock.now() + step.waitMs);
			this.#context.emit({type: 'rate_limited', lane: this.name, retryAfterMs: step.waitMs, inFlight: this.#inFlight, at: this.#context.wallNow()});
		}

		// After the 429 is told, so the cut it causes reads as its consequence.
		if (this.#adaptive && error.errorClass === 'rate_limit') this.#apply(this.#controller.onRateLimited(sentAt));
		if (this.#adaptive && error.errorClass === 'transient') this.#apply(this.#controller.onError(sentAt));
		switch (step.kind) {
			case 'wait-lane': {
				this.#queue.requeue(item);
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
				if (this.#stoppedReason === undefined) {
					this.#stoppedReason = this.#spec.keyVariable ? `${error.message}; the key comes from ${this.#spec.keyVariable}` : error.message;
					this.#cancelTimers();
					this.#context.emit({type: 'lane_stopped', lane: this.name, reason: this.#stoppedReason, at: this.#context.wallNow()});
				}
			}
		}
	}

	#retryLater(item: WorkItem, delayMs: number): void {
		const timer = this.#context.clock.setTimeout(() => {
			this.#retryTimers.delete(timer);
			this.#queue.requeue(item);
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

	#apply(change: LimitChange | undefined): void {
		if (!change) return;
		this.#applyLimit();
		this.#context.emit({type: 'limit', lane: this.name, ...change, at: this.#context.wallNow()});
	}

	#applyLimit(): void {
		this.#limit.concurrency = this.#controller.limit;
	}

	#wake(): void {
		this.#wakeTimer.cancel();
		if (this.#pendingBatchStart && this.#restUntil <= this.#context.clock.now()) this.#emitBatchStart();
		this.#refreshState();
		this.#pump();
	}

	#cancelTimers(): void {
		// Items waiting for a retry go back to the queue: they stay pending, not lost.
		for (const [timer, item] of this.#retryTimers) {
			this.#context.clock.clearTimeout(timer);
			this.#queue.requeue(item);
		}

		this.#retryTimers.clear();
		this.#wakeTimer.cancel();
	}

	#finish(): void {
		this.#finished = true;
		this.#refreshState();
		this.#settle();
	}

	#settleIfDrained(): void {
		if ((this.#stopping || this.#stoppedReason !== undefined) && this.#inFlight === 0) this.#settle();
	}

	#settle(): void {
		if (this.#settled) return;
		this.#settled = true;
		this.#cancelTimers();
		this.#refreshState();
		this.#context.onSettled();
	}
}

function asProviderError(error: unknown): ProviderError {
	if (error instanceof ProviderError) return error;
	const message = error instanceof Error ? error.message : String(error);
	return new ProviderError('transient', message, {cause: error});
}
