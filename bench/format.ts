/** What every section hands back: lines for the report, numbers for results.json. */
export type SectionResult = {
	title: string;
	lines: string[];
	json: Record<string, unknown>;
	/** Targets this section checks, each met or not. */
	targets: Target[];
};

export type Target = {name: string; met: boolean; detail: string};

/** A target line as the report prints it. */
export function targetLine(target: Target): string {
	return `${target.met ? 'TARGET MET    ' : 'TARGET NOT MET'}  ${target.name}: ${target.detail}`;
}

/** Left-aligned first column, right-aligned others. */
export function table(header: string[], rows: string[][]): string[] {
	const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map(row => (row[column] ?? '').length)));
	const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
	return [line(header), widths.map(width => '-'.repeat(width)).join('  '), ...rows.map(row => line(row))];
}

/** A number with a fixed count of decimals. */
export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');

/** A share (0..1) as a percentage. */
export const percent = (share: number, digits = 1) => `${fixed(share * 100, digits)}%`;

/** A ratio as "2.31x". */
export const times = (ratio: number) => `${fixed(ratio, 2)}x`;

/** A count with thousands separators. */
export const count = (value: number) => Math.round(value).toLocaleString('en-US');

/** Rounds numbers for results.json so it stays readable. */
export function round(value: number, digits = 3): number {
	const scale = 10 ** digits;
	return Math.round(value * scale) / scale;
}
