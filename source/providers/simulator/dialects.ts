/** The two APIs the simulator speaks. */
export type Dialect = 'openai' | 'azure';

/** What a request's method and path ask for. */
export type Route =
	| {kind: 'stats'}
	| {kind: 'log'}
	| {kind: 'chat'; provider: string; dialect: Dialect; deployment?: string}
	| {kind: 'unknown'};

/**
 * Routes a request. OpenAI: `POST /{provider}/v1/chat/completions`. Azure:
 * `POST /{provider}/openai/deployments/{deployment}/chat/completions`. Which dialect a provider speaks is
 * checked by the caller.
 */
export function route(method: string, pathname: string): Route {
	let parts: string[];
	try {
		parts = pathname.split('/').filter(Boolean).map(part => decodeURIComponent(part));
	} catch {
		return {kind: 'unknown'};
	}

	if (method === 'GET' && parts.length === 2 && parts[0] === '_sim') {
		if (parts[1] === 'stats') return {kind: 'stats'};
		if (parts[1] === 'log') return {kind: 'log'};
	}

	if (method !== 'POST') return {kind: 'unknown'};
	const [provider, ...rest] = parts;
	const tail = rest.join('/');
	if (provider && tail === 'v1/chat/completions') return {kind: 'chat', provider, dialect: 'openai'};
	if (provider && rest.length === 5 && rest[0] === 'openai' && rest[1] === 'deployments' && rest[3] === 'chat' && rest[4] === 'completions') {
		return {kind: 'chat', provider, dialect: 'azure', deployment: rest[2]};
	}

	return {kind: 'unknown'};
}

/** Why a request failed, independent of the dialect. */
export type Failure =
	| {kind: 'auth'}
	| {kind: 'no_route'}
	| {kind: 'unknown_model'; model: string}
	| {kind: 'bad_request'; message: string}
	| {kind: 'missing_api_version'}
	| {kind: 'rate_limit'; retryAfterMs: number; tokens?: boolean}
	| {kind: 'server_error'; status: number};

/** The status and JSON body a real provider of this dialect answers for a failure. */
export function failureResponse(dialect: Dialect, failure: Failure): {status: number; body: unknown} {
	switch (failure.kind) {
		case 'auth': {
			return dialect === 'azure'
				? {status: 401, body: azureError('401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.')}
				: {status: 401, body: openaiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')};
		}

		case 'no_route': {
			return dialect === 'azure'
				? {status: 404, body: azureError('404', 'Resource not found')}
				: {status: 404, body: openaiError('Invalid URL.', 'invalid_request_error', null)};
		}

		case 'unknown_model': {
			return dialect === 'azure'
				? {status: 404, body: azureError('DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.')}
				: {status: 404, body: openaiError(`The model \`${failure.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found')};
		}

		case 'bad_request': {
			return dialect === 'azure'
				? {status: 400, body: azureError('BadRequest', failure.message)}
				: {status: 400, body: openaiError(failure.message, 'invalid_request_error', null)};
		}

		case 'missing_api_version': {
			return {status: 400, body: azureError('MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.')};
		}

		case 'rate_limit': {
			const seconds = Math.max(1, Math.ceil(failure.retryAfterMs / 1000));
			return dialect === 'azure'
				? {status: 429, body: azureError('429', `Requests to the ChatCompletions_Create Operation have exceeded ${failure.tokens ? 'token rate limit' : 'the call rate limit'}. Please retry after ${seconds} second${seconds === 1 ? '' : 's'}.`)}
				: {status: 429, body: openaiError(`Rate limit reached for ${failure.tokens ? 'tokens' : 'requests'}. Please try again in ${Math.ceil(failure.retryAfterMs)}ms.`, failure.tokens ? 'tokens' : 'requests', 'rate_limit_exceeded')};
		}

		case 'server_error': {
			const message = failure.status === 503
				? 'The server is overloaded or not ready yet.'
				: 'The server had an error while processing your request. Sorry about that!';
			return dialect === 'azure'
				? {status: failure.status, body: azureError(String(failure.status), message)}
				: {status: failure.status, body: openaiError(message, 'server_error', null)};
		}
	}
}

/** A chat.completion body as OpenAI and Azure return it. */
export function completionBody(options: {id: string; model: string; createdSeconds: number; text: string; finishReason: 'stop' | 'length'; promptTokens: number; completionTokens: number}): unknown {
	return {
		id: options.id,
		object: 'chat.completion',
		created: options.createdSeconds,
		model: options.model,
		choices: [{index: 0, message: {role: 'assistant', content: options.text, refusal: null}, logprobs: null, finish_reason: options.finishReason}],
		usage: {prompt_tokens: options.promptTokens, completion_tokens: options.completionTokens, total_tokens: options.promptTokens + options.completionTokens},
		system_fingerprint: 'fp_simulated',
	};
}

function openaiError(message: string, type: string, code: string | null) {
	return {error: {message, type, param: null, code}};
}

function azureError(code: string, message: string) {
	return {error: {code, message}};
}
