/**
 * The fast lane: the common request (a JSON POST of one operation to /graphql) served on
 * node:http without the fetch-API Request and Response that yoga's server adapter builds around
 * every request, and without its onRequest chain, while running every other stage through
 * yoga's own code and plugins. Anything not clearly on the lane goes to yoga unchanged.
 *
 * What runs, per stage of yoga's request (graphql-yoga server.ts `handle`):
 * - onRequest (server adapter): not run. Every onRequest plugin of the gateway acts on another
 *   path or method (readiness /ready, metrics /metrics, webhooks /webhooks/*, health /health,
 *   GraphiQL and unhandled routes on GET or other paths, CORS preflights on OPTIONS) or on a
 *   request the lane leaves to yoga (graphql-sse's single connection mode: PUT, DELETE, or a
 *   stream token in a header or the query string). test/fast-lane.test.ts pins that list, so
 *   a new onRequest plugin fails it until someone decides where it belongs.
 * - onRequestParse: yoga's own hooks, all of them (CSRF, body limit, batch limit, the request
 *   parsers, ...), handed the lane's request. A hook that refuses (throws) or answers sends the
 *   request to yoga, which refuses it the same way. The body is parsed here with JSON.parse, as
 *   yoga's JSON parser does; one that does not parse, or is not a single plain object, goes to
 *   yoga. The onRequestParseDone hooks run on the parsed object.
 * - onParams, parse, validate, context, execute, masking, onExecutionResult: yoga's own
 *   `getResultForParams`, with every envelop and yoga plugin (jit, cost, limits, variable
 *   check, persisted documents, telemetry, ...).
 * - onResultProcess: yoga's own hooks pick the result processor and the media type from the
 *   Accept header. A plain result without errors or extensions, for the regular processor, is
 *   serialised here as yoga's processor does (the result's own `stringify`, which graphql-jit
 *   sets, or JSON.stringify) with its status (200) and content type. A subscription over SSE
 *   (yoga's SSE processor chosen for an event stream) is written to the socket as that
 *   processor writes it (pings, `event: next`, `event: complete`), without its web stream and
 *   Response: on node:http only (yoga.fetch's callers get yoga's Response). Every other result
 *   (errors, @defer/@stream, multipart subscriptions, a query asked for as SSE, 406) becomes
 *   yoga's own Response.
 * - onResponse (server adapter): every hook, on a response whose status and headers are the
 *   ones written (CORS, Vary: Origin, the telemetry of refused requests).
 *
 * Requests built in-process (`yoga.fetch`, as the tests send them) take the same lane through
 * the lane's `fetch`, so every HTTP test runs through it, and with FAST_LANE=false through
 * yoga alone (test/fast-lane.test.ts compares the two answer for answer).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAbortSignalAndPromiseResponse, sendNodeResponse } from '@whatwg-node/server';
import { processRegularResult } from 'graphql-yoga';
import { LRUCache } from 'lru-cache';

/** Where yoga would answer something the lane does not: the exact path, no query string. */
const ENDPOINT = '/graphql';
/** graphql-sse's stream token header (single connection mode, which yoga's plugin serves). */
const SSE_TOKEN_HEADER = 'x-graphql-event-stream-token';
/** Keys of a GraphQL-over-HTTP request the lane serves; anything else (APQ's extensions, documentId) goes to yoga. */
const LANE_PARAMS = new Set(['query', 'variables', 'operationName']);

type Headerish = {
  get(name: string): string | null;
  has(name: string): boolean;
  forEach(fn: (value: string, name: string) => void): void;
};

/** node:http's headers (lowercase names) as much of the fetch API's Headers as plugins read. */
class NodeHeaders implements Headerish {
  constructor(private readonly raw: IncomingMessage['headers']) {}
  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  forEach(fn: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.raw)) {
      const value = this.get(name);
      if (value !== null) fn(value, name);
    }
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw)) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/**
 * The request the plugins see on the lane: method, url, headers and signal as a fetch-API
 * Request has them; the body already read (the lane parses it), its text still readable.
 */
class LaneRequest {
  readonly body = null;
  readonly bodyUsed = true;
  constructor(
    readonly method: string,
    readonly url: string,
    readonly headers: Headerish,
    readonly signal: AbortSignal,
    private bodyText: string,
  ) {}
  /** A subscription holds its request for as long as it is open: it needs the body no more. */
  release(): void {
    this.bodyText = '';
  }
  text(): Promise<string> {
    return Promise.resolve(this.bodyText);
  }
  json(): Promise<unknown> {
    return Promise.resolve().then(() => JSON.parse(this.bodyText));
  }
}

