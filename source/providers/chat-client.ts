import {APIError, AzureOpenAI, OpenAI} from 'openai';
import type {ChatCompletion} from 'openai/resources/chat/completions';
import {defaultMaxResponseBytes, boundedFetch} from './bounded-fetch.js';
import {classifyError, timeoutMessage} from './classify-error.js';
import {parseProcessingMs, parseRateLimitHeaders} from './rate-limit-headers.js';
import {connectRoundTripMs} from './round-trip.js';
import {compatFix, defaultCompat, requestBody, withFix, type ModelCompat} from './request-compat.js';
import {type ChatClient, type ChatResponse, ProviderError} from './types.js';

/** How to reach one provider: its dialect, address and key. */
export type ClientTarget =
	| {dialect: 'openai'; baseURL: string; apiKey: string}
	| {dialect: 'azure'; endpoint: string; apiVersion: string; apiKey: string};

/**
 * A ChatClient over the official openai SDK for an OpenAI-compatible API or Azure OpenAI.
 * The SDK never retries (the engine does); every failure is thrown as a classified ProviderError.
 */
export function createChatClient(target: ClientTarget, options: {maxResponseBytes?: number} = {}): ChatClient {
	const sdkFor = sdkFactory(target, boundedFetch(options.maxResponseBytes ?? defaultMaxResponseBytes));
	const compatByModel = new Map<string, ModelCompat>();
	const address = addressOf(target);
	return {
		async roundTripMs() {
			return connectRoundTripMs(target.dialect === 'openai' ? target.baseURL : target.endpoint);
		},
		async complete(request, options) {
			const timeoutMs = options.timeoutMs;
			if (options.signal?.aborted) throw new ProviderError('transient', 'aborted');
			// Our own deadline covers the whole exchange: the SDK's timeout stops at the response headers.
			const deadline = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs)));
			const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
			try {
				const sdk = sdkFor(request.model);
				for (;;) {
					const compat = compatByModel.get(request.model) ?? defaultCompat;
					try {
						const {data, response} = await sdk.chat.completions.create(
							requestBody(request, compat),
							{timeout: Math.max(1, Math.ceil(timeoutMs)), signal, maxRetries: 0},
						).withResponse();
						return {...toResponse(data, target.apiKey), ...rateLimitOf(response.headers), ...processingOf(response.headers)};
					} catch (error) {
						// A model that refuses a parameter says which: learn it and ask again at once.
						const fix = error instanceof APIError && error.status === 400 ? compatFix(error.message, compat) : undefined;
						if (!fix) throw error;
						compatByModel.set(request.model, withFix(compatByModel.get(request.model) ?? defaultCompat, fix));
					}
				}
			} catch (error) {
				if (options.signal?.aborted) throw new ProviderError('transient', 'aborted', {cause: error});
				if (deadline.aborted) throw new ProviderError('transient', timeoutMessage(timeoutMs), {cause: error});
				throw ownError(error) ?? classifyError(error, {timeoutMs, secrets: [target.apiKey], address});
			}
		},
	};
}

function rateLimitOf(headers: Headers): Pick<ChatResponse, 'rateLimit'> {
	const rateLimit = parseRateLimitHeaders(headers);
	return rateLimit ? {rateLimit} : {};
}

function processingOf(headers: Headers): Pick<ChatResponse, 'processingMs'> {
	const processingMs = parseProcessingMs(headers);
	return processingMs === undefined ? {} : {processingMs};
}

/** host:port of the target, for messages about a provider nothing answers for. */
function addressOf(target: ClientTarget): string | undefined {
	try {
		const url = new URL(target.dialect === 'openai' ? target.baseURL : target.endpoint);
		const port = url.port || (url.protocol === 'https:' ? '443' : '80');
		return `${url.hostname}:${port}`;
	} catch {
		return undefined;
	}
}

type Sdk = Pick<OpenAI, 'chat'>;

/**
 * SDK clients are built on first use, so a missing key stops the lane with an auth error instead of
 * crashing the program, and are reused so connections stay alive.
 */
function sdkFactory(target: ClientTarget, fetch: typeof globalThis.fetch): (model: string) => Sdk {
	// Explicit options everywhere: OPENAI_BASE_URL, OPENAI_ORG_ID or OPENAI_LOG in the environment would
	// otherwise change where requests go, what headers they carry, or print over the terminal UI.
	const common = {apiKey: target.apiKey, maxRetries: 0, organization: null, project: null, logLevel: 'off', fetch} as const;
	const requireKey = () => {
		if (!target.apiKey) throw new ProviderError('auth', 'no API key set');
	};

	if (target.dialect === 'openai') {
		let sdk: OpenAI | undefined;
		return () => {
			requireKey();
			sdk ??= new OpenAI({...common, baseURL: target.baseURL});
			return sdk;
		};
	}

	// One client per deployment with the deployment already in its baseURL. Left to derive it from `model`,
	// AzureOpenAI skips adding "/deployments/DEP" whenever the endpoint itself contains "/deployments"
	// (an endpoint path like ".../deployments-eu" breaks), and it does not URL-encode the name.
	const sdks = new Map<string, AzureOpenAI>();
	const endpoint = target.endpoint.replace(/\/+$/, '');
	return deployment => {
		requireKey();
		let sdk = sdks.get(deployment);
		if (!sdk) {
			// Passing baseURL (not endpoint) also keeps OPENAI_BASE_URL from making the constructor throw.
			sdk = new AzureOpenAI({...common, apiVersion: target.apiVersion, baseURL: `${endpoint}/openai/deployments/${encodeURIComponent(deployment)}`});
			sdks.set(deployment, sdk);
		}

		return sdk;
	};
}

/** A ProviderError our own fetch threw, which the SDK hands on wrapped in its connection error. */
function ownError(error: unknown): ProviderError | undefined {
	for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
		if (current instanceof ProviderError) return current;
	}

	return undefined;
}

function toResponse(completion: ChatCompletion, apiKey: string): ChatResponse {
	// The SDK returns whatever the server sent (a string for a non-JSON body): check the shape ourselves.
	const choices = (completion as Partial<ChatCompletion> | undefined)?.choices;
	const text: unknown = Array.isArray(choices) ? choices[0]?.message?.content : undefined;
	// An empty string is an answer (a model that spent its tokens); null or missing is not.
	if (typeof text !== 'string') throw new ProviderError('transient', 'malformed response from provider (no answer text)');
	const usage = completion.usage;
	// A provider echoing the key back must not get it stored with the answer.
	const safeText = apiKey.length >= 4 ? text.replaceAll(apiKey, '***') : text;
	return {text: safeText, promptTokens: usage?.prompt_tokens, completionTokens: usage?.completion_tokens};
}
