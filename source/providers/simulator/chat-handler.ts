import type {IncomingMessage, ServerResponse} from 'node:http';
import {modelAccuracy, simulatedAnswer} from './answers.js';
import {parseChatBody, type ChatBody} from './chat-request.js';
import {completionBody, type Dialect, type Failure, failureResponse} from './dialects.js';
import {Exchange, type ExchangeContext} from './exchange.js';
import {readBody} from './http-io.js';
import {estimateTokens} from '../token-estimate.js';
import type {ProviderState} from './provider-state.js';

/** The simulator's context plus a way to read its clock and number responses. */
export type ChatContext = ExchangeContext & {
	now(): number;
	nextId(): string;
};

/**
 * Answers one chat.completions request the way a rate-limited provider would: checks in the order real
 * APIs do (key, api-version, body, model), then outages, then the shared budget, then random errors,
 * and finally a deterministic answer after a lognormal latency.
 */
export async function handleChat(context: ChatContext, state: ProviderState, request: IncomingMessage, response: ServerResponse, route: {dialect: Dialect; deployment?: string; query: URLSearchParams}): Promise<void> {
	state.counts.requests++;
	let raw: string;
	try {
		raw = await readBody(request);
	} catch {
		response.destroy(); // The client hung up mid-body (or sent too much): nobody to answer.
		return;
	}

	const body = parseChatBody(raw);
	const parsed = 'error' in body ? undefined : body;
	const exchange = new Exchange(context, state, response, {
		provider: state.name,
		model: route.deployment ?? parsed?.model ?? '',
		prompt: parsed?.prompt ?? '',
		...(parsed?.system === undefined ? {} : {system: parsed.system}),
		startedAt: context.elapsed(),
		inFlightAtStart: state.limits.inFlight,
	});
	const headers = {'x-request-id': context.nextId()};
	const fail = (failure: Failure, extra: Record<string, string> = {}) => {
		const {status, body} = failureResponse(route.dialect, failure);
		exchange.answer(status, body, {...headers, ...extra});
	};

	if (!hasKey(request, route.dialect, state.apiKey)) return fail({kind: 'auth'});
	if (route.dialect === 'azure' && !route.query.get('api-version')) return fail({kind: 'missing_api_version'});
	if (!parsed) return fail({kind: 'bad_request', message: (body as {error: string}).error});
	const apiName = route.deployment ?? parsed.model;
	if (!apiName) return fail({kind: 'bad_request', message: 'You must provide a model parameter.'});
	const model = state.modelFor(apiName);
	if (model === undefined) return fail({kind: 'unknown_model', model: apiName});
	exchange.details.model = model;
	const refused = reasoningModelRefusal(apiName, parsed);
	if (refused) return fail({kind: 'bad_request', message: refused});

	const decision = state.decide(context.elapsed(), context.now(), estimateTokens(parsed));
	// Real providers send their budget on every response, errors included.
	const withBudget = () => ({...headers, ...state.limits.headers(context.now())});
	if (decision.kind === 'refuse') {
		const waitMs = decision.retryAfterMs;
		// A storm's refusals carry retry-after-ms in either dialect; a spent budget's, the dialect's own header.
		const precise: Record<string, string> = decision.reason === 'storm' || route.dialect !== 'azure' ? {'retry-after-ms': String(waitMs)} : {'x-ms-retry-after-ms': String(waitMs)};
		return fail({kind: 'rate_limit', retryAfterMs: waitMs, tokens: decision.reason === 'tokens'}, {
			...withBudget(), 'retry-after': String(Math.ceil(waitMs / 1000)), ...precise,
		});
	}

	if (decision.holdsSlot) exchange.holdSlot();
	if (decision.kind === 'fail') {
		const {status} = decision;
		return exchange.answerLater(decision.afterMs, () => ({...failureResponse(route.dialect, {kind: 'server_error', status}), headers: withBudget()}));
	}

	exchange.answerLater(decision.afterMs, () => {
		const answer = answerFor(model, parsed.prompt, parsed.maxTokens, state);
		const promptChars = parsed.prompt.length + (parsed.system?.length ?? 0);
		return {
			status: 200,
			body: completionBody({id: `chatcmpl-${headers['x-request-id']}`, model: apiName, createdSeconds: Math.floor(Date.now() / 1000), promptTokens: tokens(promptChars), ...answer}),
			// OpenAI says how long it worked on the request; the rest of what the client sees is the way there and back.
			headers: route.dialect === 'azure' ? withBudget() : {...withBudget(), 'openai-processing-ms': String(Math.round(decision.afterMs))},
		};
	});
}

/** The answer, cut at max_tokens like a real model (finish_reason "length"). */
function answerFor(model: string, prompt: string, maxTokens: number | undefined, state: ProviderState) {
	const full = simulatedAnswer(model, prompt, modelAccuracy(model, state.simulate));
	const text = maxTokens !== undefined && tokens(full.length) > maxTokens ? full.slice(0, maxTokens * 4) : full;
	return {text, completionTokens: tokens(text.length), finishReason: text === full ? 'stop' as const : 'length' as const};
}

/** About four characters a token, as OpenAI's rule of thumb says. */
function tokens(chars: number): number {
	return Math.max(1, Math.ceil(chars / 4));
}

/** OpenAI sends `Authorization: Bearer KEY`; Azure sends `api-key: KEY`. */
function hasKey(request: IncomingMessage, dialect: Dialect, key: string): boolean {
	if (dialect === 'azure') return request.headers['api-key'] === key;
	return request.headers.authorization === `Bearer ${key}`;
}

/**
 * OpenAI's reasoning models (gpt-5, o1, o3, o4, on OpenAI and Azure alike) refuse `max_tokens` and any
 * temperature but the default, with these messages.
 */
function reasoningModelRefusal(apiName: string, body: ChatBody): string | undefined {
	if (!/^(gpt-5|o[134])/i.test(apiName)) return undefined;
	if (body.usedMaxTokens) return 'Unsupported parameter: \'max_tokens\' is not supported with this model. Use \'max_completion_tokens\' instead.';
	if (body.temperature !== undefined && body.temperature !== 1) return `Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`;
	return undefined;
}
