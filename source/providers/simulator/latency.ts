/**
 * A lognormal latency in ms with the given median: real latencies have a long right tail, and the median
 * is what people quote. sigma is the spread of its log (0 gives the median every time).
 */
export function sampleLatency(random: () => number, medianMs: number, sigma: number): number {
	return medianMs * Math.exp(sigma * standardNormal(random));
}

/** Box-Muller: one standard normal sample from two uniform ones. */
function standardNormal(random: () => number): number {
	// 1 - random() is in (0, 1], so the log is finite.
	const radius = Math.sqrt(-2 * Math.log(1 - random()));
	return radius * Math.cos(2 * Math.PI * random());
}
