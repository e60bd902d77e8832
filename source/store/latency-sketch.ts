import type Database from 'better-sqlite3';

/**
 * Latency percentiles in one pass and bounded memory: a log-bucket sketch (as DDSketch). A latency x falls in
 * bucket ceil(log_γ(x + 1)) with γ = 1.02, so a bucket spans 2 % of (x + 1 ms) and a model needs at most
 * about 700 buckets up to ten minutes, whatever the number of results. Each bucket keeps its count and the
 * smallest and largest latency in it; the nearest-rank percentile is read from the bucket holding that rank:
 * its smallest or largest latency when the rank is the bucket's first or last (exact whenever a bucket holds
 * one distinct value), else the bucket's middle, clamped to what it holds: within 1 % of (the exact value + 1 ms).
 */
const gamma = 1.02;
const logGamma = Math.log(gamma);

type Bucket = {count: number; min: number; max: number};
type Sketch = {buckets: Map<number, Bucket>; count: number};

/** The SQL aggregate `lanes_latency_sketch(latency_ms)`; NULLs are skipped. */
export const SKETCH_FUNCTION = 'lanes_latency_sketch';

/** Registers the aggregate on a connection; it returns `{"p50":…,"p95":…}` as JSON, or NULL without a latency. */
export function registerLatencySketch(db: Database.Database): void {
	db.aggregate(SKETCH_FUNCTION, {
		start: (): Sketch => ({buckets: new Map(), count: 0}),
		step(sketch: Sketch, latency: unknown) {
			if (typeof latency !== 'number' || !Number.isFinite(latency)) return sketch;
			const value = Math.max(0, latency);
			const index = Math.ceil(Math.log(value + 1) / logGamma);
			const bucket = sketch.buckets.get(index);
			if (bucket) {
				bucket.count++;
				if (value < bucket.min) bucket.min = value;
				if (value > bucket.max) bucket.max = value;
			} else {
				sketch.buckets.set(index, {count: 1, min: value, max: value});
			}

			sketch.count++;
			return sketch;
		},
		result: (sketch: Sketch) => sketch.count === 0 ? null : JSON.stringify({p50: percentile(sketch, 50), p95: percentile(sketch, 95)}),
	});
}

/** The nearest-rank percentile (rank ceil(p·n / 100)) as the sketch places it. */
export function percentile(sketch: Sketch, p: number): number {
	const rank = Math.max(1, Math.ceil((p * sketch.count) / 100));
	let below = 0;
	for (const index of [...sketch.buckets.keys()].sort((a, b) => a - b)) {
		const bucket = sketch.buckets.get(index)!;
		if (below + bucket.count >= rank) {
			if (rank === below + 1) return bucket.min;
			if (rank === below + bucket.count) return bucket.max;
			const middle = ((2 * gamma ** index) / (gamma + 1)) - 1;
			return Math.min(bucket.max, Math.max(bucket.min, middle));
		}

		below += bucket.count;
	}

	return Number.NaN;
}
