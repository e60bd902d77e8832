import type {ChatCompletionCreateParamsNonStreaming} from 'openai/resources/chat/completions';
import type {ChatRequest} from './types.js';

/**
 * Parameters some models refuse. OpenAI's reasoning models (gpt-5, o1, o3, o4) answer 400 to `max_tokens`
 * ("Use 'max_completion_tokens' instead") and to any temperature but the default, while many
 * OpenAI-compatible gateways know only `max_tokens`. So the client starts with the common form and
 * learns, per model, from the provider's own 400.
 */
export type ModelCompat = {maxCompletionTokens: boolean; omitTemperature: boolean};

export const defaultCompat: ModelCompat = {maxCompletionTokens: false, omitTemperature: false};

export function requestBody(request: ChatRequest, compat: ModelCompat): ChatCompletionCreateParamsNonStreaming {
	return {
		model: request.model,
		messages: [
			...(request.system === undefined ? [] : [{role: 'system' as const, content: request.system}]),
			{role: 'user' as const, content: request.prompt},
		],
		...(compat.maxCompletionTokens ? {max_completion_tokens: request.maxTokens} : {max_tokens: request.maxTokens}),
		...(compat.omitTemperature ? {} : {temperature: request.temperature}),
	};
}

/** The settings a 400's message asks for, or undefined when it is about something else (or already applied). */
export function compatFix(message: string, compat: ModelCompat): ModelCompat | undefined {
	if (!compat.maxCompletionTokens && /max_tokens/.test(message) && /max_completion_tokens/.test(message)) return {...compat, maxCompletionTokens: true};
	if (!compat.omitTemperature && /temperature/.test(message) && /unsupported|not supported|does not support/i.test(message)) return {...compat, omitTemperature: true};
	return undefined;
}

/**
 * What the client knows after `fix`, learned from a request sent with older settings: requests out at once
 * learn one parameter each, and the one answered last must not unlearn what another learned meanwhile.
 */
export function withFix(known: ModelCompat, fix: ModelCompat): ModelCompat {
	return {maxCompletionTokens: known.maxCompletionTokens || fix.maxCompletionTokens, omitTemperature: known.omitTemperature || fix.omitTemperature};
}