/** What onResponse hooks get for an answer the lane writes itself: its status and headers. */
class LaneResponse {
  readonly statusText = 'OK';
  constructor(
    readonly status: number,
    readonly headers: Headers,
  ) {}
}

type Answer =
  | { kind: 'json'; status: number; headers: Headers; body: string }
  | { kind: 'events'; status: number; headers: Headers; events: AsyncIterable<unknown> }
  | { kind: 'response'; response: Response };

/** The headers yoga's SSE result processor answers a subscription with (graphql-yoga result-processor/sse.ts). */
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream',
  Connection: 'keep-alive',
  'Cache-Control': 'no-cache',
  'Content-Encoding': 'none',
};
/** Yoga's SSE keep-alive comment: first thing on the stream, then every 12 s (300 ms under NODE_ENV=test). */
const SSE_PING = ':\n\n';
const SSE_COMPLETE = 'event: complete\ndata:\n\n';
/** The name of the function graphql-yoga's getSSEProcessor returns (test/fast-lane.test.ts pins it). */
export const YOGA_SSE_PROCESSOR = 'processSSEResult';

/** Yoga's plugin hooks as the lane calls them (graphql-yoga types them loosely). */
type Hook = (payload: Record<string, unknown>) => unknown;
interface YogaInternals {
  onRequestParseHooks: Hook[];
  onResultProcessHooks: Hook[];
  plugins: ({ onRequest?: Hook; onResponse?: Hook } | undefined | null | false)[];
  getResultForParams(payload: { params: unknown; request: unknown }, context: object): unknown;
  fetchAPI: { Request: typeof Request; Response: typeof Response; Headers: typeof Headers; URL: typeof URL };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** A result as yoga's processors serialise one without errors: its own `stringify` (graphql-jit's), or JSON. */
function ownStringify(result: object): string {
  const stringify = (result as { stringify?: (r: unknown) => string }).stringify ?? JSON.stringify;
  return stringify(result);
}

/** Resolves once the response has taken what it holds, or has closed; leaves no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Ends a subscription nobody reads any more (its iterator's return), ignoring its failure. */
async function closeEvents(events: AsyncIterable<unknown> | AsyncIterator<unknown>): Promise<void> {
  try {
    const iterator = Symbol.asyncIterator in events ? events[Symbol.asyncIterator]() : events;
    await iterator.return?.();
  } catch {
    // Already ended.
  }
}

