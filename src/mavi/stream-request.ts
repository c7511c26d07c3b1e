import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/**
 * A request whose body is a stream, sent with node:http.
 *
 * Node 20's fetch (undici) reads a streamed request body as fast as it can produce chunks and
 * queues them for the socket, so a 1 GiB upload would sit in memory; node:http's pipe pauses
 * the source while the socket is full. The answer comes back as a fetch Response so the rest
 * of the transport treats both paths alike. If the body fails (client abort, size limit),
 * the request is destroyed and that failure is what this rejects with.
 */
export function requestWithStreamBody(
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: ReadableStream<Uint8Array>;
    signal: AbortSignal;
  },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const agent = agents[target.protocol as keyof typeof agents];
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, {
      method: init.method,
      headers: init.headers,
      agent,
      signal: init.signal,
    });
    const source = Readable.fromWeb(init.body as NodeWebReadableStream<Uint8Array>);
    let sourceError: unknown;
    source.on('error', (error) => {
      sourceError = error;
      req.destroy(error);
    });
    req.on('error', (error) => reject(sourceError ?? error));
    req.on('response', (res) => {
      // MAVI may answer before the whole file is sent (an error); stop sending then.
      res.on('end', () => {
        if (!source.readableEnded) source.destroy();
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      resolve(
        new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, {
          status: res.statusCode ?? 502,
          statusText: res.statusMessage ?? '',
          headers,
        }),
      );
    });
    source.pipe(req);
  });
}
