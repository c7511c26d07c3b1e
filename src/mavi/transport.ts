import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import type { Span, SpanContext } from '@opentelemetry/api';
import {
  failSpan,
  injectTraceHeaders,
  inSpan,
  SpanKind,
  SpanStatusCode,
  tracer,
  tracingOn,
} from '../tracing.js';
import { Coalescer, canonicalJson } from './coalesce.js';
import type { Credential } from './credential.js';
import { DecodeError } from './decode.js';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { badData, openEnvelope, type RawAnswer } from './envelope.js';
import { GatewayError, UnauthorizedError, UpstreamError } from './errors.js';
import { Governor, type GovernorEvent, type GovernorOptions, quotaSubject } from './governor.js';
import {
  exchangeStreamed,
  exchangeText,
  type Origin,
  RequestFailure,
  readText,
  type TextAnswer,
} from './http.js';
import { Retrier, type RetryOptions, type RetryReport } from './retry.js';
import { SecretScrubber } from './scrub.js';

export interface TransportOptions {
  /** MAVI's origin, e.g. https://mavi-backend.memories.ai (no trailing path). */
  baseUrl: string;
  /** Per-endpoint time limit for the whole exchange, headers and body. */
  timeoutMs: Record<Endpoint, number>;
  /**
   * Largest answer body read into memory. MAVI's answers are small JSON; anything bigger is a
   * fault (an error page, a misrouted download) and must not take the process down. Default 16 MiB.
   */
  maxAnswerBytes?: number;
  /** Called once per upstream attempt, for metrics and logs. Never sees the credential. */
  onAttempt?: (attempt: AttemptReport) => void;
  /** Retries of idempotent reads (retry.ts). Omitted: one attempt per call. */
  retry?: RetryOptions | undefined;
  /** Outbound quotas per credential and endpoint (governor.ts). Omitted: not governed. */
  governor?: Omit<GovernorOptions, 'onEvent'> | undefined;
  /** Share identical in-flight reads of one credential (coalesce.ts). Default false. */
  coalesce?: boolean | undefined;
  /**
   * Every governor decision (granted, queued then granted, rejected, abandoned), for metrics.
   * Carries the endpoint and bucket, never the credential or its id.
   */
  onGovernorEvent?: ((event: GovernorEvent) => void) | undefined;
  /** What the retry loop decided after each failed attempt of a read, for metrics and logs. */
  onRetry?: ((report: RetryReport) => void) | undefined;
  /** Each read that joined an identical one in flight instead of calling MAVI, for metrics. */
  onCoalesced?: ((endpoint: Endpoint) => void) | undefined;
}

export interface AttemptReport {
  endpoint: Endpoint;
  credentialId: string | null;
  durationMs: number;
  /** HTTP status, or null when no answer arrived. */
  httpStatus: number | null;
  /** MAVI's code ("0000", "0429"), or the gateway code of the failure. */
  outcome: string;
  /** 1 for the first attempt of a call, 2 and up for retries. */
  attempt: number;
}

export interface CallInit<T> {
  credential: Credential | null;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** A streamed body (uploads): piped with chunked encoding and backpressure, never held. */
  body?: Readable;
  headers?: Record<string, string>;
  /** The caller's signal: aborting it aborts the upstream request. */
  signal?: AbortSignal | undefined;
  decode: (data: unknown) => T;
  /** Which of the endpoint's quotas the call counts against, where MAVI keeps several (subTranscription: its type). */
  quotaVariant?: string | undefined;
  /**
   * For calls without a credential (the token calls): what identifies the caller's budget
   * (clientId, refresh token). Only its hash is kept.
   */
  quotaSubject?: string | undefined;
  /**
   * What this call sends, beside the credential, that MAVI must not echo back to anyone (the
   * token calls' authorization code and refresh token): scrubbed from the answer like the
   * credential.
   */
  secrets?: readonly string[] | undefined;
}

/** One attempt's result: the envelope's `data`, and it decoded by the caller that started the call. */
interface Answer {
  data: unknown;
  decoded: unknown;
}

