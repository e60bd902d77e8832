import type {IncomingMessage, ServerResponse} from 'node:http';

const maxBodyBytes = 1024 * 1024;

/** The request body as text. Rejects if the client goes away first or sends more than 1 MiB. */
export async function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Uint8Array[] = [];
		let size = 0;
		request.on('data', (chunk: Uint8Array) => {
			size += chunk.length;
			if (size > maxBodyBytes) {
				reject(new Error('body too large'));
				request.destroy();
				return;
			}

			chunks.push(chunk);
		});
		request.on('end', () => {
			resolve(Buffer.concat(chunks).toString('utf8'));
		});
		request.on('error', reject);
		request.on('close', () => {
			// After 'end' this is a no-op; before it, the client hung up mid-body.
			reject(new Error('client closed the request'));
		});
	});
}

/**
 * Sends a JSON response unless the client already went away: a late answer to a closed socket must not
 * throw (and crash the server) or hang.
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
	if (response.destroyed || response.writableEnded) return;
	const text = JSON.stringify(body);
	response.writeHead(status, {...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text))});
	response.end(text);
}
