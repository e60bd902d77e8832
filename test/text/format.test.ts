import {describe, expect, it} from 'vitest';
import {cell, cellRight, cellWidth, formatDuration, formatEta, formatMs, formatPercent, formatQps, formatRatio, truncate} from '../../source/text/format.js';
import {progressBar} from '../../source/ui/ProgressBar.js';
import {sparkline} from '../../source/ui/Sparkline.js';

describe('format', () => {
	it('durations', () => {
		expect(formatDuration(3_725_000)).toBe('1h02m');
		expect(formatDuration(185_000)).toBe('3m05s');
		expect(formatDuration(42_900)).toBe('42s');
		expect(formatDuration(-5)).toBe('0s');
		expect(formatDuration(400, 'ceil')).toBe('1s');
		expect(formatEta(undefined)).toBe('–');
		expect(formatEta(Number.POSITIVE_INFINITY)).toBe('–');
	});

	it('latencies, rates and percentages', () => {
		expect(formatMs(820.4)).toBe('820ms');
		expect(formatMs(2100)).toBe('2.1s');
		expect(formatMs(65_000)).toBe('1m05s');
		expect(formatMs(undefined)).toBe('–');
		expect(formatPercent(999, 1000)).toBe('99%');
		expect(formatPercent(1, 0)).toBe('0%');
		expect(formatRatio(0.0234)).toBe('2.3%');
		expect(formatRatio(0.456)).toBe('46%');
		expect(formatRatio(0)).toBe('0%');
		expect(formatQps(3.25)).toBe('3.3');
		expect(formatQps(42.4)).toBe('42');
	});

	it('cells and truncation', () => {
		expect(truncate('abcdef', 4)).toBe('abc…');
		expect(cell('ab', 4)).toBe('ab  ');
		expect(cell('abcdef', 4)).toBe('abc…');
		// Terminal cells, not code points: each CJK character takes two.
		const wide = '通义千问-max-长上下文';
		expect(cellWidth(wide)).toBe(21); // 13 code points
		expect(cell(wide, 23)).toBe(`${wide}  `);
		expect(cellRight('通义', 6)).toBe('  通义');
		for (let width = 1; width < 21; width++) {
			expect(cellWidth(truncate(wide, width)), `cut to ${width}`).toBeLessThanOrEqual(width);
			expect(cellWidth(cell(wide, width)), `cell of ${width}`).toBe(width);
		}

		expect(truncate(wide, 5)).toBe('通义…');
	});

	it('bars and sparklines', () => {
		expect(progressBar(5, 10, 10)).toBe('█████░░░░░');
		expect(progressBar(999, 1000, 10)).toBe('█████████░');
		expect(progressBar(10, 10, 10)).toBe('██████████');
		expect(progressBar(0, 0, 4)).toBe('░░░░');
		expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8)).toBe('▁▂▃▄▅▆▇█');
		expect(sparkline([0, 0, 0], 8)).toBe('▁▁▁');
		expect(sparkline([1, 2, 3, 4], 2)).toBe('▆█');
	});
});
