import type {EngineEvent, LaneState, LimitCause, OperatorAction} from '../engine/types.js';
import {formatBatch, formatDuration, formatMs} from '../text/format.js';

export type Tone = 'info' | 'warn' | 'error';

/** One line of the event log. Immutable; `id` is stable so a coalesced line keeps its place. */
export type EventLine = {
	readonly id: number;
	/** Wall-clock epoch ms of the first event the line stands for. */
	readonly at: number;
	readonly lane?: string;
	readonly text: string;
	readonly tone: Tone;
};

const causeText: Record<LimitCause, string> = {
	rate_limit: '429s',
	error_rate: 'error rate',
	increase: 'raised',
	operator: 'operator',
};

/** Bursts of the same kind for the same lane within this window become one line with a count. */
const burstWindowMs = 1000;

type Burst = {id: number; firstAt: number; count: number; from: number; maxRetryAfterMs: number};
type Draft = Omit<EventLine, 'id'>;

/**
 * The last `max` notable engine events as text lines, newest last. Bursts of 429s (and a run of
 * operator concurrency changes) coalesce into one line per lane per second. 'attempt' and 'result'
 * events are too many to show and are ignored here.
 */
export class EventLineLog {
	private current: readonly EventLine[] = [];
	private nextId = 1;
	private readonly laneStates = new Map<string, LaneState>();
	private readonly bursts = new Map<string, Burst>();

	constructor(private readonly max = 50) {}

	/** Lines, newest last. The same array until a line is added or changed. */
	lines(): readonly EventLine[] {
		return this.current;
	}

	/** Returns whether the lines changed. */
	add(event: EngineEvent): boolean {
		switch (event.type) {
			case 'rate_limited': {
				return this.addBurst(`429:${event.lane}`, event.at, event.retryAfterMs, 0, burst => ({
					at: burst.firstAt,
					lane: event.lane,
					tone: 'warn',
					text: `${event.lane}: rate limited (429)${burst.count > 1 ? ` ×${burst.count}` : ''}, retry after ${burst.count > 1 ? 'up to ' : ''}${formatMs(burst.maxRetryAfterMs)}`,
				}));
			}

			case 'limit': {
				const draft = (from: number): Draft => ({
					at: event.at,
					lane: event.lane,
					tone: event.to < from ? 'warn' : 'info',
					text: `${event.lane}: concurrency ${from} → ${event.to} (${causeText[event.cause]})`,
				});
				// '+++' from the operator reads as one change, 4 → 7, not three lines.
				if (event.cause === 'operator') return this.addBurst(`operator-limit:${event.lane}`, event.at, 0, event.from, burst => draft(burst.from));
				return this.push(draft(event.from));
			}

			case 'batch': {
				const batch = formatBatch(event);
				if (event.phase === 'rest') {
					const rest = event.restMs === undefined ? '' : ` ${formatDuration(event.restMs, 'ceil')}`;
					return this.push({at: event.at, lane: event.lane, tone: 'info', text: `${event.lane}: resting${rest} before ${batch}`});
				}

				return this.push({at: event.at, lane: event.lane, tone: 'info', text: `${event.lane}: ${batch} started: ${listModels(event.models)}`});
			}

			case 'operator': {
				const text = describeOperator(event.operator);
				if (text === undefined) return false;
				return this.push({at: event.at, lane: 'lane' in event.operator ? event.operator.lane : undefined, tone: event.operator.action === 'stop' ? 'warn' : 'info', text});
			}

			case 'outage': {
				if (event.phase === 'up') {
					return this.push({at: event.at, lane: event.lane, tone: 'info', text: `${event.lane}: provider answers again after ${formatDuration(event.downMs ?? 0, 'ceil')} down; ramping back`});
				}

				const every = event.probeEveryMs === undefined ? '' : `, probing every ${formatDuration(event.probeEveryMs, 'ceil')} (growing)`;
				return this.push({at: event.at, lane: event.lane, tone: 'error', text: `${event.lane}: provider down after ${event.failures ?? 'several'} failures in a row (${event.reason ?? 'no answer'}): nothing is sent${every}`});
			}

			case 'lane_stopped': {
				return this.push({at: event.at, lane: event.lane, tone: 'error', text: `${event.lane}: stopped: ${event.reason}`});
			}

			case 'state': {
				const previous = this.laneStates.get(event.lane);
				this.laneStates.set(event.lane, event.state);
				if (event.state === previous) return false;
				if (event.state === 'paused') return this.push({at: event.at, lane: event.lane, tone: 'warn', text: `${event.lane}: paused`});
				if (previous === 'paused' && event.state !== 'stopped') return this.push({at: event.at, lane: event.lane, tone: 'info', text: `${event.lane}: resumed`});
				if (event.state === 'done') return this.push({at: event.at, lane: event.lane, tone: 'info', text: `${event.lane}: done`});
				return false;
			}

			case 'shared': {
				return this.push({at: event.at, lane: event.lane, tone: event.phase === 'lost' ? 'warn' : 'info', text: sharedText(event)});
			}

			case 'done': {
				const tone: Tone = event.status === 'completed' ? 'info' : event.status === 'interrupted' ? 'warn' : 'error';
				return this.push({at: event.at, tone, text: `run ${event.status}`});
			}

			default: {
				return false;
			}
		}
	}

