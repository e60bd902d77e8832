import {Box, Text} from 'ink';
import type {ModelSummary, RunSummary} from '../summary/summary-types.js';
import {cell, cellRight, clamp, formatDuration, formatMs} from '../text/format.js';

export type FinishCommands = {report: string; resume?: string};

type Props = {summary: RunSummary; commands: FinishCommands; columns: number};

const numeric = ['items', 'passed', 'failed', 'errored', 'pass %', 'p50', 'p95'] as const;

/** Share of passes among the items that got a final result (items never run do not count as failures). */
function passRate(counts: {passed: number; failed: number; errored: number}): string {
	const graded = counts.passed + counts.failed + counts.errored;
	return graded === 0 ? '–' : `${((counts.passed / graded) * 100).toFixed(1)}%`;
}

/** The per-model result table, then the report and resume commands. Printed once, at the end. */
export function SummaryTable({summary, commands, columns}: Props) {
	const {totals} = summary;
	const models = Object.entries(summary.models);
	// No answer yet, no latency: "–", not "0ms".
	const latency = (s: ModelSummary, ms: number) => formatMs(s.passed + s.failed === 0 ? undefined : ms);
	const rows = models.map(([model, s]) => [
		model, s.provider,
		String(s.items), String(s.passed), String(s.failed), String(s.errored), passRate(s),
		latency(s, s.latencyP50Ms), latency(s, s.latencyP95Ms),
	]);
	const providerWidth = clamp(Math.max(8, ...models.map(([, s]) => s.provider.length)), 8, 16);
	const widths = numeric.map((title, index) => Math.max(title.length, ...rows.map(row => row[index + 2]!.length)));
	// Long model names give way (with "…") before the numbers on the right do.
	const rest = providerWidth + widths.reduce((sum, width) => sum + width + 2, 2);
	const modelWidth = clamp(Math.max(5, ...models.map(([name]) => name.length)), 5, Math.max(12, Math.min(32, columns - rest)));
	const format = (row: readonly string[]) => [
		cell(row[0]!, modelWidth), cell(row[1]!, providerWidth),
		...widths.map((width, index) => cellRight(row[index + 2]!, width)),
	].join('  ');
	const notRun = totals.pending > 0 ? `, ${totals.pending} not run` : '';
	const commandLines = [`report: ${commands.report}`, ...(commands.resume ? [`resume: ${commands.resume}`] : [])];
	// Commands are never cut: a wide box lets the terminal soft-wrap them, so they copy and paste whole.
	const commandWidth = Math.max(columns, ...commandLines.map(line => line.length + 1));

	return (
		<Box flexDirection="column">
			<Box flexDirection="column" width={columns}>
				<Text wrap="truncate-end" bold>
					run {summary.runId} {summary.status} in {formatDuration(summary.elapsedMs)}: {totals.items} items, {totals.passed} passed, {totals.failed} failed, {totals.errored} errored{notRun}
				</Text>
				<Text> </Text>
				<Text wrap="truncate-end" bold>{format(['model', 'provider', ...numeric])}</Text>
				{rows.map(row => <Text key={row[0]} wrap="truncate-end">{format(row)}</Text>)}
				<Text wrap="truncate-end" dimColor>{format(['total', '', String(totals.items), String(totals.passed), String(totals.failed), String(totals.errored), passRate(totals), '', ''])}</Text>
				<Text> </Text>
			</Box>
			<Box flexDirection="column" width={commandWidth}>
				{commandLines.map(line => <Text key={line}>{line}</Text>)}
			</Box>
		</Box>
	);
}
