/**
 * The results CSV (RFC 4180 quoting), built mostly by SQLite: a million results turned into JS objects and
 * formatted one field at a time took about 5.5 s; here each row crosses into JS as two pieces of text, its
 * latency and its finish time. The latency stays a JS number formatted by JS (SQLite writes 17 digits where JS
 * writes the shortest that round-trips), and the finish time is formatted once a second (toISOString).
 */

const special = `'*[",' || char(10, 13) || ']*'`;

/** A text column as a CSV field: quoted, its quotes doubled, only when it holds a comma, a quote or a line break. */
const quoted = (column: string) => `iif(${column} GLOB ${special}, '"' || replace(${column}, '"', '""') || '"', ${column})`;

/** Fields before the latency; one GLOB tells whether any may need quoting (rare), so most rows skip five. */
const head = `iif(r.model || r.provider || r.test_id || COALESCE(r.answer, '') GLOB ${special},
		${quoted('r.model')} || ',' || ${quoted('r.provider')} || ',' || ${quoted('r.test_id')} || ',' || r.status || ',' || ${quoted("COALESCE(r.answer, '')")},
		r.model || ',' || r.provider || ',' || r.test_id || ',' || r.status || ',' || COALESCE(r.answer, '')) || ','`;

/** Fields between the latency and the finish time (status and error_class never need quoting: the schema checks them). */
const tail = `',' || r.attempts || ',' || COALESCE(r.prompt_tokens, '') || ',' || COALESCE(r.completion_tokens, '') || ','
		|| COALESCE(r.error_class, '') || ',' || ${quoted("COALESCE(r.error_message, '')")} || ','`;

/** A row of the CSV query: [fields before latency_ms, latency_ms, fields after it up to finished_at, finished_at]. */
export type ResultsCsvRow = [head: string, latencyMs: number | null, tail: string, finishedAt: number];

/** The columns of the CSV query, for `SELECT … FROM results AS r`. */
export const resultsCsvColumns = `${head} AS head, r.latency_ms, ${tail} AS tail, r.finished_at`;

/** Bytes a chunk holds: few writes, and memory stays flat. */
const chunkBytes = 1 << 18;

/**
 * The CSV lines of the rows, UTF-8 in chunks of whole lines. Each line is encoded as soon as it is made: text
 * gathered into a chunk would live through a young-generation collection, and V8 would move it to the old
 * generation, which grew by about a megabyte a collection until the next full one (a 1M-result CSV: 150 MB).
 */
export function * csvChunks(rows: Iterable<ResultsCsvRow>): Generator<Buffer> {
	const finished = isoTimes();
	let chunk = Buffer.allocUnsafe(chunkBytes);
	let used = 0;
	for (const [head, latencyMs, tail, finishedAt] of rows) {
		const line = `${head}${latencyMs ?? ''}${tail}${finished(finishedAt)}\n`;
		// A UTF-16 unit takes at most 3 bytes of UTF-8.
		if (used + (3 * line.length) > chunk.length) {
			if (used > 0) yield chunk.subarray(0, used);
			// A new buffer: the one handed over may still be on its way out.
			chunk = Buffer.allocUnsafe(Math.max(chunkBytes, 3 * line.length));
			used = 0;
		}

		used += chunk.write(line, used);
	}

	if (used > 0) yield chunk.subarray(0, used);
}

/** `new Date(ms).toISOString()`, with the part up to the second made once a second: results finish close together. */
function isoTimes(): (ms: number) => string {
	let second = Number.NaN;
	let prefix = '';
	return ms => {
		const whole = Math.floor(ms / 1000);
		if (whole !== second) {
			second = whole;
			// Up to and with the '.', whatever the year's width: "…T12:34:56." of "…T12:34:56.000Z".
			prefix = new Date(whole * 1000).toISOString().slice(0, -4);
		}

		const fraction = ms - (whole * 1000);
		return `${prefix}${fraction < 10 ? '00' : fraction < 100 ? '0' : ''}${fraction}Z`;
	};
}
