/** How a failed request is handled: the classes the brief names. */
export type ErrorClass = 'rate_limit' | 'transient' | 'permanent' | 'auth';

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
};

/** A provider failure, already classified. Its message never contains an API key. */
export class ProviderError extends Error {
	readonly errorClass: ErrorClass;
	/** HTTP status, when there was a response. */
	readonly status?: number;
	/** Milliseconds the provider asked us to wait (Retry-After), when it said. */
	readonly retryAfterMs?: number;

	constructor(errorClass: ErrorClass, message: string, options: {status?: number; retryAfterMs?: number; cause?: unknown} = {}) {
		super(message, {cause: options.cause});
		this.name = 'ProviderError';
		this.errorClass = errorClass;
		this.status = options.status;
		this.retryAfterMs = options.retryAfterMs;
	}
}

/** One API dialect behind one small interface: the engine sees only this. */
export type ChatClient = {
	/** Sends one request. Throws ProviderError on any failure (including timeout and abort). */
	complete(request: ChatRequest, options: {signal?: AbortSignal; timeoutMs: number}): Promise<ChatResponse>;
};
