/**
 * Tokens a request counts against a tokens-per-minute quota at admission, as Azure OpenAI counts them: the
 * prompt's characters / 4 plus the max_tokens it asks for (the answer's length is not known yet). `maxTokens`
 * given apart spares a copy of each test on the engine's path.
 */
export function estimateTokens(request: {prompt: string; system?: string; maxTokens?: number}, maxTokens = request.maxTokens ?? 0): number {
	const characters = request.prompt.length + (request.system?.length ?? 0);
	return Math.ceil(characters / 4) + maxTokens;
}
