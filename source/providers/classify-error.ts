import {STATUS_CODES} from 'node:http';
import {APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError} from 'openai';
import {parseRateLimitHeaders} from './rate-limit-headers.js';
import {parseRetryAfter} from './retry-after.js';
import {type ErrorClass, ProviderError} from './types.js';

/** What the classifier needs besides the error itself. */
export type ClassifyContext = {
	/** The request's timeout, for the "timed out after N ms" message. */
	timeoutMs: number;
	/** Strings that must never appear in a message (the API key). */
	secrets: readonly string[];
	/** Wall-clock epoch ms, to read an HTTP-date Retry-After. */
	nowEpochMs?: number;
	/** host:port the client talks to, named when nothing answers there. */
	address?: string;
};

const maxMessageLength = 220;

/** The class of an HTTP error status. */
export function classifyStatus(status: number): ErrorClass {
	if (status === 429) return 'rate_limit';
	if (status === 401 || status === 403) return 'auth';
	if (status === 408 || status === 409 || status >= 500) return 'transient';
	if (status >= 400) return 'permanent';
	// 1xx-3xx reaching an error path means the exchange went wrong, not the request.
	return 'transient';
}

/**
 * Turns anything a request can throw (SDK errors, fetch errors, JSON errors) into a classified ProviderError
 * with a short message that never contains a secret.
 */
export function classifyError(error: unknown, context: ClassifyContext): ProviderError {
	if (error instanceof ProviderError) return error;
	// Order matters: the abort, timeout and connection errors are APIErrors without a status.
	if (error instanceof APIUserAbortError || isAbortError(error)) {
		return new ProviderError('transient', 'aborted', {cause: error});
	}

	if (error instanceof APIConnectionTimeoutError) {
		return new ProviderError('transient', timeoutMessage(context.timeoutMs), {cause: error});
	}

	if (error instanceof APIConnectionError) {
		const {code, text} = connectionFailure(error);
		if (code !== undefined && unreachableCodes.has(code)) {
			const where = context.address ? `cannot reach ${context.address}` : 'cannot reach the provider';
			return new ProviderError('unreachable', `${where}: ${text} (${code})`, {cause: error});
		}

		return new ProviderError('transient', text, {cause: error});
	}

	if (error instanceof APIError && typeof error.status === 'number') {
		return statusError(error, context);
	}

	if (error instanceof SyntaxError) {
		return new ProviderError('transient', 'malformed response from provider (not JSON)', {cause: error});
	}

	const message = error instanceof Error ? error.message : String(error);
	return new ProviderError('transient', shorten(`request failed: ${redact(message, context.secrets)}`), {cause: error});
}

/** The message for a request that ran out of time. */
export function timeoutMessage(timeoutMs: number): string {
	return `timed out after ${timeoutMs} ms`;
}

/** Replaces every secret, and anything shaped like a bearer token or an OpenAI key, with "***". */
export function redact(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of secrets) {
		// Very short "keys" would blank out ordinary words; they are no secret worth the noise.
		if (secret.length >= 4) result = result.split(secret).join('***');
	}

	return result.replaceAll(/\bsk-[\w-]{6,}/g, 'sk-***').replaceAll(/(Bearer\s+)\S+/gi, '$1***');
}

function statusError(error: APIError, context: ClassifyContext): ProviderError {
	const status = error.status!;
	const errorClass = classifyStatus(status);
	const reason = STATUS_CODES[status] ?? 'Error';
	let message = `HTTP ${status} from provider: ${reason}`;
	if (errorClass === 'auth') {
		// Auth bodies tend to quote (part of) the key; say what to check instead.
		message += ' (check the API key)';
	} else if (errorClass !== 'rate_limit') {
		const detail = providerDetail(error);
		if (detail) message += ` - ${redact(detail, context.secrets)}`;
	}

	const retryAfterMs = (errorClass === 'rate_limit' || status === 503) && error.headers
		? parseRetryAfter(error.headers, context.nowEpochMs ?? Date.now())
		: undefined;
	const rateLimit = error.headers ? parseRateLimitHeaders(error.headers) : undefined;
	return new ProviderError(errorClass, shorten(redact(message, context.secrets)), {status, retryAfterMs, rateLimit, cause: error});
}

/** The provider's own explanation from an error body ({"error": {"message": ...}}), if any. */
function providerDetail(error: APIError): string | undefined {
	const body = error.error as {message?: unknown} | undefined;
	const message = typeof body?.message === 'string' ? body.message : undefined;
	return message?.replaceAll(/\s+/g, ' ').trim() || undefined;
}

const connectionCodes: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset by the provider',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed',
	ETIMEDOUT: 'connection timed out',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	EPIPE: 'connection closed by the provider',
	UND_ERR_SOCKET: 'connection closed by the provider',
	UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
	CERT_HAS_EXPIRED: 'TLS certificate expired',
	DEPTH_ZERO_SELF_SIGNED_CERT: 'TLS certificate not trusted',
	SELF_SIGNED_CERT_IN_CHAIN: 'TLS certificate not trusted',
	UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate not trusted',
	ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate is for another host',
};

/**
 * Nothing answers at the address: no listener, no such host, no route, or a TLS handshake that cannot succeed.
 * A provider that never answered is not coming back by retrying; one that answered before is in an outage.
 */
const unreachableCodes = new Set([
	'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT',
	'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Undici hides the useful part ("ECONNREFUSED") a few causes deep under "fetch failed". */
function connectionFailure(error: Error): {code?: string; text: string} {
	let current: unknown = error;
	for (let depth = 0; depth < 8 && current && typeof current === 'object'; depth++) {
		const code = (current as {code?: unknown}).code;
		if (typeof code === 'string') return {code, text: connectionCodes[code] ?? `connection failed (${code})`};
		current = (current as {cause?: unknown}).cause;
	}

	return {text: 'connection failed'};
}

function isAbortError(error: unknown): boolean {
	return error instanceof Error && error.name === 'AbortError';
}

function shorten(message: string): string {
	return message.length <= maxMessageLength ? message : `${message.slice(0, maxMessageLength - 3)}...`;
}
