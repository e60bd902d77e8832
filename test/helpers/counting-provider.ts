import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

/** The key the counting provider's configs name (in LANES_COUNTING_KEY); any value works. */
export const countingKeyEnv = {LANES_COUNTING_KEY: 'sk-counting-7f3a91'};

export type CountingProvider = {
	/** An OpenAI-compatible base URL. */
	baseURL: string;
	/** Requests received so far, of any kind. */
	requests(): number;
	/** A config whose one provider is this server, with the given models. */
	config(models?: string[]): object;
	close(): Promise<void>;
};

/**
 * An OpenAI-compatible provider outside the lanes process that counts every request it gets, so a test can
 * show that bad input sent nothing to a provider. It answers "OK" unless `answer` says otherwise; with
 * `beforeBody`, `answer` gets the request as it arrives, its body unread.
 */
export async function startCountingProvider(answer?: (request: IncomingMessage, response: ServerResponse, body: string) => void, options: {beforeBody?: boolean} = {}): Promise<CountingProvider> {
	let count = 0;
	const server = createServer((request, response) => {
		count++;
		if (answer && options.beforeBody) {
			answer(request, response, '');
			return;
		}

		let body = '';
		request.setEncoding('utf8').on('data', (chunk: string) => {
			body += chunk;
		});
		request.on('end', () => {
			if (answer) {
				answer(request, response, body);
				return;
			}

			response.writeHead(200, {'content-type': 'application/json'});
			response.end(JSON.stringify({id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{index: 0, message: {role: 'assistant', content: 'OK'}, finish_reason: 'stop'}]}));
		});
	});
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
	return {
		baseURL,
		requests: () => count,
		config: (models = ['m-one', 'm-two']) => ({
			providers: {paid: {type: 'openai', baseURL, apiKeyEnv: 'LANES_COUNTING_KEY', models, concurrency: 2}},
			retry: {maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50},
		}),
		async close() {
			server.closeAllConnections();
			await new Promise(resolve => server.close(resolve));
		},
	};
}
