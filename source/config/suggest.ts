/**
 * The candidate the user most likely meant by `name`, or undefined: a near typo (a few edits, a swap of two
 * letters, other case), else the only candidate that contains `name` (`gpt-4` -> `gpt-4o-mini`).
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
	const lower = name.toLowerCase();
	let best: string | undefined;
	let bestDistance = Math.max(1, Math.floor(name.length / 3)) + 1;
	for (const candidate of candidates) {
		const distance = editDistance(lower, candidate.toLowerCase());
		if (distance < bestDistance) {
			best = candidate;
			bestDistance = distance;
		}
	}

	if (best !== undefined) return best;
	const containing = lower.length >= 2 ? candidates.filter(candidate => candidate.toLowerCase().includes(lower)) : [];
	return containing.length === 1 ? containing[0] : undefined;
}

/** `, did you mean "x"?` or nothing: for the end of an "unknown ..." message. */
export function didYouMean(name: string, candidates: readonly string[]): string {
	const suggestion = closest(name, candidates);
	return suggestion === undefined ? '' : `, did you mean ${JSON.stringify(suggestion)}?`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
	const rows: number[][] = Array.from({length: a.length + 1}, (_, i) => Array.from({length: b.length + 1}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
	for (let i = 1; i <= a.length; i++) {
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
			rows[i]![j] = value;
		}
	}

	return rows[a.length]![b.length]!;
}
