import type {ReportInput} from '../../source/summary/run-report.js';
import type {RunSummary} from '../../source/summary/summary-types.js';

export const counts = (items: number, passed: number, failed: number, errored: number) => ({items, passed, failed, errored, pending: items - passed - failed - errored});
/** 13 code points, 21 terminal cells. */
export const wideName = '通义千问-max-长上下文';

export const summary: RunSummary = {
	runId: 'r-20250813-1',
	status: 'interrupted',
	elapsedMs: 3_725_000,
	totals: counts(600, 450, 40, 10),
	providers: {
		azure: {...counts(200, 150, 40, 10), requests: 260, rateLimited: 12, retries: 20, concurrency: 6, outageFailures: 7, transientFailures: 3, outages: 1, downMs: 250_000, tokens: 52_000, tokensPerMinute: 838},
		idealab: {...counts(400, 300, 0, 0), requests: 300, rateLimited: 0, retries: 0, concurrency: 2, outageFailures: 0, transientFailures: 0, outages: 0, downMs: 0, tokens: 0, tokensPerMinute: 0},
	},
	models: {
		'gpt-4o-mini': {...counts(200, 150, 40, 10), provider: 'azure', latencyP50Ms: 820, latencyP95Ms: 2100},
		'qwen-max': {...counts(200, 150, 0, 0), provider: 'idealab', latencyP50Ms: 1400, latencyP95Ms: 5200},
		[wideName]: {...counts(200, 150, 0, 0), provider: 'idealab', latencyP50Ms: 1500, latencyP95Ms: 5300},
	},
};
export const tokens: ReportInput['tokens'] = new Map([
	['gpt-4o-mini', {promptTokens: 12, completionTokens: 3}],
	[wideName, {promptTokens: 20, completionTokens: 5}],
]);
export const report: ReportInput = {summary, tokens, stats: new Map([['azure', {firstAt: 0, lastAt: 100_000, requests: 260}]])};
