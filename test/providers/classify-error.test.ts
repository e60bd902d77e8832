import {APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, RateLimitError} from 'openai';
import {describe, expect, test} from 'vitest';
import {classifyError, classifyStatus, redact} from '../../source/providers/classify-error.js';
import {ProviderError} from '../../source/providers/types.js';

const context = {timeoutMs: 60_000, secrets: ['sk-live-123456789'], nowEpochMs: 0};

describe('classifyStatus', () => {
	test.each([
		[429, 'rate_limit'],
		[401, 'auth'],
		[403, 'auth'],
		[400, 'permanent'],
		[404, 'permanent'],
		[413, 'permanent'],
		[422, 'permanent'],
		[408, 'transient'],
		[409, 'transient'],
		[500, 'transient'],
		[502, 'transient'],
		[503, 'transient'],
		[529, 'transient'],
	] as const)('%i -> %s', (status, errorClass) => {
		expect(classifyStatus(status)).toBe(errorClass);
	});
});

describe('classifyError', () => {
	test('a 429 carries the wait from its headers', () => {
		const error = classifyError(new RateLimitError(429, {message: 'slow down'}, undefined, new Headers({'retry-after': '2'})), context);
		expect(error).toMatchObject({errorClass: 'rate_limit', status: 429, retryAfterMs: 2000, message: 'HTTP 429 from provider: Too Many Requests'});
	});

	test('a 5xx names the status and the provider\'s reason', () => {
		const error = classifyError(APIError.generate(503, {error: {message: 'Overloaded\n  try later'}}, undefined, new Headers()), context);
		expect(error).toMatchObject({errorClass: 'transient', status: 503, message: 'HTTP 503 from provider: Service Unavailable - Overloaded try later'});
		expect(error.retryAfterMs).toBeUndefined();
	});

	test('a 5xx without a body still reads well', () => {
		expect(classifyError(APIError.generate(502, undefined, '<html>bad gateway</html>', new Headers()), context).message).toBe('HTTP 502 from provider: Bad Gateway');
	});

	test('abort, timeout and dropped connections are transient; nothing listening is unreachable, naming host:port and the code', () => {
		expect(classifyError(new APIUserAbortError(), context)).toMatchObject({errorClass: 'transient', message: 'aborted'});
		expect(classifyError(new APIConnectionTimeoutError(), context)).toMatchObject({errorClass: 'transient', message: 'timed out after 60000 ms'});
		const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {code: 'ECONNREFUSED'});
		expect(classifyError(new APIConnectionError({message: undefined, cause: new TypeError('fetch failed', {cause: refused})}), {...context, address: '127.0.0.1:1'}))
			.toMatchObject({errorClass: 'unreachable', message: 'cannot reach 127.0.0.1:1: connection refused (ECONNREFUSED)'});
		const unknownHost = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), {code: 'ENOTFOUND'});
		expect(classifyError(new APIConnectionError({message: undefined, cause: new TypeError('fetch failed', {cause: unknownHost})}), {...context, address: 'nowhere.invalid:443'}))
			.toMatchObject({errorClass: 'unreachable', message: 'cannot reach nowhere.invalid:443: host not found (ENOTFOUND)'});
		const reset = Object.assign(new Error('socket hang up'), {code: 'ECONNRESET'});
		expect(classifyError(new APIConnectionError({message: undefined, cause: new TypeError('fetch failed', {cause: reset})}), context)).toMatchObject({errorClass: 'transient', message: 'connection reset by the provider'});
		expect(classifyError(new APIConnectionError({message: undefined, cause: new TypeError('fetch failed')}), context).message).toBe('connection failed');
	});

	test('a body that is not JSON is a transient malformed response', () => {
		expect(classifyError(new SyntaxError('Unexpected token <'), context)).toMatchObject({errorClass: 'transient', message: 'malformed response from provider (not JSON)'});
	});

	test('anything else is transient, redacted and short', () => {
		const error = classifyError(new Error(`boom with sk-live-123456789 ${'x'.repeat(500)}`), context);
		expect(error.errorClass).toBe('transient');
		expect(error.message).not.toContain('sk-live');
		expect(error.message.length).toBeLessThanOrEqual(220);
	});

	test('a ProviderError passes through', () => {
		const error = new ProviderError('auth', 'no API key set');
		expect(classifyError(error, context)).toBe(error);
	});
});

test('redact removes secrets, OpenAI-style keys and bearer tokens', () => {
	expect(redact('key abcdef and abcdef', ['abcdef'])).toBe('key *** and ***');
	expect(redact('Incorrect API key provided: sk-proj-AbC123xyz', [])).toBe('Incorrect API key provided: sk-***');
	expect(redact('Authorization: Bearer eyJhbGciOi', [])).toBe('Authorization: Bearer ***');
	expect(redact('a b', ['a'])).toBe('a b');
});
