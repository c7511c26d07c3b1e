import type { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import { Coalescer, canonicalJson } from './coalesce.js';
import type { Credential } from './credential.js';
import { DecodeError } from './decode.js';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { badData, openEnvelope, type RawAnswer } from './envelope.js';
import { GatewayError, UnauthorizedError, UpstreamError } from './errors.js';
import { Governor, type GovernorEvent, type GovernorOptions, quotaSubject } from './governor.js';
import { Retrier, type RetryOptions, type RetryReport } from './retry.js';
import { RequestFailure, type RequestTarget, requestStreamed, requestText } from './stream-request.js';

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
  /** A streamed body (uploads); sent with chunked encoding. */
  body?: ReadableStream<Uint8Array> | Readable;
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
  readonly #base: string;
  /** MAVI's origin as node:http request options, parsed once. */
  readonly #origin: RequestTarget['origin'];
  readonly #opts: TransportOptions;
  readonly #maxAnswerBytes: number;
  readonly #governor: Governor | null;
  readonly #retrier: Retrier | null;
  readonly #coalescer: Coalescer | null;
  /** A path prefix in MAVI's base URL (none for MAVI's own origin). */
  readonly #basePath: string;

  constructor(opts: TransportOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    const base = new URL(this.#base);
    this.#origin = { ...urlToHttpOptions(base), path: undefined, protocol: base.protocol };
    this.#basePath = base.pathname === '/' ? '' : base.pathname;
    this.#opts = opts;
    this.#maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    this.#governor = opts.governor ? new Governor({ ...opts.governor, onEvent: opts.onGovernorEvent }) : null;
    this.#retrier = opts.retry && opts.retry.maxAttempts > 1 ? new Retrier(opts.retry, opts.onRetry) : null;
    this.#coalescer = opts.coalesce ? new Coalescer() : null;
  }

  /** The quota governor, when on: `snapshot()` gives queue lengths and rejection counts for metrics. */
  get governor(): Governor | null {
    return this.#governor;
  }

  /** Reads in flight through the coalescer now, and the callers sharing them (for metrics). */
  coalescing(): { calls: number; callers: number } {
    return this.#coalescer?.stats() ?? { calls: 0, callers: 0 };
  }

  /** Refuses the requests still queued for a quota token (shutdown). */
  close(): void {
    this.#governor?.close();
  }

  async call<T>(endpoint: Endpoint, init: CallInit<T>): Promise<T> {
    const key = this.#coalescer ? coalesceKey(endpoint, init) : null;
    if (!this.#coalescer || key === null) {
      return (await this.#governed(endpoint, init, init.signal)).decoded as T;
    }
    const { value, shared } = await this.#coalescer.run(key, init.signal, (signal) =>
      this.#governed(endpoint, init, signal),
    );
    if (!shared) return value.decoded as T;
    // Each caller decodes with its own decoder and gets its own objects.
    try {
      return init.decode(value.data);
    } catch (error) {
      if (error instanceof DecodeError) throw badData(endpoint, error);
      throw error;
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
    return (signal) => governor.acquire({ endpoint, subject, variant: init.quotaVariant, signal });
  }

  async #attempt(
    endpoint: Endpoint,
    init: CallInit<unknown>,
    signal: AbortSignal | undefined,
    attempt: number,
    timeoutMs: number,
  ): Promise<Answer> {
    const started = performance.now();
    let httpStatus: number | null = null;
    let outcome = 'UNKNOWN';
    try {
      const answer = await this.#exchange(endpoint, { ...init, signal }, timeoutMs, (status) => {
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
   * Opens a streamed answer (chat with stream=true) and hands back the Response once the
   * headers are in. The time limit then applies only to the wait for headers; the caller owns
   * the body and aborts it with its own signal. Governed like {@link call}, never retried or
   * shared: a stream is one caller's.
   */
  async open(endpoint: Endpoint, init: Omit<CallInit<unknown>, 'decode'>): Promise<Response> {
    await this.#quota(endpoint, init)(init.signal);
    const { response, clearTimer } = await this.#send(endpoint, init, this.#opts.timeoutMs[endpoint]);
    clearTimer();
    return response;
  }

  async #exchange(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
    timeoutMs: number,
    onStatus: (status: number) => void,
  ): Promise<RawAnswer> {
    if (!init.body) return this.#exchangeText(endpoint, init, timeoutMs, onStatus);
    const { response, clearTimer, timedOut } = await this.#send(endpoint, init, timeoutMs);
    onStatus(response.status);
    try {
      const body = await readCapped(response, this.#maxAnswerBytes, endpoint);
      return { httpStatus: response.status, retryAfter: response.headers.get('retry-after'), body };
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (timedOut()) throw timeoutError(endpoint, timeoutMs);
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      throw new UpstreamError(
        'UPSTREAM_UNREACHABLE',
        `The connection to MAVI ${endpoint} broke while reading its answer.`,
        { httpStatus: response.status },
      );
    } finally {
      clearTimer();
    }
  }

  /** A call without a streamed body: MAVI's JSON answer read whole (see requestText). */
  async #exchangeText(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
    timeoutMs: number,
    onStatus: (status: number) => void,
  ): Promise<RawAnswer> {
    const spec = ENDPOINTS[endpoint];
    const { headers, body } = this.#request(endpoint, init);
    try {
      const answer = await requestText(
        { origin: this.#origin, path: this.#path(spec.path, init.query) },
        {
          method: spec.method,
          headers,
          body,
          signal: init.signal,
          timeoutMs,
          maxBytes: this.#maxAnswerBytes,
          onStatus,
        },
      );
      return { httpStatus: answer.status, retryAfter: answer.retryAfter, body: answer.body };
    } catch (error) {
      if (!(error instanceof RequestFailure)) throw error;
      const httpStatus = error.httpStatus;
      switch (error.reason) {
        case 'timeout':
          throw timeoutError(endpoint, timeoutMs);
        case 'aborted':
          throw init.signal?.reason ?? error;
        case 'too-big':
          throw tooBig(endpoint, httpStatus ?? 0, this.#maxAnswerBytes);
        default:
          if (httpStatus === null) {
            throw new UpstreamError('UPSTREAM_UNREACHABLE', `MAVI ${endpoint} could not be reached.`);
          }
          throw new UpstreamError(
            'UPSTREAM_UNREACHABLE',
            `The connection to MAVI ${endpoint} broke while reading its answer.`,
            { httpStatus },
          );
      }
    }
  }

  /** The headers (the credential among them) and JSON body of a request to MAVI. */
  #request(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
  ): { headers: Record<string, string>; body: string | undefined } {
    const spec = ENDPOINTS[endpoint];
    const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
    if (spec.needsCredential) {
      if (!init.credential) throw new UnauthorizedError('No credential: send an Authorization header.');
      // MAVI gets the raw key or token; working clients never send a Bearer prefix.
      headers.authorization = init.credential.reveal();
    }
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    return { headers, body };
  }

  async #send(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
    timeoutMs: number,
  ): Promise<{ response: Response; clearTimer: () => void; timedOut: () => boolean }> {
    const spec = ENDPOINTS[endpoint];
    const { headers, body } = this.#request(endpoint, init);

    const timer = new AbortController();
    let didTimeOut = false;
    const handle = setTimeout(() => {
      didTimeOut = true;
      timer.abort(new Error('timeout'));
    }, timeoutMs);
    // The caller's signal aborts the timer's controller rather than joining it in AbortSignal.any:
    // on a node:http request yoga's signal is @whatwg-node's own class, which Node 24's
    // AbortSignal.any refuses ("signals[0] is not of type AbortSignal"). The link outlives
    // clearTimer: a streamed answer (open) is still aborted by its caller.
    const caller = init.signal;
    if (caller?.aborted) timer.abort(caller.reason);
    else caller?.addEventListener('abort', () => timer.abort(caller.reason), { once: true });
    const signal = timer.signal;
    const clearTimer = () => clearTimeout(handle);

    try {
      const url = this.#url(spec.path, init.query);
      const response = await requestStreamed(url, {
        method: spec.method,
        headers,
        body: init.body ?? body,
        signal,
      });
      return { response, clearTimer, timedOut: () => didTimeOut };
    } catch (error) {
      clearTimer();
      if (didTimeOut) throw timeoutError(endpoint, timeoutMs);
      if (init.signal?.aborted) throw init.signal.reason ?? error;
      if (error instanceof GatewayError) throw error;
      // The body stream may have failed on our side (a client abort or a size limit mid-upload).
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof GatewayError) throw cause;
      throw new UpstreamError('UPSTREAM_UNREACHABLE', `MAVI ${endpoint} could not be reached.`);
    }
  }

  /** The request path and query string (the same encoding as URLSearchParams gives {@link #url}). */
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

  #url(path: string, query: CallInit<unknown>['query']): string {
    const url = new URL(this.#base + path);
    if (query) {
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined) url.searchParams.set(key, String(value));
      }
    }
    return url.toString();
  }
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

function timeoutError(endpoint: Endpoint, ms: number): UpstreamError {
  return new UpstreamError('UPSTREAM_TIMEOUT', `MAVI ${endpoint} did not answer within ${ms} ms.`);
}

/** Reads the body as text, refusing to hold more than `max` bytes. */
async function readCapped(response: Response, max: number, endpoint: Endpoint): Promise<string> {
  const length = Number(response.headers.get('content-length'));
  if (Number.isFinite(length) && length > max) {
    await response.body?.cancel();
    throw tooBig(endpoint, response.status, max);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooBig(endpoint, response.status, max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooBig(endpoint: Endpoint, httpStatus: number, max: number): UpstreamError {
  return new UpstreamError(
    'UPSTREAM_BAD_RESPONSE',
    `MAVI ${endpoint} answered with a body larger than ${max} bytes.`,
    { httpStatus },
  );
}
