/** The parts of a chat.completions request body the simulator uses. */
export type ChatBody = {
	model?: string;
	prompt: string;
	system?: string;
	maxTokens?: number;
	/** The request named `max_tokens` (reasoning models refuse it). */
	usedMaxTokens: boolean;
	temperature?: number;
};

/** Parses a request body, or returns the 400 message a real API would give. */
export function parseChatBody(raw: string): ChatBody | {error: string} {
	let body: unknown;
	try {
		body = JSON.parse(raw);
	} catch {
		return {error: 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly.)'};
	}

	if (typeof body !== 'object' || body === null || Array.isArray(body)) return {error: 'The request body must be a JSON object.'};
	const {model, messages, max_tokens: maxTokens, max_completion_tokens: maxCompletionTokens, temperature} = body as Record<string, unknown>;
	if (!Array.isArray(messages) || messages.length === 0) return {error: '\'messages\' is a required property and must be a non-empty array.'};
	let prompt: string | undefined;
	let system: string | undefined;
	for (const message of messages as unknown[]) {
		const {role, content} = (message ?? {}) as {role?: unknown; content?: unknown};
		const text = contentText(content);
		if (text === undefined) return {error: 'Each message needs a string content (or text parts).'};
		// The last user message is the prompt; the first system (or developer) message is the system prompt.
		if (role === 'user') prompt = text;
		else if ((role === 'system' || role === 'developer') && system === undefined) system = text;
	}

	if (prompt === undefined) return {error: 'The messages must include a user message.'};
	const limit = maxTokens ?? maxCompletionTokens;
	return {
		model: typeof model === 'string' ? model : undefined,
		prompt,
		system,
		maxTokens: typeof limit === 'number' && limit > 0 ? limit : undefined,
		usedMaxTokens: maxTokens !== undefined,
		temperature: typeof temperature === 'number' ? temperature : undefined,
	};
}

function contentText(content: unknown): string | undefined {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return undefined;
	const texts = content.map(part => (part as {text?: unknown})?.text);
	return texts.every(text => typeof text === 'string') ? texts.join('') : undefined;
}