const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * The only code in the gateway that talks HTTP to MAVI. {@link call} runs one pipeline:
 * coalesce (identical in-flight reads of one credential share a call) -> governor (a token of
 * the credential's MAVI quota, or RateLimitedError without calling MAVI) -> retry loop (reads
 * only) -> one attempt. An attempt adds the raw credential, enforces the endpoint's timeout,
 * reads the answer with a size cap, opens the envelope and decodes `data`, turning every way
 * this can go wrong into a GatewayError.
 */
export class MaviTransport {
  /** MAVI's origin as node:http request options, parsed once. */
  readonly #origin: Origin;
  readonly #opts: TransportOptions;
  readonly #maxAnswerBytes: number;
  readonly #governor: Governor | null;
  readonly #retrier: Retrier | null;
  readonly #coalescer: Coalescer | null;
  /** A path prefix in MAVI's base URL (none for MAVI's own origin). */
  readonly #basePath: string;
  /** Each credential's scrubber, made once per credential object (one per client request). */
  readonly #scrubbers = new WeakMap<Credential, SecretScrubber>();
  /** With tracing on: the span of each shared call in flight, which the calls joining it link to. */
  readonly #sharedSpans = new Map<string, SpanContext>();

  constructor(opts: TransportOptions) {
    const base = new URL(opts.baseUrl.replace(/\/+$/, ''));
    this.#origin = { ...urlToHttpOptions(base), path: undefined, protocol: base.protocol };
    this.#basePath = base.pathname === '/' ? '' : base.pathname;
    this.#opts = opts;
    this.#maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.#governor = opts.governor ? new Governor({ ...opts.governor, onEvent: opts.onGovernorEvent }) : null;
    this.#retrier = opts.retry && opts.retry.maxAttempts > 1 ? new Retrier(opts.retry, opts.onRetry) : null;
    this.#coalescer = opts.coalesce ? new Coalescer() : null;
  }

  /** The quota governor, when on: `snapshot()` gives its queue lengths and store state for metrics. */
  get governor(): Governor | null {
    return this.#governor;
  }

  /** Refuses the requests still queued for a quota token (shutdown). */
  close(): void {
    this.#governor?.close();
  }

  /**
   * One call: with tracing on, a client span "MAVI <endpoint>" (coalesced or not), its
   * attempts and any governor wait as children.
   */
  call<T>(endpoint: Endpoint, init: CallInit<T>): Promise<T> {
    if (!tracingOn()) return this.#call(endpoint, init, null);
    return inSpan(
      `MAVI ${endpoint}`,
      { 'mavi.endpoint': endpoint, ...credentialAttribute(init.credential) },
      (span) => this.#call(endpoint, init, span),
      { kind: SpanKind.CLIENT },
    );
  }

