import type {RateLimitInfo} from './rate-limit-headers.js';

/**
 * How a failed request is handled, by the classes the brief names. The client tells `unreachable` (nothing
 * answers at the address) from `transient`; a lane calls a transient failure `outage` once its provider is
 * failing as a whole.
 */
export type ErrorClass = 'rate_limit' | 'transient' | 'outage' | 'permanent' | 'auth' | 'unreachable';

export type ChatRequest = {
	model: string;
	system?: string;
	prompt: string;
	maxTokens: number;
	temperature: number;
};

export type ChatResponse = {
	text: string;
	promptTokens?: number;
	completionTokens?: number;
	/** The provider's `x-ratelimit-*` numbers on this response, when it sent them. */
	rateLimit?: RateLimitInfo;
	/** Milliseconds the provider says it worked on the request (`openai-processing-ms`), when it said. */
	processingMs?: number;
};

/** A provider failure, already classified. Its message never contains an API key. */
export class ProviderError extends Error {
	readonly errorClass: ErrorClass;
	/** HTTP status, when there was a response. */
	readonly status?: number;
	/** Milliseconds the provider asked us to wait (Retry-After), when it said. */
	readonly retryAfterMs?: number;
	/** The provider's `x-ratelimit-*` numbers on the failed response, when it sent them. */
	readonly rateLimit?: RateLimitInfo;

	constructor(errorClass: ErrorClass, message: string, options: {status?: number; retryAfterMs?: number; rateLimit?: RateLimitInfo; cause?: unknown} = {}) {
		super(message, {cause: options.cause});
		this.name = 'ProviderError';
		this.errorClass = errorClass;
		this.status = options.status;
		this.retryAfterMs = options.retryAfterMs;
		this.rateLimit = options.rateLimit;
	}
}

/** One API dialect behind one small interface: the engine sees only this. */
export type ChatClient = {
	/** Sends one request. Throws ProviderError on any failure (including timeout and abort). */
	complete(request: ChatRequest, options: {signal?: AbortSignal; timeoutMs: number}): Promise<ChatResponse>;
	/** One network round trip to the provider, measured without a request; undefined when it cannot be. */
	roundTripMs?(): Promise<number | undefined>;
};
