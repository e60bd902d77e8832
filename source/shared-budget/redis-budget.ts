import type {Redis} from 'ioredis';
import type {SharedBudget, SharedChange, SharedView} from '../engine/shared/shared-budget.js';

/** The scripts of lease-scripts.ts, as `defineCommand` adds them to a client. */
export type BudgetCommands = {
	laneHeartbeat(...args: Array<string | number>): Promise<number[]>;
	lanePause(...args: Array<string | number>): Promise<number>;
};

export type RedisBudgetOptions = {
	/** Keys and channel of this budget: `lanes:budget:HASH` (the id is hashed: an endpoint is no one's business). */
	prefix: string;
	/** The budget's id as the report shows it (see `shownBudgetId`). */
	budget?: string;
	runnerId: string;
	/** The in-flight cap of the whole budget as this runner's config says it. */
	cap: number;
	/** A lease not renewed for this long is dropped: longer than the request timeout. */
	leaseMs: number;
	/** Heartbeat interval while the runner has all the share it wants; a hungry runner asks four times as often. */
	heartbeatMs: number;
	now?: () => number;
};

/** Messages on a budget's channel: `pause RUNNER MS`, `up RUNNER`, `left RUNNER`. */
export type BudgetMessage = {kind: 'pause' | 'up' | 'left'; runner: string; ms: number};

/**
 * One provider budget shared through Redis: a lease per runner renewed by heartbeats (its in-flight share),
 * the budget-wide 429 pause, and one probe for all while the provider is down. What the lane reads is what
 * the last heartbeat or message said; when Redis is away, the lane keeps its last fair share and its own limits.
 */
export class RedisBudget implements SharedBudget {
	readonly #redis: Redis & BudgetCommands;
	readonly #options: RedisBudgetOptions;
	readonly #now: () => number;
	readonly #listeners = new Set<(change: SharedChange) => void>();
	#grant = 0;
	#fair = 0;
	#active = 1;
	#runners = 1;
	#mostRunners = 1;
	#totalInFlight = 0;
	#budgetCap: number;
	/** The limit of the whole budget this runner publishes (see `publishLimit`). */
	#cap: number;
	/** This runner's in flight as the last heartbeat told it: the rest of the total is the others'. */
	#sentInFlight = 0;
	#pauseUntil = 0;
	#inFlight = 0;
	#demand = 0;
	#sentDemand = -1;
	#connected = true;
	#released = false;
	#beating = false;
	#again = false;
	#timer: NodeJS.Timeout | undefined;
	#probeClaimed = false;
	#probeAsking = false;
	#probeTimer: NodeJS.Timeout | undefined;
	#upCount = 0;
	#leaving: Promise<unknown> = Promise.resolve();

	constructor(redis: Redis & BudgetCommands, options: RedisBudgetOptions) {
		this.#redis = redis;
		this.#options = options;
		this.#now = options.now ?? (() => performance.now());
		this.#budgetCap = options.cap;
		this.#cap = options.cap;
	}

	get upCount(): number {
		return this.#upCount;
	}

	get channel(): string {
		return `${this.#options.prefix}:events`;
	}