function isAsyncIterable(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** The parameters of one operation with a query, as yoga's parameter check accepts them. */
function laneParams(value: unknown): value is { query: string } {
  if (!isPlainObject(value) || typeof value.query !== 'string') return false;
  for (const key in value) if (!LANE_PARAMS.has(key)) return false;
  const { variables, operationName } = value;
  if (variables !== undefined && variables !== null && !isPlainObject(variables)) return false;
  return operationName === undefined || operationName === null || typeof operationName === 'string';
}

/** Whether a request's line and headers put it on the lane (the body decides the rest). */
function onLane(method: string, pathAndQuery: string, headers: Headerish): boolean {
  return (
    method === 'POST' &&
    pathAndQuery === ENDPOINT &&
    !headers.has(SSE_TOKEN_HEADER) &&
    (headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')
  );
}

/** How many requests took the lane to the end, and how many it handed to yoga (tests read it). */
export interface LaneCounts {
  served: number;
  handedOver: number;
}

/**
 * Yoga with the fast lane in front: called as node:http's listener and through `fetch`, the
 * lane; everything else (getEnveloped, the WebSocket server's use of it, ...) yoga itself.
 */
export function withFastLane<Yoga extends object>(
  yoga: Yoga,
  opts: {
    maxBodyBytes: number;
    counts?: LaneCounts;
    /** Yoga's SSE keep-alive interval (config.ssePingMs). */
    ssePingMs: number;
  },
): Yoga {
  const internals = yoga as unknown as YogaInternals;
  const { fetchAPI } = internals;
  const requestParseHooks = internals.onRequestParseHooks;
  const resultProcessHooks = internals.onResultProcessHooks;
  const responseHooks = internals.plugins.flatMap((p) =>
    p && typeof p.onResponse === 'function' ? [p.onResponse.bind(p)] : [],
  );
  const getResultForParams = internals.getResultForParams;
  /** Document texts of recent event-stream requests, each kept once (see `answer`). */
  const documentTexts = new LRUCache<string, string>({
    max: 256,
    // At most 1 MiB of text whatever clients send (a document over 64 KiB is not kept).
    maxSize: 2 ** 20,
    maxEntrySize: 2 ** 16,
    sizeCalculation: (text) => Math.max(1, text.length),
  });
  const counts = opts.counts;
  // The adapter's own: what it awaits before disposing.
  const waitUntil = (yoga as unknown as { waitUntil: (p: Promise<unknown>) => void }).waitUntil;
  /** A Content-Length the lane leaves to yoga: not a number, or over the body limit (refused there). */
  const lengthForYoga = (declared: string) => !/^\d+$/.test(declared) || Number(declared) > opts.maxBodyBytes;
  const yogaListener = (req: IncomingMessage, res: ServerResponse) =>
    (yoga as unknown as (req: IncomingMessage, res: ServerResponse) => unknown)(req, res);
  const yogaFetch = (request: Request, context: object) =>
    (yoga as unknown as { fetch: (r: Request, c: object) => Promise<Response> }).fetch(request, context);

  /** The lane's answer, or null: yoga must answer (it has not started to). */
  async function answer(
    request: LaneRequest,
    serverContext: object,
    /** Whether the answer goes to a node:http response (the lane then writes event streams itself). */
    direct: boolean,
  ): Promise<Answer | null> {
    // onRequestParse, as yoga's parseRequest runs it.
    let url: URL | undefined;
    const lazyUrl = new Proxy({} as URL, {
      get: (_target, prop) => {
        url ??= new fetchAPI.URL(request.url, 'http://localhost');
        return Reflect.get(url, prop, url);
      },
    });
    let parser: unknown;
    let ended = false;
    const done: Hook[] = [];
    for (const hook of requestParseHooks) {
      let outcome: unknown;
      try {
        outcome = hook({
          request,
          url: lazyUrl,
          requestParser: parser,
          serverContext,
          setRequestParser(p: unknown) {
            parser = p;
          },
          endResponse() {
            ended = true;
          },
          fetchAPI,
        });
        if (isThenable(outcome)) outcome = await outcome;
      } catch {
        return null;
      }
      if (ended) return null;
      const onDone = (outcome as { onRequestParseDone?: Hook } | undefined)?.onRequestParseDone;
      if (onDone) done.push(onDone);
    }
    // No parser: yoga answers 415.
    if (parser === undefined) return null;
    let params: unknown;
    try {
      params = JSON.parse(await request.text());
    } catch {
      return null;
    }
    if (!isPlainObject(params)) return null;
    try {
      for (const onDone of done) {
        const outcome = onDone({
          requestParserResult: params,
          setRequestParserResult(p: unknown) {
            params = p;
          },
        });
        if (isThenable(outcome)) await outcome;
      }
    } catch {
      return null;
    }
    if (!laneParams(params)) return null;
    // A subscription keeps its parameters (in its context) while it is open: its copy of a
    // document text the gateway has seen before is replaced by that one (measured with heap
    // snapshots: the document was ~700 bytes of each open WatchVideos subscription).
    if (direct && (request.headers.get('accept') ?? '').includes('text/event-stream')) {
      const seen = documentTexts.get(params.query);
      if (seen === undefined) documentTexts.set(params.query, params.query);
      else params.query = seen;
    }

    // onParams, the envelop pipeline, onExecutionResult: yoga's own.
    let result: unknown;
    try {
      result = getResultForParams({ params, request }, serverContext);
      if (isThenable(result)) result = await result;
    } catch {
      // Yoga's parameter hooks refused it: yoga answers (its parameter check and persisted
      // documents refuse before any operation runs, so nothing is done twice).
      return null;
    }

    // onResultProcess, as yoga's processResult runs it.
    let processor: ((result: unknown, api: unknown, mediaType: string) => unknown) | undefined;
    let mediaType = '*/*';
    const acceptable: string[] = [];
    for (const hook of resultProcessHooks) {
      const outcome = hook({
        request,
        acceptableMediaTypes: acceptable,
        result,
        setResult(r: unknown) {
          result = r;
        },
        resultProcessor: processor,
        setResultProcessor(p: typeof processor, type: string) {
          processor = p;
          mediaType = type;
        },
        serverContext,
      });
      if (isThenable(outcome)) await outcome;
    }
    let answered: Answer;
    if (!processor) {
      answered = {
        kind: 'response',
        response: new fetchAPI.Response(null, {
          status: 406,
          statusText: 'Not Acceptable',
          headers: { accept: acceptable.join('; charset=utf-8, ') },
        }),
      };
    } else if (
      processor === processRegularResult &&
      !isAsyncIterable(result) &&
      isPlainObject(result) &&
      result.errors === undefined &&
      result.extensions === undefined
    ) {
      // processRegularResult's answer for a result with no errors: 200, its media type, the
      // result's own stringify (graphql-jit's) or JSON.stringify.
      const body = ownStringify(result);
      answered = {
        kind: 'json',
        status: 200,
        headers: new fetchAPI.Headers({ 'Content-Type': `${mediaType}; charset=utf-8` }),
        body,
      };
    } else if (
      direct &&
      mediaType === 'text/event-stream' &&
      processor.name === YOGA_SSE_PROCESSOR &&
      isAsyncIterable(result)
    ) {
      // A subscription over SSE (distinct connections): the events written to the socket as
      // yoga's SSE processor writes them, without its web stream and Response per subscription
      // (memory per open subscription is the point: see BENCHMARKS.md, fan-out).
      request.release();
      answered = {
        kind: 'events',
        status: 200,
        headers: new fetchAPI.Headers(SSE_HEADERS),
        events: result as AsyncIterable<unknown>,
      };
    } else {
      let response = processor(result, fetchAPI, mediaType);
      if (isThenable(response)) response = await response;
      answered = { kind: 'response', response: response as Response };
    }

    // onResponse, as the server adapter runs it.
    let response: LaneResponse | Response =
      answered.kind === 'response' ? answered.response : new LaneResponse(answered.status, answered.headers);
    let replaced = false;
    for (const hook of responseHooks) {
      const outcome = hook({
        request,
        response,
        serverContext,
        setResponse(r: Response) {
          response = r;
          replaced = true;
        },
        fetchAPI,
      });
      if (isThenable(outcome)) await outcome;
    }
    if (replaced) {
      // A hook answered instead: the subscription will never be read.
      if (answered.kind === 'events') void closeEvents(answered.events);
      return { kind: 'response', response: response as Response };
    }
    return answered;
  }

  function listener(req: IncomingMessage, res: ServerResponse): void {
    const headers = new NodeHeaders(req.headers);
    const method = req.method ?? 'GET';
    const declared = req.headers['content-length'];
    // A chunked body, or one over the limit, is yoga's (the body limit refuses it there).
    if (!onLane(method, req.url ?? '', headers) || declared === undefined || lengthForYoga(declared)) {
      yogaListener(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      serveNode(req, res, headers, method, body).catch((error) => {
        // Nothing on the lane throws; should something, the client gets an answer.
        console.error(`Unexpected error on the fast lane: ${error instanceof Error ? error.message : error}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  async function serveNode(
    req: IncomingMessage,
    res: ServerResponse,
    headers: NodeHeaders,
    method: string,
    body: Buffer,
  ): Promise<void> {
    const controller = new AbortController();
    // The client went away before the answer: cancel what it asked for, as yoga's adapter does.
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const url = `http://${req.headers.host ?? 'localhost'}${req.url}`;
    const request = new LaneRequest(method, url, headers, controller.signal, body.toString('utf8'));
    const serverContext = { req, res, waitUntil };
    const answered = await answer(request, serverContext, true);
    if (answered === null) {
      if (counts) counts.handedOver += 1;
      const replay = new fetchAPI.Request(url, {
        method,
        headers: req.headers as Record<string, string>,
        body: body as unknown as BodyInit,
        signal: controller.signal,
      });
      sendNodeResponse(await yogaFetch(replay, serverContext), res, req, true);
      return;
    }
    if (counts) counts.served += 1;
    if (answered.kind === 'response') {
      sendNodeResponse(answered.response, res, req, true);
      return;
    }
    if (res.destroyed || res.writableEnded) {
      if (answered.kind === 'events') void closeEvents(answered.events);
      return;
    }
    const flat: string[] = [];
    answered.headers.forEach((value, name) => {
      flat.push(name, value);
    });
    if (answered.kind === 'events') {
      res.writeHead(answered.status, flat);
      await writeEvents(req, res, answered.events);
      return;
    }
    flat.push('content-length', String(Buffer.byteLength(answered.body)));
    res.writeHead(answered.status, flat);
    res.end(answered.body);
  }

  /**
   * A subscription's events on an open response, byte for byte as yoga's SSE processor and
   * adapter send them: a ping first, `event: next` with each result serialised as yoga does,
   * a ping every interval while the socket keeps up, `event: complete` at the end. The next
   * event is read only once the socket has taken the last one (yoga's stream pulls the same
   * way); the client leaving ends the subscription (its iterator's return, as yoga's cancel).
   */
  async function writeEvents(req: IncomingMessage, res: ServerResponse, events: AsyncIterable<unknown>) {
    // As the adapter does for a streamed body: no idle timeout, no Nagle delay, TCP keep-alive.
    req.socket.setTimeout(0);
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true);
    const iterator = events[Symbol.asyncIterator]();
    let closed = false;
    const ping = setInterval(() => {
      if (!res.writableNeedDrain) res.write(SSE_PING);
    }, opts.ssePingMs);
    const onClose = () => {
      closed = true;
      clearInterval(ping);
      void closeEvents(iterator);
    };
    res.once('close', onClose);
    res.write(SSE_PING);
    try {
      for (;;) {
        const step = await iterator.next();
        if (closed) return;
        if (step.value != null) {
          const written = res.write(`event: next\ndata: ${await serialiseEvent(step.value)}\n\n`);
          if (!written && !closed) await drained(res);
        }
        if (step.done) {
          clearInterval(ping);
          res.off('close', onClose);
          res.end(SSE_COMPLETE);
          return;
        }
        if (closed) return;
      }
    } catch {
      // The subscription failed mid-stream: yoga's stream errors, and the adapter drops the
      // connection, so that the client sees the stream cut off rather than completed.
      clearInterval(ping);
      res.destroy();
    }
  }

  /** One event as yoga serialises it: the result's own stringify, or yoga's processor for one with errors. */
  async function serialiseEvent(value: unknown): Promise<string> {
    const result = value as { errors?: unknown[]; extensions?: { http?: unknown } };
    if (!result.errors?.length && !result.extensions?.http) return ownStringify(result);
    // Errors lose their internal extensions on the way out: yoga's own serialiser does it.
    return (processRegularResult(result as never, fetchAPI as never, 'application/json') as Response).text();
  }

  /** yoga.fetch's contract: the promise rejects with the abort reason once the signal aborts. */
  function laneFetch(
    input: Request | string | URL,
    init?: RequestInit,
    ...context: object[]
  ): Promise<Response> {
    const signal = typeof input === 'string' || input instanceof URL ? init?.signal : input.signal;
    const answer$ = laneFetchAnswer(input, init, ...context);
    return signal ? (handleAbortSignalAndPromiseResponse(answer$, signal) as Promise<Response>) : answer$;
  }

  async function laneFetchAnswer(
    input: Request | string | URL,
    init?: RequestInit,
    ...context: object[]
  ): Promise<Response> {
    const request =
      input instanceof fetchAPI.Request || input instanceof Request
        ? input
        : new fetchAPI.Request(input, init);
    const serverContext = Object.assign(
      { waitUntil },
      ...(input === request ? [init ?? {}] : []),
      ...context,
    );
    const { pathname, search } = new URL(request.url);
    if (!onLane(request.method, pathname + search, request.headers) || request.body === null) {
      return yogaFetch(request, serverContext);
    }
    const declared = request.headers.get('content-length');
    if (declared !== null && lengthForYoga(declared)) {
      return yogaFetch(request, serverContext);
    }
    const body = await request.text();
    const replay = () =>
      yogaFetch(
        new fetchAPI.Request(request.url, {
          method: request.method,
          headers: request.headers,
          body,
          signal: request.signal,
        }),
        serverContext,
      );
    if (Buffer.byteLength(body) > opts.maxBodyBytes) return replay();
    const answered = await answer(
      new LaneRequest(request.method, request.url, request.headers, request.signal, body),
      serverContext,
      false,
    );
    if (answered === null) {
      if (counts) counts.handedOver += 1;
      return replay();
    }
    if (counts) counts.served += 1;
    if (answered.kind === 'response') return answered.response;
    if (answered.kind === 'events')
      throw new Error('an event stream is written only to a node:http response');
    answered.headers.set('content-length', String(Buffer.byteLength(answered.body)));
    return new fetchAPI.Response(answered.body, { status: answered.status, headers: answered.headers });
  }

  // The target is a function of its own: node:http's EventEmitter calls a listener through its
  // `apply` property, which over yoga itself would reach yoga's listener, not the lane.
  const handler = function gateway(this: unknown, ...args: unknown[]): unknown {
    const [req, res] = args as [IncomingMessage, ServerResponse];
    // node:http's (req, res); any other call (a Request, a FetchEvent) is yoga's.
    if (typeof (res as Partial<ServerResponse> | undefined)?.writeHead !== 'function') {
      return Reflect.apply(yoga as unknown as (...a: unknown[]) => unknown, this, args);
    }
    listener(req, res);
    return undefined;
  };
  const own = new Set<PropertyKey>(['apply', 'call', 'bind']);
  return new Proxy(handler, {
    get(target, prop) {
      if (prop === 'fetch') return laneFetch;
      if (own.has(prop)) return Reflect.get(target, prop);
      return Reflect.get(yoga, prop);
    },
    has: (_target, prop) => prop in yoga,
  }) as unknown as Yoga;
}