	private push(draft: Draft): boolean {
		const line: EventLine = {id: this.nextId++, ...draft};
		const next = [...this.current, line];
		this.current = next.length > this.max ? next.slice(next.length - this.max) : next;
		return true;
	}

	/** Updates the key's line in place while the burst lasts and the line is still shown; else starts a new one. */
	private addBurst(key: string, at: number, retryAfterMs: number, from: number, draft: (burst: Burst) => Draft): boolean {
		const burst = this.bursts.get(key);
		const index = burst ? this.current.findIndex(line => line.id === burst.id) : -1;
		if (burst && index !== -1 && at - burst.firstAt < burstWindowMs) {
			burst.count++;
			burst.maxRetryAfterMs = Math.max(burst.maxRetryAfterMs, retryAfterMs);
			const next = [...this.current];
			next[index] = {id: burst.id, ...draft(burst)};
			this.current = next;
			return true;
		}

		const fresh: Burst = {id: this.nextId, firstAt: at, count: 1, from, maxRetryAfterMs: retryAfterMs};
		this.bursts.set(key, fresh);
		return this.push(draft(fresh));
	}
}

function sharedText(event: Extract<EngineEvent, {type: 'shared'}>): string {
	const runners = (count = 1) => `${count} runner${count === 1 ? '' : 's'}`;
	switch (event.phase) {
		case 'joined': return `${event.lane}: sharing its provider budget through Redis (${runners(event.runners)})`;
		case 'lost': return `${event.lane}: Redis unreachable (${event.reason ?? 'no answer'}): going on alone at its last share, ${event.share ?? 1} in flight`;
		case 'rejoined': return `${event.lane}: Redis is back: sharing the budget again (${runners(event.runners)})`;
		case 'left': return `${event.lane}: handed its share of the budget back (${runners(event.runners)} at most)`;
	}
}

function listModels(models: string[]): string {
	const shown = models.slice(0, 3).join(', ');
	return models.length > 3 ? `${shown} +${models.length - 3} more` : shown;
}

function describeOperator(operator: OperatorAction): string | undefined {
	switch (operator.action) {
		// The 'limit' event with cause 'operator' says it, with the old and new value.
		case 'set_concurrency': return undefined;
		case 'set_adaptive': return `operator: ${operator.lane} adaptive ${operator.value ? 'on' : 'off'}`;
		case 'pause': return `operator: pause ${operator.lane}`;
		case 'resume': return `operator: resume ${operator.lane}`;
		case 'skip_rest': return `operator: skip the rest of ${operator.lane}`;
		case 'stop': {
			const by = operator.signal ?? 'operator';
			return operator.mode === 'graceful' ? `${by}: stop (in-flight requests finish)` : `${by}: abort in-flight requests`;
		}
	}
}