  async #call<T>(endpoint: Endpoint, init: CallInit<T>, span: Span | null): Promise<T> {
    const key = this.#coalescer ? coalesceKey(endpoint, init) : null;
    if (!this.#coalescer || key === null) {
      span?.setAttribute('mavi.coalesced', false);
      return (await this.#governed(endpoint, init, init.signal)).decoded as T;
    }
    const onCoalesced = this.#opts.onCoalesced;
    const start = (signal: AbortSignal) => this.#governed(endpoint, init, signal);
    const { value, shared } = await this.#coalescer.run(
      key,
      init.signal,
      span ? (signal) => this.#sharedTraced(key, span, () => start(signal)) : start,
      span
        ? () => {
            onCoalesced?.(endpoint);
            // The joined call's attempts are children of the call that started it: link to it.
            const started = this.#sharedSpans.get(key);
            if (started) span.addLink({ context: started });
          }
        : onCoalesced && (() => onCoalesced(endpoint)),
    );
    span?.setAttribute('mavi.coalesced', shared);
    if (!shared) return value.decoded as T;
    // Each caller decodes with its own decoder and gets its own objects.
    try {
      return init.decode(value.data);
    } catch (error) {
      if (error instanceof DecodeError) throw badData(endpoint, error);
      throw error;
    }
  }

  /** Runs a shared call, its span known under `key` while it is in flight. */
  async #sharedTraced(key: string, span: Span, run: () => Promise<Answer>): Promise<Answer> {
    this.#sharedSpans.set(key, span.spanContext());
    try {
      return await run();
    } finally {
      if (this.#sharedSpans.get(key)?.spanId === span.spanContext().spanId) this.#sharedSpans.delete(key);
    }
  }

  /** Governor, then the retry loop for reads (a streamed body can be sent once only), then attempts. */
  async #governed(
    endpoint: Endpoint,
    init: CallInit<unknown>,
    signal: AbortSignal | undefined,
  ): Promise<Answer> {
    const acquire = this.#quota(endpoint, init);
    await acquire(signal);
    const timeoutMs = this.#opts.timeoutMs[endpoint];
    if (!this.#retrier || !ENDPOINTS[endpoint].idempotent || init.body) {
      return this.#attempt(endpoint, init, signal, 1, timeoutMs);
    }
    return this.#retrier.run({
      endpoint,
      signal,
      attempt: (n, timeLeftMs) => this.#attempt(endpoint, init, signal, n, Math.min(timeoutMs, timeLeftMs)),
      // A retry is one more request MAVI counts: it needs a token like any other.
      beforeRetry: acquire,
    });
  }

  /** The governor's acquisition for this call, or nothing when the call is not governed. */
  #quota(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
  ): (signal?: AbortSignal) => Promise<void> {
    const governor = this.#governor;
    const subject = governor ? quotaSubject(init.credential, init.quotaSubject) : null;
    if (!governor || subject === null) return async () => {};
    const acquire = (signal?: AbortSignal) =>
      governor.acquire({ endpoint, subject, variant: init.quotaVariant, signal });
    return tracingOn() ? (signal) => traceWait(endpoint, () => acquire(signal)) : acquire;
  }

  /** One attempt; with tracing on, in its own client span, whose context MAVI gets as traceparent. */
  #attempt(
    endpoint: Endpoint,
    init: CallInit<unknown>,
    signal: AbortSignal | undefined,
    attempt: number,
    timeoutMs: number,
  ): Promise<Answer> {
    if (!tracingOn()) return this.#attemptOnce(endpoint, init, signal, attempt, timeoutMs, null);
    const attributes = {
      'mavi.endpoint': endpoint,
      'mavi.attempt': attempt,
      'mavi.retry': attempt - 1,
      'http.request.method': ENDPOINTS[endpoint].method,
      'server.address': this.#origin.hostname ?? '',
    };
    return tracer.startActiveSpan(
      `MAVI ${endpoint} attempt ${attempt}`,
      { kind: SpanKind.CLIENT, attributes },
      (span) => this.#attemptOnce(endpoint, init, signal, attempt, timeoutMs, span).finally(() => span.end()),
    );
  }

  async #attemptOnce(
    endpoint: Endpoint,
    init: CallInit<unknown>,
    signal: AbortSignal | undefined,
    attempt: number,
    timeoutMs: number,
    span: Span | null,
  ): Promise<Answer> {
    const started = performance.now();
    let httpStatus: number | null = null;
    let outcome = 'UNKNOWN';
    try {
      const answer = await this.#exchange(endpoint, init, signal, timeoutMs, (status) => {
        httpStatus = status;
      });
      const data = openEnvelope(answer, endpoint);
      try {
        const decoded = init.decode(data);
        outcome = '0000';
        return { data, decoded };
      } catch (error) {
        if (error instanceof DecodeError) throw badData(endpoint, error);
        throw error;
      }
    } catch (error) {
      outcome = error instanceof GatewayError ? error.code : 'ABORTED';
      throw error;
    } finally {
      if (span) {
        if (httpStatus !== null) span.setAttribute('http.response.status_code', httpStatus);
        span.setAttribute('mavi.code', outcome);
        if (outcome !== '0000') {
          span.setAttribute('error.type', outcome);
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      this.#opts.onAttempt?.({
        endpoint,
        credentialId: init.credential?.id ?? null,
        durationMs: performance.now() - started,
        httpStatus,
        outcome,
        attempt,
      });
    }
  }

  /**
   * Opens a streamed answer (chat with stream=true) and hands it back once the headers are in.
   * The time limit then applies only to the wait for headers; the caller reads the body (see
   * {@link StreamedAnswer}) and the caller's signal still aborts it. Governed like
   * {@link call}, never retried or shared: a stream is one caller's.
   */
  open(endpoint: Endpoint, init: Omit<CallInit<unknown>, 'decode'>): Promise<StreamedAnswer> {
    if (!tracingOn()) return this.#open(endpoint, init);
    return inSpan(
      `MAVI ${endpoint}`,
      { 'mavi.endpoint': endpoint, 'mavi.streamed': true, ...credentialAttribute(init.credential) },
      () => this.#open(endpoint, init),
      { kind: SpanKind.CLIENT },
    );
  }

  async #open(endpoint: Endpoint, init: Omit<CallInit<unknown>, 'decode'>): Promise<StreamedAnswer> {
    await this.#quota(endpoint, init)(init.signal);
    const timeoutMs = this.#opts.timeoutMs[endpoint];
    const { scrubber, ...request } = this.#request(endpoint, init);
    try {
      const res = await exchangeStreamed(this.#origin, { ...request, signal: init.signal, timeoutMs });
      return new StreamedAnswer(endpoint, res, init.signal, this.#maxAnswerBytes, scrubber);
    } catch (error) {
      throw failure(endpoint, error, init.signal, timeoutMs, this.#maxAnswerBytes);
    }
  }

  /** One request and its answer read whole, every way it can fail turned into an UpstreamError. */
  async #exchange(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    onStatus: (status: number) => void,
  ): Promise<RawAnswer> {
    const { scrubber, ...request } = this.#request(endpoint, init);
    let answer: TextAnswer;
    try {
      answer = await exchangeText(this.#origin, {
        ...request,
        signal,
        timeoutMs,
        maxBytes: this.#maxAnswerBytes,
        onStatus,
      });
    } catch (error) {
      throw failure(endpoint, error, signal, timeoutMs, this.#maxAnswerBytes);
    }
    // Before anything reads the answer: see scrub.ts.
    const body = scrubber ? scrubber.scrub(answer.body) : answer.body;
    return { httpStatus: answer.status, retryAfter: answer.retryAfter, body };
  }

  /**
   * Method, path, headers (the credential among them) and body of a request to MAVI, and the
   * scrubber of what it carries that must not come back.
   */
  #request(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
  ): {
    method: string;
    path: string;
    headers: Record<string, string>;
    body: string | Readable | undefined;
    scrubber: SecretScrubber | null;
  } {
    const spec = ENDPOINTS[endpoint];
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    let secret: string | undefined;
    if (spec.needsCredential) {
      if (!init.credential) throw new UnauthorizedError('No credential: send an Authorization header.');
      // MAVI gets the raw key or token; working clients never send a Bearer prefix.
      secret = init.credential.reveal();
      headers.authorization = secret;
    }
    const scrubber = init.secrets
      ? SecretScrubber.of([secret, ...init.secrets])
      : init.credential && secret !== undefined
        ? this.#scrubberOf(init.credential, secret)
        : null;
    // MAVI ignores it; a proxy or a collector on MAVI's side can join the gateway's trace.
    injectTraceHeaders(headers);
    let body: string | Readable | undefined = init.body;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    return { method: spec.method, path: this.#path(spec.path, init.query), headers, body, scrubber };
  }

  /** The credential's scrubber, made once per Credential object (one per client request). */
  #scrubberOf(credential: Credential, secret: string): SecretScrubber | null {
    let scrubber = this.#scrubbers.get(credential);
    if (!scrubber) {
      scrubber = SecretScrubber.of([secret]) ?? undefined;
      if (scrubber) this.#scrubbers.set(credential, scrubber);
    }
    return scrubber ?? null;
  }

  /** The request path under MAVI's base URL, with the query string (URLSearchParams' encoding). */
  #path(path: string, query: CallInit<unknown>['query']): string {
    let search = '';
    if (query) {
      const params = new URLSearchParams();
      for (const key in query) {
        const value = query[key];
        if (value !== undefined) params.set(key, String(value));
      }
      search = params.size > 0 ? `?${params}` : '';
    }
    return this.#basePath + path + search;
  }
}

