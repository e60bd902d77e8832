import {ProviderError} from './types.js';

/** Default of `request.maxResponseBytes`: far above any chat answer, far below what hurts the database. */
export const defaultMaxResponseBytes = 1024 * 1024;

/**
 * A fetch for the SDK that bounds what one exchange can cost, both ways:
 * - the response body is read as it arrives and reading stops past `maxResponseBytes`: a success that
 *   large is a permanent error for the item (a gateway answering 200 with 50 MB must not reach memory or
 *   the database); an error response is cut there instead, so its status still decides what happens;
 * - a request body the provider stops reading (the connection closed part way through sending it) is a
 *   permanent error too: sending the same size again would only be refused again.
 *
 * Its errors are ProviderErrors; the SDK wraps what fetch throws, so the client looks for them in the cause.
 */
export function boundedFetch(maxResponseBytes: number, fetchImpl: typeof fetch = fetch): typeof fetch {
	return async (input, init) => {
		const upload = init?.body === undefined || init.body === null ? undefined : trackedBody(init.body);
		let response: Response;
		try {
			response = await fetchImpl(input, upload ? {...init, body: upload.stream, duplex: 'half', headers: withLength(init?.headers, upload.bytes)} as RequestInit : init);
		} catch (error) {
			if (upload?.cutShort() && !init?.signal?.aborted) {
				throw new ProviderError('permanent', `the provider closed the connection while the request was being sent (${upload.bytes} bytes): it refuses a request this large`, {cause: error});
			}

			throw error;
		}

		return boundedResponse(response, maxResponseBytes);
	};
}

/** `cutShort`: part of the body was taken and then the connection failed (not a stale socket, which takes none). */
type TrackedBody = {stream: ReadableStream<Uint8Array>; bytes: number; cutShort(): boolean};

/** The body as a stream that tells whether all of it was taken by the connection. */
function trackedBody(body: BodyInit): TrackedBody | undefined {
	// The SDK sends JSON text; anything else goes out as it came.
	if (typeof body !== 'string') return undefined;
	const bytes = new TextEncoder().encode(body);
	let offset = 0;
	const chunkBytes = 64 * 1024;
	const stream = new ReadableStream<Uint8Array>({
		pull(controller) {
			if (offset >= bytes.length) {
				controller.close();
				return;
			}

			const end = Math.min(bytes.length, offset + chunkBytes);
			controller.enqueue(bytes.subarray(offset, end));
			offset = end;
		},
	}, {highWaterMark: 0});
	return {stream, bytes: bytes.length, cutShort: () => offset > 0 && offset < bytes.length};
}

/** A stream body would go out chunked; the length keeps it a plain request, as every provider expects. */
function withLength(headers: HeadersInit | undefined, bytes: number): Headers {
	const result = new Headers(headers);
	result.set('content-length', String(bytes));
	return result;
}

async function boundedResponse(response: Response, maxBytes: number): Promise<Response> {
	const tooLarge = () => new ProviderError('permanent', `response larger than request.maxResponseBytes (${maxBytes} bytes): stopped reading it`, {status: response.status});
	const declared = Number(response.headers.get('content-length') ?? Number.NaN);
	const isError = response.status >= 400;
	if (!isError && declared > maxBytes) {
		await response.body?.cancel().catch(() => undefined);
		throw tooLarge();
	}

	const chunks: Uint8Array[] = [];
	let total = 0;
	if (response.body) {
		const reader = response.body.getReader();
		for (;;) {
			const {done, value} = await reader.read();
			if (done) break;
			const room = maxBytes - total;
			if (value.length > room) {
				await reader.cancel().catch(() => undefined);
				if (!isError) throw tooLarge();
				chunks.push(value.subarray(0, room));
				total = maxBytes;
				break;
			}

			chunks.push(value);
			total += value.length;
		}
	}

	const body = new Uint8Array(total);
	let offset = 0;
	for (const chunk of chunks) {
		body.set(chunk, offset);
		offset += chunk.length;
	}

	// The body is decoded already; the new Response must not claim it is still compressed or of the old length.
	const headers = new Headers(response.headers);
	headers.delete('content-encoding');
	headers.delete('content-length');
	const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
	return new Response(nullBody ? null : body, {status: response.status, statusText: response.statusText, headers});
}
