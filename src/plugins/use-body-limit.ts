import { createGraphQLError, type Plugin } from 'graphql-yoga';

function tooLarge(limit: number): Error {
  return createGraphQLError(`The request body is larger than ${limit} bytes.`, {
    extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' },
  });
}

export function isMultipart(request: Request): boolean {
  return (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
}

/**
 * Caps the body of GraphQL requests that are not uploads. Yoga's own cap (25 MB, one number
 * for every request) is turned off because uploads need gigabytes and queries need far less;
 * multipart bodies are capped per file by the upload parser instead. A declared
 * Content-Length over the cap is refused before reading; a chunked body when it passes it.
 */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (request.method !== 'POST' || isMultipart(request)) return;
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (!/^\d+$/.test(declared)) {
          throw createGraphQLError('The Content-Length header is invalid.', {
            extensions: { http: { status: 400 } },
          });
        }
        if (Number(declared) > maxBytes) throw tooLarge(maxBytes);
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => {
        let seen = 0;
        const body = req.body as ReadableStream<Uint8Array>;
        // A Request made in-process (yoga.fetch(new Request(...))) has Node's own stream, which
        // cannot pipe through the ponyfill's TransformStream: use the one of the body's kind.
        const Transform =
          body instanceof globalThis.ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        const limited = body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              seen += chunk.byteLength;
              if (seen > maxBytes) controller.error(tooLarge(maxBytes));
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(req.url, {
            method: req.method,
            headers: req.headers,
            signal: req.signal,
            body: limited,
            duplex: 'half',
          } as RequestInit),
        );
      });
    },
  };
}
