export type RetryBudgetOptions = {
	/** Retries earned per first attempt (0.2: retries add at most a fifth to the load). */
	ratio?: number;
	/** Retries allowed before any first attempt, and the most that can be saved up. */
	reserve?: number;
};

/**
 * Retries under a budget (Finagle's RetryBudget, gRPC A6 retry throttling, the AWS SDK's retry quota): every
 * first attempt deposits `ratio` of a retry, every retry withdraws one. In a brownout retries wait instead of
 * multiplying the load; they are never dropped, and once no first attempts are left they go freely.
 */
export class RetryBudget {
	readonly #ratio: number;
	readonly #reserve: number;
	#balance: number;

	constructor(options: RetryBudgetOptions = {}) {
		this.#ratio = options.ratio ?? 0.2;
		this.#reserve = options.reserve ?? 10;
		this.#balance = this.#reserve;
	}

	get balance(): number {
		return this.#balance;
	}

	noteFirstAttempt(): void {
		this.#balance = Math.min(this.#reserve, this.#balance + this.#ratio);
	}

	/** Takes one retry from the budget if it has one. */
	tryWithdraw(): boolean {
		if (this.#balance < 1) return false;
		this.#balance -= 1;
		return true;
	}
}
