import {randomBytes} from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A short run id that sorts by start time, like `r20261126-0645-ab12`. UTC, so ids sort the same in every
 * time zone and across daylight-saving changes; four random characters keep runs started in the same minute apart.
 */
export function newRunId(date: Date = new Date()): string {
	const pad = (value: number) => String(value).padStart(2, '0');
	const day = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
	const time = `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}`;
	const suffix = [...randomBytes(4)].map(byte => alphabet[byte % alphabet.length]).join('');
	return `r${day}-${time}-${suffix}`;
}

/** The key of one item (model, test) in `finalKeys`: NUL cannot occur in a model name or a test id from JSON lines by accident. */
export function itemKey(model: string, testId: string): string {
	return `${model}\u0000${testId}`;
}