/**
 * A streamed answer whose headers are in: either MAVI's stream, read line by line with
 * {@link lines}, or (an error status, or not text/event-stream) a whole envelope, read with
 * {@link envelope}. Failures are the same UpstreamErrors as any call's.
 */
export class StreamedAnswer {
  readonly #endpoint: Endpoint;
  readonly #res: IncomingMessage;
  readonly #signal: AbortSignal | undefined;
  readonly #maxBytes: number;
  readonly #scrubber: SecretScrubber | null;
  readonly #relayed: ((piece: string) => string) | null;

  constructor(
    endpoint: Endpoint,
    res: IncomingMessage,
    signal: AbortSignal | undefined,
    maxBytes: number,
    scrubber: SecretScrubber | null,
  ) {
    this.#endpoint = endpoint;
    this.#res = res;
    this.#signal = signal;
    this.#maxBytes = maxBytes;
    this.#scrubber = scrubber;
    this.#relayed = scrubber?.continuing() ?? null;
  }

  get status(): number {
    return this.#res.statusCode ?? 0;
  }

  /** True for a 2xx answer of type text/event-stream: MAVI is streaming. */
  get streaming(): boolean {
    const type = this.#res.headers['content-type'] ?? '';
    return this.status >= 200 && this.status < 300 && type.includes('text/event-stream');
  }

