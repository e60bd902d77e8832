import {estimateTokens} from '../providers/token-estimate.js';
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
};

type Cohort = {models: string[]; items: WorkItem[]; head: number};

/**
 * A lane's pending items in dispatch order. Models are interleaved (test 1 of every model, then test 2 …)
 * so they progress together; with a batch size, models run in cohorts of that many, one cohort at a time.
 * Items to send again (after a 429, a retry delay or an abort) go before the rest.
 */
export class WorkQueue {
	readonly total: number;
	readonly #cohorts: Cohort[];
	#current = 0;
	#completed = 0;
	readonly #again: WorkItem[] = [];

	constructor(models: readonly ModelSpec[], pending: ReadonlyArray<{model: ModelSpec; test: TestCase}>, batchSize?: number, maxTokens = 0) {
		const groups: ModelSpec[][] = [];
		const size = batchSize ?? models.length;
		for (let i = 0; i < models.length; i += size) groups.push(models.slice(i, i + size));
		const byModel = new Map<string, WorkItem[]>(models.map(model => [model.name, []]));
		for (const {model, test} of pending) byModel.get(model.name)?.push({model, test, attempts: 0, rateLimits: 0, outageFailures: 0, tokens: estimateTokens({...test, maxTokens})});
		this.#cohorts = groups
			.map(group => ({models: group.map(model => model.name), items: interleave(group.map(model => byModel.get(model.name)!)), head: 0}))
			.filter(cohort => cohort.items.length > 0);
		this.total = this.#cohorts.reduce((sum, cohort) => sum + cohort.items.length, 0);
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
		return this.#cohorts[this.#current]?.models ?? [];
	}

	hasReady(): boolean {
		if (this.#again.length > 0) return true;
		const cohort = this.#cohorts[this.#current];
		return cohort !== undefined && cohort.head < cohort.items.length;
	}

	next(): WorkItem | undefined {
		const again = this.#again.pop();
		if (again) return again;
		const cohort = this.#cohorts[this.#current];
		if (!cohort || cohort.head >= cohort.items.length) return undefined;
		const item = cohort.items[cohort.head]!;
		// Drop the reference so a long run does not keep every sent item alive.
		cohort.items[cohort.head++] = undefined as unknown as WorkItem;
		return item;
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
}

function interleave(lists: WorkItem[][]): WorkItem[] {
	const out: WorkItem[] = [];
	// A reduce, not Math.max(...): spreading one argument per model overflows the stack at about 150k models.
	const longest = lists.reduce((most, list) => Math.max(most, list.length), 0);
	for (let i = 0; i < longest; i++) {
		for (const list of lists) {
			const item = list[i];
			if (item) out.push(item);
		}
	}

	return out;
}
