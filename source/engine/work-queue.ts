import {estimateTokens} from '../providers/token-estimate.js';
import type {PendingItems} from './pending-items.js';
import type {ModelSpec, TestCase} from './types.js';

/** One (model, test) on its way to a final result. */
export type WorkItem = {
	model: ModelSpec;
	test: TestCase;
	/** Requests sent for it so far. */
	attempts: number;
	/** 429s it got so far. */
	rateLimits: number;
	/** Failures while its provider was down. */
	outageFailures: number;
	/** Tokens it counts against a quota at admission (prompt / 4 + max_tokens). */
	tokens: number;
	/** Requests for it in flight now (two while hedged), and when the first of them went. */
	copies: number;
	sentAt: number;
	hedged: boolean;
	/** Its result is recorded: a copy still in flight is dropped when it comes back. */
	final: boolean;
};

/** Items a page holds at most: enough that reading costs little per item, few enough that memory stays flat. */
const pageItems = 512;

type Cohort = {
	models: ModelSpec[];
	names: string[];
	/** Read from the source, not yet taken; `head` is the next one. */
	page: WorkItem[];
	head: number;
	/** The first test position not read yet. */
	position: number;
};

/**
 * A lane's pending items in dispatch order. Models are interleaved (test 1 of every model, then test 2 …)
 * so they progress together; with a batch size, models run in cohorts of that many, one cohort at a time.
 * Items to send again (after a 429, a retry delay or an abort) go before the rest.
 *
 * Items are read from `PendingItems` a page at a time, so a lane holds at most a page plus what is in flight
 * or waiting to go again, however many items the run has.
 */
export class WorkQueue {
	readonly total: number;
	readonly #source: PendingItems;
	readonly #maxTokens: number;
	readonly #cohorts: Cohort[];
	#current = 0;
	#completed = 0;
	readonly #again: WorkItem[] = [];

	constructor(models: readonly ModelSpec[], source: PendingItems, batchSize?: number, maxTokens = 0) {
		this.#source = source;
		this.#maxTokens = maxTokens;
		const size = batchSize ?? models.length;
		const cohorts: Array<Cohort & {count: number}> = [];
		for (let i = 0; i < models.length; i += size) {
			const group = models.slice(i, i + size);
			const names = group.map(model => model.name);
			cohorts.push({models: group, names, page: [], head: 0, position: 0, count: source.count(names)});
		}

		this.#cohorts = cohorts.filter(cohort => cohort.count > 0);
		this.total = cohorts.reduce((sum, cohort) => sum + cohort.count, 0);
	}

	/** Items without a final result. */
	get remaining(): number {
		return this.total - this.#completed;
	}

	/** 1-based number of the cohort being worked on. */
	get cohortNumber(): number {
		return Math.min(this.#current + 1, this.#cohorts.length);
	}

	get cohortCount(): number {
		return this.#cohorts.length;
	}

	get cohortsAfterCurrent(): number {
		return Math.max(0, this.#cohorts.length - this.#current - 1);
	}

	cohortModels(): string[] {
		return this.#cohorts[this.#current]?.names ?? [];
	}

	hasReady(): boolean {
		if (this.#again.length > 0) return true;
		const cohort = this.#cohorts[this.#current];
		return cohort !== undefined && this.#fill(cohort);
	}

	next(): WorkItem | undefined {
		const again = this.#again.pop();
		if (again) return again;
		const cohort = this.#cohorts[this.#current];
		if (!cohort || !this.#fill(cohort)) return undefined;
		return cohort.page[cohort.head++];
	}

	/** The item goes out again before anything else. */
	requeue(item: WorkItem): void {
		this.#again.push(item);
	}

	/** The item goes out again after the others waiting to go again: refusals rotate instead of piling on one item. */
	requeueLast(item: WorkItem): void {
		this.#again.unshift(item);
	}

	/** An item got its final result. */
	complete(): void {
		this.#completed++;
	}

	/** Moves to the next cohort; false when there is none. */
	advance(): boolean {
		if (this.#current >= this.#cohorts.length - 1) return false;
		this.#current++;
		return true;
	}

	/** True when the cohort has an item to take, reading the next page if the current one is used up. */
	#fill(cohort: Cohort): boolean {
		if (cohort.head < cohort.page.length) return true;
		const testCount = this.#source.testCount;
		// A window of tests that would fill a page, from the first with work: a stretch already done (a resumed
		// run) is skipped, not read, so no page holds more than one window's items.
		const span = Math.max(1, Math.ceil(pageItems / cohort.names.length));
		while (cohort.position < testCount) {
			const from = this.#source.firstPending(cohort.names, cohort.position);
			if (from === undefined) break;
			const to = Math.min(testCount, from + span);
			const pending = this.#source.read(cohort.names, from, to);
			cohort.position = to;
			if (pending.length > 0) {
				cohort.page = pending.map(({model, test}) => ({
					model: cohort.models[model]!, test, attempts: 0, rateLimits: 0, outageFailures: 0,
					tokens: estimateTokens(test, this.#maxTokens), copies: 0, sentAt: 0, hedged: false, final: false,
				}));
				cohort.head = 0;
				return true;
			}
		}

		cohort.position = testCount;

		cohort.page = [];
		cohort.head = 0;
		return false;
	}
}
