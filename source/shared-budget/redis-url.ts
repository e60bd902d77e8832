import {InputError} from '../errors/input-error.js';

/** Whether `text` is a Redis URL lanes can use: redis:// or rediss://, a host, an optional port and db number. */
export function redisUrlProblem(text: string): string | undefined {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return 'expected a URL like redis://HOST:PORT/DB';
	}

	if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return `expected redis:// or rediss://, got ${url.protocol}//`;
	if (url.hostname === '') return 'expected a host, as in redis://HOST:PORT/DB';
	if (!/^\/?\d*$/.test(url.pathname)) return `expected a database number after the host, got "${url.pathname.slice(1)}"`;
	return undefined;
}

/** InputError naming `where` (the flag or config key) when `text` is not a usable Redis URL. */
export function checkRedisUrl(text: string, where: string): string {
	const problem = redisUrlProblem(text);
	if (problem) throw new InputError(`${where}: ${problem}, got "${redactedRedisUrl(text)}"`);
	return text;
}

/** The URL without its password, for messages and the stored config. */
export function redactedRedisUrl(text: string): string {
	try {
		const url = new URL(text);
		if (url.password) url.password = '***';
		return url.toString();
	} catch {
		return text.replace(/\/\/[^@/]*@/, '//***@');
	}
}
