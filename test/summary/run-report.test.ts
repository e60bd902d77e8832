import stringWidth from 'string-width';
import {describe, expect, it} from 'vitest';
import {reportTable} from '../../source/summary/run-report.js';
import {report} from './fixtures.js';

/** Where each field of a table line (fields are two or more spaces apart) starts and ends, in terminal cells. */
function fields(line: string): Array<{start: number; end: number}> {
	return [...line.matchAll(/\S+(?: \S+)*/g)].map(match => {
		const start = stringWidth(line.slice(0, match.index));
		return {start, end: start + stringWidth(match[0])};
	});
}

describe('the end-of-run table', () => {
	it('says how the run ended and shows every model, the totals and every provider', () => {
		const text = reportTable(report);
		expect(text).toContain('run r-20250813-1 interrupted in 1h02m: 600 items, 450 passed, 40 failed, 10 errored, 100 not run');
		expect(text).toMatch(/^model\s+provider\s+items\s+passed\s+failed\s+errored\s+pending\s+pass rate\s+p50\s+p95\s+tokens in\s+tokens out$/m);
		expect(text).toMatch(/^gpt-4o-mini\s+azure\s+200\s+150\s+40\s+10\s+0\s+75\.0%\s+820ms\s+2\.1s\s+12\s+3$/m);
		expect(text).toMatch(/^qwen-max\s+idealab\s+200\s+150\s+0\s+0\s+50\s+100\.0%\s+1\.4s\s+5\.2s\s+0\s+0$/m);
		expect(text).toMatch(/^total\s+600\s+450\s+40\s+10\s+100\s+90\.0%\s+32\s+8$/m);
		expect(text).toMatch(/^azure\s+200\s+150\s+40\s+10\s+260\s+12\s+20\s+2\.60\s+1× 4m10s \(7\)\s+838\s+6$/m);
		// No request window, no rate: the same dash as every other unknown.
		expect(text).toMatch(/^idealab\s+400\s+300\s+0\s+0\s+300\s+0\s+0\s+–\s+–\s+–\s+2$/m);
	});

	it('keeps the columns of a row with a wide (CJK) model name aligned, in terminal cells', () => {
		for (const width of [undefined, 80]) {
			const lines = reportTable(report, {width}).split('\n');
			const header = fields(lines.find(line => line.startsWith('model '))!);
			const rows = ['gpt-4o-mini', 'qwen-max', '通义'].map(name => fields(lines.find(line => line.startsWith(name))!));
			for (const row of rows) {
				expect(row).toHaveLength(header.length);
				// Names and providers start where their titles do; numbers end where theirs do.
				expect(row[1]!.start, `provider column, width ${width}`).toBe(header[1]!.start);
				expect(row.slice(2).map(field => field.end), `number columns, width ${width}`).toEqual(header.slice(2).map(field => field.end));
			}
		}
	});

	it('fits a narrow terminal: columns on the right go first, then names are cut, no line wider than the terminal', () => {
		for (const width of [100, 80, 60, 40]) {
			const lines = reportTable(report, {width}).split('\n');
			for (const line of lines) expect(stringWidth(line), `${width}: ${line}`).toBeLessThanOrEqual(width);
		}

		const at80 = reportTable(report, {width: 80});
		expect(at80).toMatch(/^model\s+provider\s+items\s+passed\s+failed\s+errored\s+pass rate\s+p50\s+p95$/m);
		expect(at80).toMatch(/^通义千问-max-…\s+idealab\s+200\s+150\s+0\s+0\s+100\.0%\s+1\.5s\s+5\.3s$/m);
		expect(reportTable(report, {width: 100})).toMatch(/^通义千问-max-长上下文\s+idealab\s+200/m);
		// The plain report (no width) keeps every column.
		expect(reportTable(report)).toContain('tokens out');
	});
});
