import {clamp} from '../text/format.js';

export type LaneForm = 'full' | 'compact';

/** How the screen's rows are shared out. Every field is a count of terminal lines unless said. */
export type Layout = {
	headerLines: 1 | 2;
	form: LaneForm;
	/** Index of the first lane shown. */
	first: number;
	shown: number;
	/** Lanes left out; one "+N more lanes" line when non-zero. */
	hidden: number;
	/** Event log lines (plus a rule above them when non-zero). */
	eventLines: number;
	footer: boolean;
	/** Rows free for the lanes and the event log, for views that replace both (the help overlay). */
	body: number;
};

export const fullLaneLines = 3;
const preferredEvents = 6;
const minEvents = 2;
const maxEvents = 12;

type LayoutInput = {rows: number; laneCount: number; selected: number; notice: boolean};

/**
 * Fits the frame in `rows - 1` lines: Ink clears the whole screen when a frame is as tall as the
 * terminal. In order: full lanes; compact one-line lanes; a shorter event log; "+N more lanes" (the
 * window follows the selected lane); no event log; a one-line header and no footer.
 */
export function computeLayout({rows, laneCount: n, selected, notice}: LayoutInput): Layout {
	const budget = Math.max(1, rows - 1);
	const fixed = 2 + (notice ? 1 : 0) + 1;
	const base = {headerLines: 2 as const, footer: true, first: 0, shown: n, hidden: 0, body: Math.max(0, budget - fixed)};
	const events = (used: number) => Math.min(maxEvents, budget - fixed - used - 1);

	if (fixed + n * fullLaneLines + 1 + preferredEvents <= budget) {
		return {...base, form: 'full', eventLines: events(n * fullLaneLines)};
	}

	if (fixed + n + 1 + minEvents <= budget) {
		return {...base, form: 'compact', eventLines: events(n)};
	}

	const window = (available: number) => {
		const shown = n <= available ? n : Math.max(0, available - 1);
		const first = clamp(selected - Math.floor(shown / 2), 0, n - shown);
		return {first, shown, hidden: n - shown};
	};

	const withLog = budget - fixed - 1 - minEvents;
	if (withLog >= 2) return {...base, form: 'compact', ...window(withLog), eventLines: minEvents};

	const withoutLog = budget - fixed;
	if (withoutLog >= 2) return {...base, form: 'compact', ...window(withoutLog), eventLines: 0};

	const tiny = Math.max(0, budget - 1 - (notice ? 1 : 0));
	return {...base, headerLines: 1, footer: false, body: tiny, form: 'compact', ...window(tiny), eventLines: 0};
}
