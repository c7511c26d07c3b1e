/**
 * graphql-sse's "single connection mode" on the GraphQL endpoint itself, served by graphql-sse's
 * own handler (createHandler). Written here rather than with @graphql-yoga/plugin-graphql-sse,
 * which hands every request of its endpoint to that handler (so it cannot share /graphql
 * with yoga's own GET, POST and distinct-connection SSE), runs operations through
 * getEnveloped (skipping the gateway's params hooks: persisted documents, telemetry), and
 * gives an operation nothing that aborts when the client stops it (an async generator's
 * return() waits for its next event, which a quiet status subscription may never have).
 */
import { randomUUID } from 'node:crypto';
import { type ExecutionResult, GraphQLError } from 'graphql';
import {
  createHandler,
  type Request as SseRequest,
  type Response as SseResponse,
  TOKEN_HEADER_KEY,
  TOKEN_QUERY_KEY,
} from 'graphql-sse';
import type { GraphQLParams, Plugin, YogaServer } from 'graphql-yoga';
import type { Logger } from 'pino';
import { yogaLogger } from '../logger.js';

export interface SingleConnectionOptions {
  /** Largest operation body (MAX_BODY_BYTES). */
  maxBodyBytes: number;
  logger: Logger;
  /**
   * How long a reservation (PUT) waits for its stream (GET) before it is dropped with the
   * operations already sent to it. Default 30000 ms; graphql-sse's client connects at once.
   */
  reservationTtlMs?: number;
  /** Most reservations waiting for their stream at once. Default 10000 (a few MB at most). */
  maxReservations?: number;
  /** Most operations running on one stream. Default 100. */
  maxOperationsPerStream?: number;
  /**
   * Aborted when the gateway begins to shut down: open streams end once their operations
   * have completed (within 2 s), so graphql-sse's client reconnects elsewhere instead of the
   * stream holding the shutdown for its whole grace period.
   */
  stopping?: AbortSignal;
}

/** Longest a stream waits at shutdown for its operations' last events. */
const SHUTDOWN_FLUSH_MS = 2000;

type Yoga = YogaServer<Record<string, unknown>, Record<string, unknown>>;
type Result = ExecutionResult | AsyncIterable<ExecutionResult>;

function isAsyncIterable(value: unknown): value is AsyncIterable<ExecutionResult> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function tokenOf(
  request: { headers: { get(name: string): string | null | undefined } },
  url: URL,
): string | null {
  return request.headers.get(TOKEN_HEADER_KEY) || url.searchParams.get(TOKEN_QUERY_KEY) || null;
}

const sseToken = (req: SseRequest<Request>) => tokenOf(req, new URL(req.url, 'http://gateway'));

function jsonError(status: number, message: string): SseResponse {
  return [
    JSON.stringify({ errors: [{ message }] }),
    { status, statusText: message, headers: { 'content-type': 'application/json; charset=utf-8' } },
  ];
}

