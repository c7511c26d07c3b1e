import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';

/**
 * Connections to MAVI are kept alive between calls. An idle one is closed after 4 s (sooner
 * when MAVI's Keep-Alive header asks), so the gateway does not reuse a connection MAVI is
 * closing: the same rule as fetch's (undici's) default.
 */
const IDLE_MS = 4000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
};

/** Where a request goes: MAVI's origin as node:http options, and the path with its query. */
export interface RequestTarget {
  origin: http.RequestOptions & { protocol: string };
  path: string;
}

export interface TextAnswer {
  status: number;
  retryAfter: string | null;
  body: string;
}

/** Why {@link requestText} failed, and the HTTP status when the answer had begun. */
export class RequestFailure extends Error {
  override readonly name = 'RequestFailure';
  constructor(
    readonly reason: 'timeout' | 'aborted' | 'broken' | 'too-big',
    readonly httpStatus: number | null,
  ) {
    super(`upstream request failed: ${reason}`);
  }
}

/**
 * A request with a small body (or none) whose answer is read whole as text: MAVI's JSON calls.
 *
 * node:http rather than fetch: for a few hundred bytes each way, fetch's WHATWG machinery
 * (Request and Response objects, web streams, a combined AbortSignal per call) cost the
 * gateway more CPU than everything else an upstream call does. `timeoutMs` bounds the whole
 * exchange; `signal` aborts it; an answer over `maxBytes` (declared or counted) is refused
 * without being held. Rejects with a {@link RequestFailure}.
 */
export function requestText(
  target: RequestTarget,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string | undefined;
    signal?: AbortSignal | undefined;
    timeoutMs: number;
    maxBytes: number;
    /** Called when the answer's status line arrives. */
    onStatus?: (status: number) => void;
  },
): Promise<TextAnswer> {
  return new Promise((resolve, reject) => {
    const { origin, path } = target;
    const https_ = origin.protocol === 'https:';
    const headers =
      init.body === undefined
        ? init.headers
        : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    const req = (https_ ? https : http).request({
      ...origin,
      path,
      method: init.method,
      headers,
      agent: agents[https_ ? 'https:' : 'http:'],
    });
    let status: number | null = null;
    let settled = false;
    const signal = init.signal;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fail = (reason: RequestFailure['reason']) => {
      if (!settle()) return;
      req.destroy();
      reject(new RequestFailure(reason, status));
    };
    const onAbort = () => fail('aborted');
    const timer = setTimeout(() => fail('timeout'), init.timeoutMs);
    if (signal?.aborted) {
      fail('aborted');
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', () => fail('broken'));
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      init.onStatus?.(status);
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > init.maxBytes) {
        fail('too-big');
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > init.maxBytes) fail('too-big');
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (!settle()) return;
        const retryAfter = res.headers['retry-after'];
        resolve({
          status: status as number,
          retryAfter: retryAfter === undefined ? null : String(retryAfter),
          body: Buffer.concat(chunks, size).toString('utf8'),
        });
      });
      // A connection cut mid-answer: 'end' never comes.
      res.on('error', () => fail('broken'));
      res.on('close', () => {
        if (!res.complete) fail('broken');
      });
    });
    req.end(init.body);
  });
}

/**
 * A request whose body is a stream (uploads) or whose answer is read as one (streamed chat),
 * sent with node:http; resolves once the answer's headers are in.
 *
 * Node 20's fetch (undici) reads a streamed request body as fast as it can produce chunks and
 * queues them for the socket, so a 1 GiB upload would sit in memory; node:http's pipe pauses
 * the source while the socket is full. For a streamed answer, node:http also sets a stream up
 * faster than fetch, which a chat's first chunk waits for. The answer comes back as a fetch
 * Response so the rest of the transport treats every path alike. If a streamed body fails
 * (client abort, size limit), the request is destroyed and that failure is what this rejects
 * with.
 */
export function requestStreamed(
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body: ReadableStream<Uint8Array> | Readable | string | undefined;
    signal: AbortSignal;
  },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const agent = agents[target.protocol as keyof typeof agents];
    const client = target.protocol === 'https:' ? https : http;
    const text = typeof init.body === 'string' || init.body === undefined ? init.body : null;
    const req = client.request(target, {
      method: init.method,
      headers:
        typeof text === 'string'
          ? { ...init.headers, 'content-length': String(Buffer.byteLength(text)) }
          : init.headers,
      agent,
      signal: init.signal,
    });
    const source =
      text !== null
        ? null
        : init.body instanceof Readable
          ? init.body
          : Readable.fromWeb(init.body as NodeWebReadableStream<Uint8Array>);
    let sourceError: unknown;
    source?.on('error', (error) => {
      sourceError = error;
      req.destroy(error);
    });
    req.on('error', (error) => reject(sourceError ?? error));
    req.on('response', (res) => {
      // MAVI may answer before the whole file is sent (an error); stop sending then.
      res.on('end', () => {
        if (source && !source.readableEnded) source.destroy();
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
    if (source) source.pipe(req);
    else req.end(text);
  });
}
