import type {LimitCause} from '../types.js';

export type LimitChange = {from: number; to: number; cause: LimitCause};

/** What a request's outcome tells a concurrency limit. */
export type LimitSample =
	/** `processingMs`: the part of the latency the provider says it worked on the request, when it said. */
	| {kind: 'success'; latencyMs: number; processingMs?: number}
	/** Before anything came back: a request out longer than a refusal would take, so the provider admitted it. */
	| {kind: 'admitted'}
	/** The probe above the level the provider last refused went out at `sentAt` and has been out longer than a refusal takes. */
	| {kind: 'probe_admitted'; sentAt: number}
	/**
	 * The provider refused for its budget (429). `cause` is what its headers say was spent: the rate (requests
	 * or tokens), in-flight slots, or unknown. `admitted` counts the lane's other requests still in flight when
	 * the refusal came back: the most of the provider's slots the lane can have been holding.
	 */
	| {kind: 'overload'; cause: 'concurrency' | 'rate' | 'unknown'; sentAt: number; admitted: number}
	/**
	 * A 429 storm: the provider refuses whatever the lane holds, so the cuts its first refusals made were not
	 * about the limit. The lane waits it out; the first answer after it restores the level held before.
	 */
	| {kind: 'storm'}
	/** The lane-wide wait a 429 asked for is over, with `inFlight` requests out (every runner's, when shared). */
	| {kind: 'wait_over'; inFlight: number}
	/** A request ready to go waited for the provider's rate (the configured qps or tpm, or its own budgets): the rate holds the lane back, not its concurrency. */
	| {kind: 'paced'}
	/** A transient failure; `errorShare` of the `samples` recent outcomes failed. */
	| {kind: 'error'; sentAt: number; errorShare: number; samples: number};

/**
 * A lane's in-flight limit, as a policy (Netflix concurrency-limits' `Limit`): the lane tells it what happened
 * and applies the number it gives. Implementations: `AimdLimit` (adaptive) and `CeilingLimit` (adaptive off).
 */
export type Limit = {
	readonly limit: number;
	readonly min: number;
	readonly max: number;
	/** Smoothed latency of successes: the time constant of every window (1 s until the first success). */
	readonly windowMs: number;
	/**
	 * When the probe above the level the provider last refused went up, or the one request sent past a draining
	 * fall, while it is not yet known to hold: the lane times the request sent then.
	 */
	readonly probingSince: number | undefined;
	/** The operator's number: it stands as the new limit, and the bounds widen to take it. */
	set(value: number): void;
	/**
	 * A request was sent; `inFlight` counts it. `ownInFlight`: this runner's part of them, when the limit is a
	 * shared budget's and counts every runner's requests.
	 */
	noteDispatch(inFlight: number, ownInFlight?: number): void;
	/** Returns a change when the sample moves the limit. */
	onSample(sample: LimitSample): LimitChange | undefined;
};
