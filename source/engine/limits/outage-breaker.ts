/** closed: the provider answers. open: it is down, nothing is sent until the next probe. probing: one probe is out. */
export type BreakerState = 'closed' | 'open' | 'probing';

export type BreakerOptions = {
	/** Consecutive failures (5xx, timeouts, connection errors) that mark the provider as down, at most. */
	failures: number;
	/** Longest wait between probes. */
	maxProbeMs: number;
};

/** Before any success the lane has no latency to go by. */
const fallbackLatencyMs = 1000;
/**
 * The probe cap is this many healthy latencies (within maxProbeMs): 15 s for 1 s answers. A provider that is back
 * is found within about that (the mean lag is half of it), for one refused probe per interval while it is down.
 */
const capLatencies = 15;
/**
 * Once the provider has been down for this many caps, the cap grows with the square root of the time down, as
 * Envoy's ejection time grows: a long outage costs fewer refused probes, while the time lost after it comes back
 * (half a cap on average) stays a shrinking share of the time it was down.
 */
const capGrowAfter = 8;
/**
 * A provider whose recent answers held almost no failures is down after fewer in a row (never fewer than
 * this): a run that its background failure rate would give by chance at most this often, per request.
 */
const minFailures = 3;
const chanceRun = 5e-5;

/** Recent outcomes of the lane's requests, failures among them. */
export type RecentOutcomes = {failures: number; samples: number};

/**
 * Provider-wide outage detection, after Envoy's outlier detection (consecutive_5xx, an ejection time that
 * grows) and resilience4j's half-open state, but gating every dispatch, first attempts included: a provider
 * that is down gets one probe at a time, at an interval taken from its healthy latency that doubles (with
 * jitter) up to a cap, and the first success closes it again.
 */
export class OutageBreaker {
	#state: BreakerState = 'closed';
	#consecutive = 0;
	#intervalMs = 0;
	#nextProbeAt = 0;
	#downSince: number | undefined;
	/** When the earliest request of the current run of failures was sent. */
	#failingSince = Number.NEGATIVE_INFINITY;
	/** When the latest request of the current run of failures was sent. */
	#lastFailingSent = Number.NEGATIVE_INFINITY;
	#trips = 0;
	#downMs = 0;
	#probes = 0;

	constructor(private readonly options: BreakerOptions, private readonly random: () => number) {}

	get state(): BreakerState {
		return this.#state;
	}

	/** The wait between probes now, while open or probing. */
	get probeEveryMs(): number | undefined {
		return this.#state === 'closed' ? undefined : this.#intervalMs;
	}

	/** When the next probe may go (clock ms), while open. */
	get nextProbeAt(): number | undefined {
		return this.#state === 'open' ? this.#nextProbeAt : undefined;
	}

	/** Failures in a row now: when the provider went down, the number that marked it so. */
	get failuresInARow(): number {
		return this.#consecutive;
	}

	get downSince(): number | undefined {
		return this.#downSince;
	}

	/** Times the provider went down, milliseconds it was down (closed outages), probes sent. */
	counters(now: number): {outages: number; downMs: number; probes: number} {
		const open = this.#downSince === undefined ? 0 : now - this.#downSince;
		return {outages: this.#trips, downMs: this.#downMs + open, probes: this.#probes};
	}

	/** Whether a request may go now; in the open state past the probe time, that request is the probe. */
	allows(now: number): boolean {
		return this.#state === 'closed' || (this.#state === 'open' && now >= this.#nextProbeAt);
	}

	/** A request went out; returns true if it is the probe. */
	noteSent(now: number): boolean {
		if (this.#state !== 'open' || now < this.#nextProbeAt) return false;
		this.#state = 'probing';
		this.#probes++;
		return true;
	}

	/**
	 * The provider answered a request sent at `sentAt`: returns true if that ends an outage. An answer to a
	 * request sent before the failures began says nothing about the provider now: a request admitted before an
	 * outage can finish well into it, and reopening on it would send a burst into the outage.
	 */
	onSuccess(now: number, sentAt = now): boolean {
		if (this.#consecutive > 0 && sentAt < this.#failingSince) return false;
		// Down, only a request sent after the last that failed proves the provider answers: a random failure just
		// before an outage puts the start of the run before it, and requests admitted in between end inside it.
		if (this.#state !== 'closed' && sentAt < this.#lastFailingSent) return false;
		this.#consecutive = 0;
		if (this.#state === 'closed') return false;
		this.#state = 'closed';
		this.#downMs += now - (this.#downSince ?? now);
		this.#downSince = undefined;
		return true;
	}

	/**
	 * A request failed as an outage would (5xx, timeout, connection). Returns true if this marks the provider
	 * as down. `wasProbe` says it was the probe; `healthyLatencyMs` is the lane's latency when all was well.
	 */
	onFailure(now: number, wasProbe: boolean, healthyLatencyMs: number | undefined, sentAt = now, recent?: RecentOutcomes): boolean {
		const streakBefore = this.#consecutive;
		this.#failingSince = this.#consecutive === 0 ? sentAt : Math.min(this.#failingSince, sentAt);
		this.#lastFailingSent = this.#consecutive === 0 ? sentAt : Math.max(this.#lastFailingSent, sentAt);
		this.#consecutive++;
		if (this.#state === 'probing' && wasProbe) {
			this.#intervalMs = Math.min(this.#cap(healthyLatencyMs, now), this.#intervalMs * 2);
			this.#schedule(now);
			return false;
		}

		if (this.#state !== 'closed' || this.#consecutive < this.#tripAfter(recent, streakBefore)) return false;
		this.#state = 'open';
		this.#trips++;
		this.#downSince = now;
		this.#intervalMs = Math.min(this.#cap(healthyLatencyMs, now), 2 * (healthyLatencyMs ?? fallbackLatencyMs));
		this.#schedule(now);
		return true;
	}

	/** A probe that ended without an answer either way (aborted): the next one may go at once. */
	onProbeLost(now: number): void {
		if (this.#state === 'probing') {
			this.#state = 'open';
			this.#nextProbeAt = now;
		}
	}

	/**
	 * Failures in a row that mark the provider as down. Against a provider that fails a tenth of its requests
	 * whatever happens, five in a row; against one that has not failed lately, three are already far beyond
	 * chance, and every one more is a request sent into an outage. The recent outcomes are counted without
	 * the current run of failures, with one failure and one success assumed, so a lane that knows little
	 * (the start of a run, just after an outage) waits for the configured number.
	 */
	#tripAfter(recent: RecentOutcomes | undefined, streak: number): number {
		const most = this.options.failures;
		if (!recent) return most;
		const samples = Math.max(0, recent.samples - streak);
		const failures = Math.min(samples, Math.max(0, recent.failures - streak));
		const share = (failures + 1) / (samples + 2);
		const needed = Math.ceil(Math.log(chanceRun) / Math.log(share));
		return Math.min(most, Math.max(Math.min(minFailures, most), needed));
	}

	#cap(healthyLatencyMs: number | undefined, now: number): number {
		const base = capLatencies * (healthyLatencyMs ?? fallbackLatencyMs);
		const downFor = now - (this.#downSince ?? now);
		return Math.min(this.options.maxProbeMs, base * Math.max(1, Math.sqrt(downFor / (capGrowAfter * base))));
	}

	#schedule(now: number): void {
		this.#state = 'open';
		// ±20%: lanes (and runners) that went down together do not probe in step.
		this.#nextProbeAt = now + (this.#intervalMs * (0.8 + (0.4 * this.random())));
	}
}