/** The body as text, refusing it past `maxBytes` (graphql-sse answers the message with a 400). */
async function readBody(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) throw new Error(`The request body is larger than ${maxBytes} bytes.`);
  if (!request.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`The request body is larger than ${maxBytes} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One operation's events as graphql-sse wants them: an async generator whose return() aborts
 * the operation's signal at once (its subscription then releases its poller or upstream
 * stream), whatever the operation is waiting on.
 */
function operation(result: Result, controller: AbortController, onEnd: () => void) {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const events: AsyncIterator<ExecutionResult> = isAsyncIterable(result)
    ? result[Symbol.asyncIterator]()
    : (() => {
        let sent = false;
        return {
          async next(): Promise<IteratorResult<ExecutionResult>> {
            if (sent) return { done: true, value: undefined };
            sent = true;
            return { done: false, value: result };
          },
        };
      })();
  const stop = async (): Promise<IteratorResult<ExecutionResult>> => {
    end();
    controller.abort();
    await events.return?.();
    return { done: true, value: undefined };
  };
  // A stopped operation answers at once, not at its next event.
  const aborted = new Promise<IteratorResult<ExecutionResult>>((resolve) =>
    controller.signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), {
      once: true,
    }),
  );
  const generator = {
    [Symbol.asyncIterator]() {
      return generator;
    },
    async next(): Promise<IteratorResult<ExecutionResult>> {
      if (controller.signal.aborted) return { done: true, value: undefined };
      const next = await Promise.race([events.next(), aborted]);
      if (next.done) end();
      return next;
    },
    return: stop,
    throw: stop,
  };
  return generator;
}

/**
 * graphql-sse's single connection mode (its client's `singleConnection: true`) on the GraphQL
 * endpoint: PUT reserves a stream and answers its token, GET (with the token in the
 * `x-graphql-event-stream-token` header or the `token` query parameter, as EventSource must)
 * opens it, each POST with the token runs one operation whose events arrive on that stream,
 * and DELETE `?operationId=` stops one. Every other request on the endpoint (distinct
 * connections SSE included) is yoga's as before.
 *
 * Each operation runs through yoga's params pipeline (persisted documents, telemetry, the
 * limits, the context) with a request of its own: the POST's headers, so its own
 * Authorization header is its credential (one stream may carry operations of several
 * credentials, as after a token refresh, each with its own checks and events), and a signal
 * that aborts when the client stops the operation or the stream closes. The CSRF check needs
 * no part here: PUT and DELETE always preflight, operations must be JSON POSTs, and a stream
 * GET is an EventSource's (see useCSRFPrevention).
 *
 * Reservations are bounded in number and dropped when their stream does not open in time;
 * a stream's operations are bounded too.
 */
export function useSseSingleConnection(opts: SingleConnectionOptions): Plugin {
  const reservationTtlMs = opts.reservationTtlMs ?? 30_000;
  const maxReservations = opts.maxReservations ?? 10_000;
  const maxOperations = opts.maxOperationsPerStream ?? 100;
  const log = yogaLogger(opts.logger);
  /** Reservations whose stream has not opened yet, with the timer that drops them. */
  const waiting = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, number>();
  let handler: ((req: SseRequest<Request>) => Promise<SseResponse>) | null = null;
  let endpoint = '/graphql';
  /** Open streams, by token, to end at shutdown. */
  const open = new Map<string, AsyncGenerator<string, void, undefined>>();
  opts.stopping?.addEventListener(
    'abort',
    () => {
      const deadline = Date.now() + SHUTDOWN_FLUSH_MS;
      const end = () => {
        for (const [token, body] of open) {
          if ((running.get(token) ?? 0) > 0 && Date.now() < deadline) continue;
          open.delete(token);
          body.return(undefined).catch(() => {});
        }
        if (open.size > 0) setTimeout(end, 20).unref?.();
      };
      end();
    },
    { once: true },
  );

  const expire = async (token: string) => {
    waiting.delete(token);
    if (!handler) return;
    // graphql-sse keeps a reservation until its stream opens and closes: open and close it.
    const headers = new Headers({ accept: 'text/event-stream', [TOKEN_HEADER_KEY]: token });
    const url = `http://gateway${endpoint}`;
    const [body] = await handler({
      method: 'GET',
      url,
      headers,
      body: null,
      raw: new Request(url, { headers }),
      context: undefined,
    });
    if (body && typeof body !== 'string') await body.return(undefined);
  };

  return {
    onYogaInit({ yoga }) {
      const server = yoga as unknown as Yoga;
      endpoint = server.graphqlEndpoint;
      handler = createHandler<Request>({
        authenticate(req) {
          if (req.method !== 'PUT') return sseToken(req);
          if (waiting.size >= maxReservations) {
            return jsonError(503, 'Too many event streams are waiting to be opened; try again shortly.');
          }
          const token = randomUUID();
          const timer = setTimeout(() => {
            expire(token).catch((error: unknown) =>
              opts.logger.warn({ reason: (error as Error).message }, 'dropping an SSE reservation failed'),
            );
          }, reservationTtlMs);
          timer.unref?.();
          waiting.set(token, timer);
          return token;
        },
        onConnect(req) {
          const token = sseToken(req);
          if (token === null) return;
          clearTimeout(waiting.get(token));
          waiting.delete(token);
        },
        async onSubscribe(req, params) {
          const token = sseToken(req) ?? '';
          const count = running.get(token) ?? 0;
          if (count >= maxOperations) {
            return jsonError(429, `A stream runs at most ${maxOperations} operations at once.`);
          }
          running.set(token, count + 1);
          const controller = new AbortController();
          const release = () => {
            const left = (running.get(token) ?? 1) - 1;
            if (left > 0) running.set(token, left);
            else running.delete(token);
          };
          // The stream takes incremental results (@defer, @stream) whatever the POST accepted.
          const headers = new Headers(req.raw.headers);
          headers.set('accept', 'text/event-stream');
          const request = new Request(req.raw.url, {
            method: req.raw.method,
            headers,
            signal: controller.signal,
          });
          let result: Result;
          try {
            result = (await server.getResultForParams(
              { params: params as GraphQLParams, request },
              {},
            )) as Result;
          } catch (error) {
            // What the params hooks refuse (an unknown persisted document) arrives as a result.
            // Logged as yoga logs what it masks: structured, its message scrubbed of secrets.
            if (!(error instanceof GraphQLError)) log.error(error);
            result = {
              errors: [error instanceof GraphQLError ? error : new GraphQLError('Unexpected error.')],
            };
          }
          return operation(result, controller, release);
        },
      }) as unknown as (req: SseRequest<Request>) => Promise<SseResponse>;
    },
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint || !handler) return;
      const method = request.method.toUpperCase();
      const single =
        method === 'PUT' ||
        method === 'DELETE' ||
        ((method === 'GET' || method === 'POST') && tokenOf(request, url) !== null);
      if (!single) return;
      const [body, init] = await handler({
        method,
        url: request.url,
        headers: request.headers,
        body: () => readBody(request, opts.maxBodyBytes),
        raw: request,
        context: undefined,
      });
      if (body === null || typeof body === 'string') {
        endResponse(new fetchAPI.Response(body, init));
        return;
      }
      const encoder = new fetchAPI.TextEncoder();
      const token = tokenOf(request, url);
      if (token !== null) open.set(token, body);
      const forget = () => {
        if (token !== null && open.get(token) === body) open.delete(token);
      };
      const stream = new fetchAPI.ReadableStream<Uint8Array>({
        async pull(controller) {
          const next = await body.next();
          if (next.done) {
            forget();
            controller.close();
          } else controller.enqueue(encoder.encode(next.value));
        },
        async cancel() {
          forget();
          // The client went away: graphql-sse completes the stream's operations.
          await body.return(undefined);
        },
      });
      endResponse(new fetchAPI.Response(stream, init));
    },
  };
}
