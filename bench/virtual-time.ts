import {setImmediate as nextTurn} from 'node:timers/promises';
import {sleep, type Clock, type Timer} from '../source/engine/clock.js';
import {parseRateLimitHeaders} from '../source/providers/rate-limit-headers.js';
import {ProviderState} from '../source/providers/simulator/provider-state.js';
import {estimateTokens} from '../source/providers/token-estimate.js';
import {ProviderError, type ChatClient, type ChatResponse} from '../source/providers/types.js';
import type {SimStats} from '../source/providers/simulator/types.js';
import {simulateConfig, type SimProvider} from './scenario.js';

type Due = {at: number; seq: number; callback: () => void};

/**
 * Time that moves only when nothing else can run: every timer fires at its exact due time, whatever the
 * machine is doing, so a condition measured here is the same on a loaded machine as on a quiet one.
 */
export class VirtualClock implements Clock {
	#now = 0;
	#seq = 0;
	readonly #heap: Due[] = [];
	readonly #cancelled = new Set<number>();

	now(): number {
		return this.#now;
	}

	setTimeout(callback: () => void, ms: number): Timer {
		const due = {at: this.#now + Math.max(0, ms), seq: ++this.#seq, callback};
		this.#push(due);
		return due.seq;
	}

	clearTimeout(timer: Timer): void {
		if (typeof timer === 'number') this.#cancelled.add(timer);
	}

	/** Runs until `done` settles: each turn lets every continuation run, then time jumps to the next timer. */
	async runUntil<T>(done: Promise<T>): Promise<T> {
		let settled = false;
		void done.then(() => {
			settled = true;
		}, () => {
			settled = true;
		});
		for (;;) {
			await nextTurn();
			if (settled) return done;
			const next = this.#pop();
			if (!next) {
				await nextTurn();
				if (settled) return done;
				throw new Error(`virtual time ${this.#now} ms: nothing left to wait for, and the run has not ended`);
			}

			this.#now = Math.max(this.#now, next.at);
			next.callback();
		}
	}

	#push(due: Due): void {
		const heap = this.#heap;
		heap.push(due);
		let index = heap.length - 1;
		while (index > 0) {
			const parent = (index - 1) >> 1;
			if (!before(heap[index]!, heap[parent]!)) break;
			[heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
			index = parent;
		}
	}

	#pop(): Due | undefined {
		const heap = this.#heap;
		while (heap.length > 0) {
			const top = heap[0]!;
			const last = heap.pop()!;
			if (heap.length > 0) {
				heap[0] = last;
				let index = 0;
				for (;;) {
					const left = (2 * index) + 1;
					const right = left + 1;
					let smallest = index;
					if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
					if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
					if (smallest === index) break;
					[heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
					index = smallest;
				}
			}

			if (this.#cancelled.delete(top.seq)) continue;
			return top;
		}

		return undefined;
	}
}

function before(a: Due, b: Due): boolean {
	return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** The simulated providers of a condition on a virtual clock: the HTTP simulator's own budgets and decisions, without sockets. */
export type VirtualWorld = {
	clock: VirtualClock;
	client(name: string): ChatClient;
	stats(name: string): SimStats;
};

/**
 * `transitMs` is the one-way network time (real ms): with it a refusal takes a round trip to come back, as
 * over loopback, and the lane's first-window check sees a round trip to measure.
 */
export function virtualWorld(providers: SimProvider[], options: {timeScale: number; transitMs: number; seed?: number; deadProvider?: string}): VirtualWorld {
	const clock = new VirtualClock();
	const start = clock.now();
	const states = new Map(providers.map(provider => [provider.name, new ProviderState(
		{name: provider.name, models: new Map(provider.models.map(model => [model, model])), simulate: simulateConfig(provider)},
		options.timeScale, options.seed ?? 1, start,
	)]));
	// The client's abort, as the SDK reports it.
	const after = async (ms: number, signal?: AbortSignal): Promise<void> => sleep(clock, ms, signal).catch(() => {
		throw new ProviderError('transient', 'aborted');
	});

	const client = (name: string): ChatClient => {
		const state = states.get(name)!;
		const dead = name === options.deadProvider;
		return {
			roundTripMs: async () => 2 * options.transitMs,
			async complete(request, {signal, timeoutMs}): Promise<ChatResponse> {
				if (signal?.aborted) throw new ProviderError('transient', 'aborted');
				await after(options.transitMs, signal);
				if (dead) {
					await after(options.transitMs, signal);
					throw new ProviderError('unreachable', 'cannot reach 127.0.0.1:9: connect ECONNREFUSED (ECONNREFUSED)');
				}

				state.counts.requests++;
				const now = clock.now();
				const decision = state.decide(now - start, now, estimateTokens({prompt: request.prompt, system: request.system, maxTokens: request.maxTokens}));
				const budget = () => parseRateLimitHeaders(state.limits.headers(clock.now()));
				if (decision.kind === 'refuse') {
					state.counts.rateLimited++;
					const error = new ProviderError('rate_limit', `429 ${decision.reason}`, {status: 429, retryAfterMs: decision.retryAfterMs, rateLimit: budget()});
					await after(options.transitMs);
					throw error;
				}

				// The provider works on it; the client may hang up (abort) or stop waiting (timeout) meanwhile.
				try {
					await after(Math.min(decision.afterMs, timeoutMs), signal);
				} finally {
					if (decision.holdsSlot) state.limits.release();
				}

				if (decision.afterMs > timeoutMs) throw new ProviderError('transient', `timed out after ${timeoutMs} ms`);
				if (decision.kind === 'fail') {
					state.counts.errors++;
					const error = new ProviderError('transient', `${decision.status} simulated`, {status: decision.status, rateLimit: budget()});
					await after(options.transitMs);
					throw error;
				}

				state.counts.served++;
				const response = {text: 'OK', promptTokens: Math.max(1, Math.ceil(request.prompt.length / 4)), completionTokens: 1, rateLimit: budget()};
				await after(options.transitMs);
				return response;
			},
		};
	};

	return {clock, client, stats: name => states.get(name)!.stats()};
}
