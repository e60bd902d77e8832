import type {EngineEvent, LimitCause} from '../source/engine/types.js';

type Change = {atMs: number; from: number; to: number; cause: LimitCause};

/** What the adaptive controller did in one lane, from the engine's `limit` and `rate_limited` events. */
export type LaneTrace = {
	initial: number;
	changes: Change[];
	rateLimitedEvents: number;
	/** Time-weighted mean of the limit from the start to `endMs`. */
	meanLimit: number;
	/** Share of the time from the start to `endMs` spent at each limit. */
	timeAt: Map<number, number>;
	minLimit: number;
	maxLimit: number;
	finalLimit: number;
	cuts: number;
	increases: number;
};

/** Collects limit changes per lane; call `summary` once the lanes are done. */
export class LimitTracer {
	readonly #changes = new Map<string, Change[]>();
	readonly #rateLimited = new Map<string, number>();

	constructor(private readonly initial: ReadonlyMap<string, number>) {}

	/** Feed every engine event with its time since the start. */
	readonly onEvent = (event: EngineEvent, atMs: number): void => {
		if (event.type === 'limit') {
			const list = this.#changes.get(event.lane) ?? [];
			list.push({atMs, from: event.from, to: event.to, cause: event.cause});
			this.#changes.set(event.lane, list);
		} else if (event.type === 'rate_limited') {
			this.#rateLimited.set(event.lane, (this.#rateLimited.get(event.lane) ?? 0) + 1);
		}
	};

	summary(lane: string, endMs: number): LaneTrace {
		const initial = this.initial.get(lane) ?? 0;
		const changes = this.#changes.get(lane) ?? [];
		const timeAt = new Map<number, number>();
		const stay = (level: number, ms: number) => timeAt.set(level, (timeAt.get(level) ?? 0) + ms);
		let limit = initial;
		let since = 0;
		for (const change of changes) {
			stay(limit, Math.min(change.atMs, endMs) - since);
			since = Math.min(change.atMs, endMs);
			limit = change.to;
		}

		stay(limit, Math.max(0, endMs - since));
		let weighted = 0;
		for (const [level, ms] of timeAt) {
			weighted += level * ms;
			timeAt.set(level, endMs > 0 ? ms / endMs : 0);
		}

		const levels = [initial, ...changes.map(change => change.to)];
		return {
			initial,
			changes,
			rateLimitedEvents: this.#rateLimited.get(lane) ?? 0,
			meanLimit: endMs > 0 ? weighted / endMs : initial,
			timeAt,
			minLimit: Math.min(...levels),
			maxLimit: Math.max(...levels),
			finalLimit: limit,
			cuts: changes.filter(change => change.to < change.from).length,
			increases: changes.filter(change => change.to > change.from).length,
		};
	}
}

/** "2>3 3>4 … 7>4(429)" with times in simulated seconds: the controller's path at a glance. */
export function traceText(trace: LaneTrace, msToSimSeconds: (ms: number) => number, limit = 40): string {
	const mark: Record<LimitCause, string> = {increase: '', rate_limit: '(429)', error_rate: '(err)', operator: '(op)'};
	const shown = trace.changes.slice(0, limit).map(change => `${Math.round(msToSimSeconds(change.atMs))}s:${change.to}${mark[change.cause]}`);
	const more = trace.changes.length > limit ? ` … +${trace.changes.length - limit} more` : '';
	return `start ${trace.initial}; ${shown.join(' ')}${more}`;
}

/** "4: 18%, 5: 61%, 6: 19%": how long the lane spent at each limit. */
export function timeAtText(trace: LaneTrace): string {
	return [...trace.timeAt].filter(([, share]) => share >= 0.005).sort((a, b) => a[0] - b[0]).map(([level, share]) => `${level}: ${Math.round(share * 100)}%`).join(', ');
}
