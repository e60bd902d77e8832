import {parseRateLimitHeaders, waitForUnits} from './rate-limit-headers.js';

/** Response headers as the SDK hands them over (Headers) or as a plain object (tests, the simulator). */
export type HeaderSource = Headers | Record<string, string | undefined>;

const plainNumber = /^\s*(?:\d+\.?\d*|\.\d+)\s*$/;
// Go-style durations as OpenAI sends them in x-ratelimit-reset-*: "1s", "6m0s", "250ms", "1.5s", "1h2m".
const durationPart = /(\d+(?:\.\d+)?|\.\d+)(ms|us|µs|ns|h|m|s)/gy;
const unitMs: Record<string, number> = {h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000_001};
// The three HTTP-date forms: "Wed, 21 Oct 2015 07:28:00 GMT", "Wednesday, 21-Oct-15 07:28:00 GMT" and asctime's
// "Wed Oct 21 07:28:00 2015". Checking the shape keeps Date.parse's leniency ("soon 5" is a date to V8) out.
const httpDate = /^\s*[A-Za-z]{3,9},? [\dA-Za-z -]+ \d{2}:\d{2}:\d{2}(?: GMT| \d{4})\s*$/;

/**
 * How long the provider asked us to wait, in milliseconds, from a response's headers.
 * Prefers `retry-after-ms`, then Azure's `x-ms-retry-after-ms`, then `retry-after` (seconds or an HTTP-date
 * relative to `nowEpochMs`). Without those, the `x-ratelimit-*` budgets say it: the time until the exhausted
 * one holds a unit again. `x-ratelimit-reset-requests` alone ("1s", "6m0s", "250ms") is the time until the
 * budget is full, an upper bound used last. A header that is garbage or negative is skipped; a date in the
 * past gives 0. Undefined when no header says anything usable.
 */
export function parseRetryAfter(headers: HeaderSource, nowEpochMs: number): number | undefined {
	const get = headerGetter(headers);
	return parseNumber(get('retry-after-ms'), 1)
		?? parseNumber(get('x-ms-retry-after-ms'), 1)
		?? parseNumber(get('retry-after'), 1000)
		?? parseHttpDate(get('retry-after'), nowEpochMs)
		?? budgetWait(headers)
		?? parseDuration(get('x-ratelimit-reset-requests'))
		?? parseDuration(get('x-ratelimit-reset-tokens'));
}

/** The time until the emptiest budget the headers describe holds one unit again. */
function budgetWait(headers: HeaderSource): number | undefined {
	const info = parseRateLimitHeaders(headers);
	const waits = [info?.requests, info?.tokens]
		.filter(window => window !== undefined && window.remaining < 1)
		.map(window => waitForUnits(window!));
	if (waits.length === 0 || waits.includes(undefined)) return undefined;
	return Math.max(...waits as number[]);
}

/** Milliseconds in a Go-style duration string ("6m0s" -> 360000); undefined when it is not one. */
export function parseDuration(value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const text = value.trim();
	if (text === '') return undefined;
	let total = 0;
	durationPart.lastIndex = 0;
	while (durationPart.lastIndex < text.length) {
		const match = durationPart.exec(text);
		if (!match) return undefined;
		total += Number(match[1]) * unitMs[match[2]!]!;
	}

	return Number.isFinite(total) ? total : undefined;
}

function parseNumber(value: string | undefined, scale: number): number | undefined {
	if (value === undefined || !plainNumber.test(value)) return undefined;
	const number = Number(value) * scale;
	return Number.isFinite(number) ? number : undefined;
}

function parseHttpDate(value: string | undefined, nowEpochMs: number): number | undefined {
	if (value === undefined || !httpDate.test(value)) return undefined;
	// asctime has no zone but means GMT; V8 would read it as local time.
	const at = Date.parse(value.trim().endsWith('GMT') ? value : `${value.trim()} GMT`);
	return Number.isFinite(at) ? Math.max(0, at - nowEpochMs) : undefined;
}

/** Reads one header by its lower-case name from either shape. */
export function headerGetter(headers: HeaderSource): (name: string) => string | undefined {
	if (typeof (headers as Headers).get === 'function') {
		return name => (headers as Headers).get(name) ?? undefined;
	}

	// Header names are case-insensitive; plain objects come in any case.
	const lower = new Map<string, string>();
	for (const [key, value] of Object.entries(headers as Record<string, string | undefined>)) {
		if (value !== undefined) lower.set(key.toLowerCase(), value);
	}

	return name => lower.get(name);
}