  /** The whole body read as MAVI's envelope (MAVI refusing before it streams): `data`, or the typed error. */
  async envelope(): Promise<unknown> {
    let body: string;
    try {
      body = await readText(this.#res, this.#maxBytes);
    } catch (error) {
      throw failure(this.#endpoint, error, this.#signal, 0, this.#maxBytes);
    }
    const retryAfter = this.#res.headers['retry-after'] ?? null;
    if (this.#scrubber) body = this.#scrubber.scrub(body);
    return openEnvelope({ httpStatus: this.status, retryAfter, body }, this.#endpoint);
  }

  /**
   * Scrubs a piece of the answer relayed after earlier ones (a chat delta): a secret split
   * across pieces is caught too (see SecretScrubber.continuing).
   */
  relay(piece: string): string {
    return this.#relayed ? this.#relayed(piece) : piece;
  }

  /**
   * The body's lines (without their line break), scrubbed, as they arrive. `idleMs` bounds each wait for
   * more (not the time the caller spends on a line). Leaving the loop early destroys the answer.
   */
  async *lines(idleMs: number): AsyncGenerator<string> {
    const res = this.#res;
    res.setEncoding('utf8');
    let waiting = true;
    let idle = false;
    const timer = setTimeout(() => {
      if (!waiting) return;
      idle = true;
      res.destroy();
    }, idleMs);
    let buffer = '';
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        buffer = buffer === '' ? chunk : buffer + chunk;
        let newline = buffer.indexOf('\n');
        while (newline !== -1) {
          const end = newline > 0 && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
          const line = buffer.slice(0, end);
          buffer = buffer.slice(newline + 1);
          waiting = false;
          yield this.#scrubber ? this.#scrubber.scrub(line) : line;
          // The wait for more starts again now (a timer that came due meanwhile did nothing).
          waiting = true;
          timer.refresh();
          newline = buffer.indexOf('\n');
        }
        timer.refresh();
      }
      if (!res.complete) throw new RequestFailure('broken', this.status);
      // A stream that ends without a last line break: the rest is a line too.
      if (buffer !== '') yield this.#scrubber ? this.#scrubber.scrub(buffer) : buffer;
    } catch (error) {
      if (idle) {
        throw new UpstreamError(
          'UPSTREAM_TIMEOUT',
          `MAVI ${this.#endpoint} sent nothing for ${idleMs} ms mid-stream.`,
        );
      }
      throw failure(this.#endpoint, error, this.#signal, 0, this.#maxBytes, this.status);
    } finally {
      clearTimeout(timer);
      res.destroy();
    }
  }
}

/**
 * The one mapping of an exchange's failure to what the caller receives: the caller's own abort
 * as its reason, a failed upload body as its own error, the rest as UpstreamError.
 */
function failure(
  endpoint: Endpoint,
  error: unknown,
  signal: AbortSignal | undefined,
  timeoutMs: number,
  maxBytes: number,
  httpStatus: number | null = null,
): unknown {
  if (error instanceof GatewayError) return error;
  if (signal?.aborted) return signal.reason ?? error;
  if (!(error instanceof RequestFailure)) {
    // A stream's reader sees the connection's own error when it breaks mid-answer.
    return httpStatus === null ? error : broken(endpoint, httpStatus);
  }
  switch (error.reason) {
    case 'timeout':
      return new UpstreamError('UPSTREAM_TIMEOUT', `MAVI ${endpoint} did not answer within ${timeoutMs} ms.`);
    case 'aborted':
      return signal?.reason ?? error;
    case 'too-big':
      return new UpstreamError(
        'UPSTREAM_BAD_RESPONSE',
        `MAVI ${endpoint} answered with a body larger than ${maxBytes} bytes.`,
        { httpStatus: error.httpStatus },
      );
    case 'body':
      // Our side failed mid-upload: the size limit's InvalidParameterError goes back as it is.
      if (error.cause instanceof GatewayError) return error.cause;
      return unreachable(endpoint);
    case 'unreachable':
      return unreachable(endpoint);
    case 'broken':
    case 'idle':
      return error.httpStatus === null ? unreachable(endpoint) : broken(endpoint, error.httpStatus);
  }
}

/** The credential as the logs show it: its id, a SHA-256 digest; never the credential itself. */
function credentialAttribute(credential: Credential | null): Record<string, string> {
  return credential ? { 'mavi.credential.id': credential.id } : {};
}

/**
 * The governor's acquisition; a wait of a millisecond or more becomes a span "MAVI quota wait"
 * (an immediate grant, the usual case, adds none).
 */
async function traceWait(endpoint: Endpoint, acquire: () => Promise<void>): Promise<void> {
  const startTime = Date.now();
  const started = performance.now();
  let failure: unknown = null;
  try {
    await acquire();
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    const waitedMs = performance.now() - started;
    if (waitedMs >= 1 || failure !== null) {
      const span = tracer.startSpan('MAVI quota wait', {
        startTime,
        attributes: { 'mavi.endpoint': endpoint, 'mavi.quota.waited_ms': Math.round(waitedMs) },
      });
      if (failure !== null) failSpan(span, failure);
      span.end();
    }
  }
}

function unreachable(endpoint: Endpoint): UpstreamError {
  return new UpstreamError('UPSTREAM_UNREACHABLE', `MAVI ${endpoint} could not be reached.`);
}

function broken(endpoint: Endpoint, httpStatus: number): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_UNREACHABLE',
    `The connection to MAVI ${endpoint} broke while reading its answer.`,
    { httpStatus },
  );
}

/**
 * The coalescing key of a read: credential id, endpoint and the canonical request. Null for
 * calls that must not be shared: writes, streamed bodies, calls without a credential.
 */
function coalesceKey(endpoint: Endpoint, init: CallInit<unknown>): string | null {
  if (!ENDPOINTS[endpoint].idempotent || init.body || !init.credential) return null;
  const query = Object.entries(init.query ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, String(v)]);
  const request = { query: Object.fromEntries(query), json: init.json ?? null, headers: init.headers ?? {} };
  return `${init.credential.id}\n${endpoint}\n${canonicalJson(request)}`;
}
