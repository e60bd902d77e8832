import type {Clock} from './clock.js';

const historySeconds = 90;
const qpsWindowSeconds = 10;
const etaWindowSeconds = 30;
/** The one window of recent outcomes: the controller's error rate and the screen's are the same number. */
const recentOutcomes = 30;
const tokenWindowSeconds = 60;
const latencySamples = 1000;

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
	if (sorted.length === 0) return undefined;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Per-second counters in a ring, so QPS and ETA windows cost O(window) and memory stays flat for hours. */
class SecondRing {
	readonly #counts = new Float64Array(historySeconds);
	#second = 0;

	constructor(private readonly clock: Clock) {
		this.#second = this.#now();
	}

	add(count = 1): void {
		this.#advance();
		this.#counts[this.#second % historySeconds] += count;
	}

	/** Sum over the last `seconds` whole seconds before the current one. */
	sumLast(seconds: number): number {
		this.#advance();
		let sum = 0;
		for (let i = 1; i <= seconds; i++) sum += this.#counts[(this.#second - i + historySeconds * 2) % historySeconds]!;
		return sum;
	}

	/** Oldest first, excluding the second still being counted. */
	history(seconds: number): number[] {
		this.#advance();
		const values: number[] = [];
		for (let i = seconds; i >= 1; i--) values.push(this.#counts[(this.#second - i + historySeconds * 2) % historySeconds]!);
		return values;
	}

	#now(): number {
		return Math.floor(this.clock.now() / 1000);
	}

	#advance(): void {
		const now = this.#now();
		const steps = Math.min(historySeconds, now - this.#second);
		for (let i = 1; i <= steps; i++) this.#counts[(this.#second + i) % historySeconds] = 0;
		if (now > this.#second) this.#second = now;
	}
}

/** The live numbers of one lane: QPS, error rate over recent requests, latency percentiles, completion rate. */
export class LaneMetrics {
	readonly #requests: SecondRing;
	readonly #completions: SecondRing;
	readonly #tokens: SecondRing;
	readonly #outcomes: boolean[] = [];
	#outcomeIndex = 0;
	readonly #latencies: number[] = [];
	#latencyIndex = 0;
	readonly #startedAt: number;

	constructor(private readonly clock: Clock) {
		this.#requests = new SecondRing(clock);
		this.#completions = new SecondRing(clock);
		this.#tokens = new SecondRing(clock);
		this.#startedAt = clock.now();
	}

	/** A request came back. `ok` is undefined for a 429: pacing, neither a success nor an error. */
	noteRequest(ok: boolean | undefined, latencyMs?: number): void {
		this.#requests.add();
		if (ok !== undefined) this.#push(this.#outcomes, ok, recentOutcomes, this.#outcomeIndex++);
		if (ok && latencyMs !== undefined) this.#push(this.#latencies, latencyMs, latencySamples, this.#latencyIndex++);
	}

	/** Tokens an answered request used (prompt and completion, as the provider counted them). */
	noteTokens(tokens: number): void {
		this.#tokens.add(tokens);
	}

	/** Tokens per minute over the last minute (or since the start, if shorter). */
	tokensPerMinute(): number {
		return (this.#tokens.sumLast(tokenWindowSeconds) / this.#window(tokenWindowSeconds)) * 60;
	}

	/** Outcomes in the error-rate window. */
	get samples(): number {
		return this.#outcomes.length;
	}

	/** An item got its final result. */
	noteCompletion(): void {
		this.#completions.add();
	}

	/** Requests per second over the last 10 s (or since the start, if shorter). */
	qps(): number {
		return this.#requests.sumLast(qpsWindowSeconds) / this.#window(qpsWindowSeconds);
	}

	qpsHistory(seconds = 60): number[] {
		return this.#requests.history(seconds);
	}

	/** The provider is back from an outage: the failures that tripped the breaker were the outage, not the load. */
	forgetOutcomes(): void {
		this.#outcomes.length = 0;
		this.#outcomeIndex = 0;
	}

	errorRate(): number {
		if (this.#outcomes.length === 0) return 0;
		return this.recentOutcomes().failures / this.#outcomes.length;
	}

	recentOutcomes(): {failures: number; samples: number} {
		return {failures: this.#outcomes.filter(ok => !ok).length, samples: this.#outcomes.length};
	}

	latency(): {p50?: number; p95?: number} {
		const sorted = [...this.#latencies].sort((a, b) => a - b);
		return {p50: percentile(sorted, 50), p95: percentile(sorted, 95)};
	}

	/** Final results per second over the last 30 s. */
	completionRate(): number {
		return this.#completions.sumLast(etaWindowSeconds) / this.#window(etaWindowSeconds);
	}

	#window(seconds: number): number {
		const elapsed = Math.floor((this.clock.now() - this.#startedAt) / 1000);
		return Math.max(1, Math.min(seconds, elapsed));
	}

	#push<T>(ring: T[], value: T, size: number, index: number): void {
		if (ring.length < size) ring.push(value);
		else ring[index % size] = value;
	}
}
