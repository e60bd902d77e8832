import type {PendingItems, StatusCounts} from '../engine/pending-items.js';
import {testFromRow} from './rows.js';
import type {Statements} from './statements.js';

/**
 * A run's pending items read from the database: its tests by position, crossed with a lane's models, minus
 * the items with a final result (errored ones count as pending with `retryErrors`). Only the final counts per
 * model are read up front (one grouped query); items come a window of positions at a time.
 */
export function storedPendingItems(statements: Statements, runId: string, options: {retryErrors: boolean}): PendingItems {
	const extent = statements.testExtent.get(runId)!;
	const retryErrors = options.retryErrors ? 1 : 0;
	const final = new Map<string, StatusCounts>();
	for (const row of statements.modelCounts.iterate({runId})) {
		final.set(row.model, {passed: row.passed, failed: row.failed, errored: options.retryErrors ? 0 : row.errored});
	}

	const priorCounts = (models: readonly string[]) => {
		const sum: StatusCounts = {passed: 0, failed: 0, errored: 0};
		for (const model of models) {
			const counts = final.get(model);
			if (!counts) continue;
			sum.passed += counts.passed;
			sum.failed += counts.failed;
			sum.errored += counts.errored;
		}

		return sum;
	};

	return {
		// Positions may have gaps (a forced resume keeps the suite's): windows run to one past the last.
		testCount: extent.end,
		count(models) {
			const done = priorCounts(models);
			return (models.length * extent.tests) - done.passed - done.failed - done.errored;
		},
		priorCounts,
		firstPending(models, from) {
			return statements.firstPending.get({runId, models: JSON.stringify(models), from, retryErrors})?.position;
		},
		read(models, from, to) {
			const rows = statements.pendingPage.all({runId, models: JSON.stringify(models), from, to, retryErrors});
			return rows.map(row => ({model: row.model, test: testFromRow(row)}));
		},
	};
}
