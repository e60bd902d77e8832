/** What a lane learns from its budget's other runners, told to the lane as it happens. */
export type SharedChange =
	/** The slots, rate share, pause or breaker news changed: look again. */
	| {kind: 'update'}
	/** The coordinator (Redis) cannot be reached: the lane goes on at its last share. */
	| {kind: 'lost'; reason: string; share: number}
	/** The coordinator answers again: the lane takes part in the budget again. */
	| {kind: 'rejoined'; runners: number};

/** The budget as this runner sees it, for the screen. */
export type SharedView = {
	/** Runners of this budget with a live lease (this one included). */
	runners: number;
	/** Requests in flight across all of them, as last heard. */
	inFlight: number;
	/** The in-flight cap of the whole budget. */
	cap: number;
	/** Whether the coordinator answers now. */
	connected: boolean;
	/** The budget's id as the report shows it (credentials and query left out). */
	budget?: string;
	/** The most runners of this budget at once that this runner has seen. */
	mostRunners?: number;
};

/**
 * One provider budget that several runners (processes, hosts) share. The lane consults it where it decides:
 * before a dispatch (how many slots this runner may hold, what share of the rate), after a 429 (the pause
 * goes to every runner), and when its breaker wants to probe (one probe for all). Synchronous reads of what
 * the budget last said; the coordination itself is asynchronous, and `subscribe` tells the lane when to look again.
 */
export type SharedBudget = {
	/** Slots this runner may hold now, at most `limit` (the lane's own limit). */
	slots(limit: number): number;
	/** Share of the budget's configured rates (qps, tpm) that is this runner's, 0..1. */
	rateShare(): number;
	/** What the lane holds and wants: in flight now, and as many as it would hold if it were alone. */
	note(inFlight: number, demand: number): void;
	/**
	 * The budget's one learned limit: the lane's limit of the whole budget (adaptive: what it learned; off: the
	 * operator's number). The budget's cap, which leases split, is the lowest that runners with work publish,
	 * so two adaptive runners probe above it no more often than one.
	 */
	publishLimit(limit: number): void;
	/** Requests in flight across every runner of the budget: the others' as last heard, and this runner's `own`. */
	inFlightAcross(own: number): number;
	/** Milliseconds of a budget-wide 429 pause still to wait (another runner's Retry-After). */
	pauseLeftMs(): number;
	/** This runner's 429 says wait `ms`: every runner of the budget waits too. */
	publishPause(ms: number): void;
	/** The breaker wants to probe: true if this runner is the one to send it (for `intervalMs`, no other runner will). */
	claimProbe(intervalMs: number): boolean;
	/** This runner's probe got an answer: the provider is up for every runner. */
	publishUp(): void;
	/** Grows each time another runner's probe found the provider up. */
	readonly upCount: number;
	view(): SharedView | undefined;
	/** The lane has nothing more to send: its share goes back at once. */
	release(): void;
	/** Returns an unsubscribe function. */
	subscribe(listener: (change: SharedChange) => void): () => void;
};

/** No other runner: the lane's own limits are the budget's. What a lane uses without `shared.redis`. */
export const embeddedBudget: SharedBudget = {
	slots: limit => limit,
	rateShare: () => 1,
	note() {},
	publishLimit() {},
	inFlightAcross: own => own,
	pauseLeftMs: () => 0,
	publishPause() {},
	claimProbe: () => true,
	publishUp() {},
	upCount: 0,
	view: () => undefined,
	release() {},
	subscribe: () => () => {},
};
