import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

/**
 * The one HTTP exchange with MAVI, on node:http.
 *
 * node:http rather than fetch (measured): for MAVI's JSON calls, a few hundred bytes each way,
 * fetch's WHATWG machinery (Request and Response objects, web streams, a combined AbortSignal
 * per call) cost the gateway more CPU than everything else an upstream call does; a streamed
 * chat answer is set up faster, which its first chunk waits for; and Node's fetch (undici)
 * reads a streamed request body as fast as it can produce chunks, so a 1 GiB upload would sit
 * in memory, while node:http's pipe pauses the source whenever the socket is full.
 *
 * Connections are kept alive between calls. An idle one is closed after 4 s (sooner when
 * MAVI's Keep-Alive header asks), so the gateway does not reuse a connection MAVI is closing:
 * the same rule as fetch's (undici's) default.
 */
const IDLE_MS = 4000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
};

/** MAVI's origin as node:http request options, parsed once per transport. */
export type Origin = http.RequestOptions & { protocol: string };

/**
 * Why an exchange failed. timeout: the time limit passed; aborted: the caller's signal;
 * unreachable: no answer began (refused, reset, DNS); broken: the answer began and was cut
 * off; too-big: the answer is over the size limit; body: the request's own body stream failed
 * (an upload the client abandoned, or over the gateway's size limit), that failure as `cause`;
 * idle: a streamed answer sent nothing for too long.
 */
export type FailureReason = 'timeout' | 'aborted' | 'unreachable' | 'broken' | 'too-big' | 'body' | 'idle';

/** Why {@link exchange} failed, and the HTTP status when the answer had begun. */
export class RequestFailure extends Error {
  override readonly name = 'RequestFailure';
  constructor(
    readonly reason: FailureReason,
    readonly httpStatus: number | null,
    override readonly cause?: unknown,
  ) {
    super(`upstream request failed: ${reason}`);
  }
}

export interface ExchangeInit {
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  /** A small body sent with Content-Length, or a stream piped with chunked encoding (uploads). */
  body?: string | Readable | undefined;
  /** The caller's signal: aborting it destroys the request, a streamed answer's included. */
  signal?: AbortSignal | undefined;
  /** For a text answer, the whole exchange; for a streamed one, the wait for its headers. */
  timeoutMs: number;
  /** Called when the answer's status line arrives. */
  onStatus?: ((status: number) => void) | undefined;
}

export interface TextAnswer {
  status: number;
  retryAfter: string | null;
  body: string;
}

/**
 * Sends a request and reads its answer whole as text, refusing to hold more than `maxBytes`
 * (declared or counted). Rejects with a {@link RequestFailure}.
 */
export function exchangeText(origin: Origin, init: ExchangeInit & { maxBytes: number }): Promise<TextAnswer> {
  return send(origin, init, (res, done, fail) => {
    readText(res, init.maxBytes).then((body) => {
      const retryAfter = res.headers['retry-after'];
      done({ status: res.statusCode ?? 0, retryAfter: retryAfter ?? null, body });
    }, fail);
  });
}

/**
 * Sends a request and resolves with the answer once its headers are in; the caller reads it
 * (and owns destroying it). The time limit stops there; the caller's signal still destroys it.
 */
export function exchangeStreamed(origin: Origin, init: ExchangeInit): Promise<IncomingMessage> {
  return send(origin, init, (res, done) => done(res));
}

/** Reads an answer whole as text, refusing to hold more than `max` bytes. */
export function readText(res: IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const status = res.statusCode ?? 0;
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      res.destroy();
      reject(new RequestFailure('too-big', status));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= max) chunks.push(chunk);
      else {
        res.destroy();
        reject(new RequestFailure('too-big', status));
      }
    });
    res.on('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
    // A connection cut mid-answer: 'end' never comes.
    res.on('error', () => reject(new RequestFailure('broken', status)));
    res.on('close', () => {
      if (!res.complete) reject(new RequestFailure('broken', status));
    });
  });
}

/**
 * The request itself: headers, body (a string, or a stream piped with backpressure), the time
 * limit and the caller's abort; `answer` takes the response over and settles the promise.
 */
function send<T>(
  origin: Origin,
  init: ExchangeInit,
  answer: (res: IncomingMessage, done: (value: T) => void, fail: (error: unknown) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const { signal, body } = init;
    const text = typeof body === 'string' ? body : undefined;
    const source = typeof body === 'object' ? body : undefined;
    if (signal?.aborted) {
      source?.destroy();
      reject(new RequestFailure('aborted', null));
      return;
    }
    const secure = origin.protocol === 'https:';
    const req = (secure ? https : http).request({
      ...origin,
      path: init.path,
      method: init.method,
      headers:
        text === undefined
          ? init.headers
          : { ...init.headers, 'content-length': String(Buffer.byteLength(text)) },
      agent: agents[secure ? 'https:' : 'http:'],
    });
    let status: number | null = null;
    let settled = false;
    const detach = () => signal?.removeEventListener('abort', onAbort);
    const fail = (error: unknown) => {
      // After a streamed answer is handed over, its reader sees the failure instead.
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      detach();
      req.destroy();
      // Nobody else reads the upload's stream: ending it ends the client's file part too.
      source?.destroy();
      reject(error instanceof RequestFailure ? error : new RequestFailure('broken', status));
    };
    const onAbort = () => {
      fail(new RequestFailure('aborted', status));
      req.destroy();
    };
    const timer = setTimeout(() => fail(new RequestFailure('timeout', status)), init.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    req.on('error', () => fail(new RequestFailure(status === null ? 'unreachable' : 'broken', status)));
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      init.onStatus?.(status);
      answer(
        res,
        (value) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          // The caller's abort must still reach a streamed answer; after that, nothing is left to abort.
          if (res.readableEnded) detach();
          else res.once('close', detach);
          // MAVI answered before the whole upload was sent (a refusal): stop sending, and drop
          // the connection, which is mid-request and cannot be reused.
          if (source && !source.readableEnded && res.complete) {
            source.destroy();
            req.destroy();
          }
          resolve(value);
        },
        fail,
      );
    });
    if (source) {
      source.on('error', (error) => fail(new RequestFailure('body', status, error)));
      source.pipe(req);
    } else req.end(text);
  });
}