	/** The first lease; throws if Redis does not answer. Then heartbeats run until `release`. */
	async join(demand: number): Promise<void> {
		this.#demand = demand;
		await this.#beat();
		if (!this.#connected) throw new Error('no answer from Redis');
		this.#schedule();
	}

	slots(limit: number): number {
		// Away from Redis: the last fair share, never the whole budget.
		return Math.min(limit, this.#connected ? this.#grant : Math.max(1, this.#fair));
	}

	rateShare(): number {
		return 1 / Math.max(1, this.#active);
	}

	note(inFlight: number, demand: number): void {
		if (this.#released) return;
		this.#inFlight = inFlight;
		this.#demand = demand;
		// Handing slots back, or wanting more than granted: tell the budget now rather than at the next beat.
		if (demand < this.#sentDemand || (demand > this.#grant && demand !== this.#sentDemand)) this.#beatSoon();
	}

	publishLimit(limit: number): void {
		const cap = Math.max(1, Math.round(limit));
		if (cap === this.#cap) return;
		this.#cap = cap;
		this.#beatSoon();
	}

	inFlightAcross(own: number): number {
		return this.#connected ? Math.max(0, this.#totalInFlight - this.#sentInFlight) + own : own;
	}

	pauseLeftMs(): number {
		return Math.max(0, this.#pauseUntil - this.#now());
	}

	publishPause(ms: number): void {
		if (this.#released || !this.#connected || ms <= 0) return;
		const wait = Math.ceil(ms);
		this.#redis.lanePause(1, `${this.#options.prefix}:pause`, wait, this.channel, `pause ${this.#options.runnerId} ${wait}`).catch(error => {
			this.#lost(error);
		});
	}

	claimProbe(intervalMs: number): boolean {
		if (!this.#connected) return true;
		if (this.#probeClaimed) {
			this.#probeClaimed = false;
			return true;
		}

		if (!this.#probeAsking && this.#probeTimer === undefined) this.#askProbe(intervalMs);
		return false;
	}

	publishUp(): void {
		if (!this.#connected) return;
		const key = `${this.#options.prefix}:probe`;
		this.#redis.multi().del(key).publish(this.channel, `up ${this.#options.runnerId} 0`).exec().catch(error => {
			this.#lost(error);
		});
	}

	view(): SharedView {
		return {
			runners: this.#runners, inFlight: this.#connected ? this.#totalInFlight : this.#inFlight, cap: this.#budgetCap, connected: this.#connected,
			budget: this.#options.budget, mostRunners: this.#mostRunners,
		};
	}

	release(): void {
		if (this.#released) return;
		this.#released = true;
		clearTimeout(this.#timer);
		clearTimeout(this.#probeTimer);
		if (!this.#connected) return;
		// Leave at once, so the others grow into this share at their next heartbeat; and tell them now.
		this.#leaving = this.#redis.laneHeartbeat(...this.#heartbeatArgs(-1))
			.then(async () => this.#redis.publish(this.channel, `left ${this.#options.runnerId} 0`))
			.catch(() => undefined);
	}

	/** Resolves once the leave (see `release`) has reached Redis or failed. */
	async leave(): Promise<void> {
		this.release();
		await this.#leaving;
	}

	subscribe(listener: (change: SharedChange) => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** A message on the budget's channel (the coordinator routes them here). */
	onMessage(message: BudgetMessage): void {
		if (message.runner === this.#options.runnerId || this.#released) return;
		if (message.kind === 'pause') this.#pauseUntil = Math.max(this.#pauseUntil, this.#now() + message.ms);
		if (message.kind === 'up') {
			this.#upCount++;
			this.#probeClaimed = false;
		}

		if (message.kind === 'left') this.#beatSoon();
		this.#tell({kind: 'update'});
	}

	#heartbeatArgs(demand: number): Array<string | number> {
		const p = this.#options.prefix;
		return [6, `${p}:expiry`, `${p}:demand`, `${p}:held`, `${p}:cap`, `${p}:inflight`, `${p}:pause`,
			this.#options.runnerId, this.#options.leaseMs, demand, this.#inFlight, this.#cap];
	}

	async #beat(): Promise<void> {
		if (this.#beating) {
			this.#again = true;
			return;
		}

		this.#beating = true;
		try {
			const demand = this.#demand;
			const inFlight = this.#inFlight;
			const [grant, fair, active, runners, total, cap, pause] = await this.#redis.laneHeartbeat(...this.#heartbeatArgs(demand));
			if (this.#released) return;
			this.#sentDemand = demand;
			this.#sentInFlight = inFlight;
			const changed = grant !== this.#grant || active !== this.#active || runners !== this.#runners;
			this.#grant = grant!;
			this.#fair = fair!;
			this.#active = active!;
			this.#runners = runners!;
			this.#mostRunners = Math.max(this.#mostRunners, runners!);
			this.#totalInFlight = total!;
			this.#budgetCap = cap!;
			if (pause! > 0) this.#pauseUntil = Math.max(this.#pauseUntil, this.#now() + pause!);
			if (!this.#connected) {
				this.#connected = true;
				this.#tell({kind: 'rejoined', runners: runners!});
			} else if (changed || pause! > 0) {
				this.#tell({kind: 'update'});
			}
		} catch (error) {
			this.#lost(error);
		} finally {
			this.#beating = false;
			if (this.#again && !this.#released) {
				this.#again = false;
				void this.#beat();
			}
		}
	}

	#beatSoon(): void {
		if (this.#released || !this.#connected) return;
		queueMicrotask(() => {
			void this.#beat();
		});
	}

	#schedule(): void {
		if (this.#released) return;
		const hungry = this.#demand > this.#grant;
		this.#timer = setTimeout(() => {
			void this.#beat().finally(() => {
				this.#schedule();
			});
		}, hungry ? this.#options.heartbeatMs / 4 : this.#options.heartbeatMs);
		this.#timer.unref();
	}

	#askProbe(intervalMs: number): void {
		this.#probeAsking = true;
		const key = `${this.#options.prefix}:probe`;
		// The claim lasts one probe interval: the next probe, from whichever runner, waits that long.
		this.#redis.set(key, this.#options.runnerId, 'PX', Math.max(1, Math.round(intervalMs)), 'NX')
			.then(async ok => {
				if (ok === 'OK') {
					this.#probeClaimed = true;
					this.#tell({kind: 'update'});
					return;
				}

				const left = await this.#redis.pttl(key);
				this.#probeTimer = setTimeout(() => {
					this.#probeTimer = undefined;
					this.#tell({kind: 'update'});
				}, Math.max(1, left));
				this.#probeTimer.unref();
			})
			.catch(error => {
				this.#lost(error);
			})
			.finally(() => {
				this.#probeAsking = false;
			});
	}

	#lost(error: unknown): void {
		if (!this.#connected || this.#released) return;
		this.#connected = false;
		const reason = error instanceof Error ? error.message : String(error);
		this.#tell({kind: 'lost', reason, share: Math.max(1, this.#fair)});
	}

	#tell(change: SharedChange): void {
		for (const listener of this.#listeners) listener(change);
	}
}
