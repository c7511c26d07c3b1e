import type { Credential } from './credential.js';
import { DecodeError } from './decode.js';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { badData, openEnvelope, type RawAnswer } from './envelope.js';
import { GatewayError, UnauthorizedError, UpstreamError } from './errors.js';
import { requestWithStreamBody } from './stream-request.js';

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
}

export interface AttemptReport {
  endpoint: Endpoint;
  credentialId: string | null;
  durationMs: number;
  /** HTTP status, or null when no answer arrived. */
  httpStatus: number | null;
  /** MAVI's code ("0000", "0429"), or the gateway code of the failure. */
  outcome: string;
}

export interface CallInit<T> {
  credential: Credential | null;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** A streamed body (uploads); sent with chunked encoding. */
  body?: ReadableStream<Uint8Array>;
  headers?: Record<string, string>;
  /** The caller's signal: aborting it aborts the upstream request. */
  signal?: AbortSignal | undefined;
  decode: (data: unknown) => T;
}

const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * The only code in the gateway that talks HTTP to MAVI. One request per call: it adds the raw
 * credential, enforces the endpoint's timeout, reads the answer with a size cap, opens the
 * envelope and decodes `data`, turning every way this can go wrong into a GatewayError.
 */
export class MaviTransport {
  readonly #base: string;
  readonly #opts: TransportOptions;
  readonly #maxAnswerBytes: number;

  constructor(opts: TransportOptions) {
    this.#base = opts.baseUrl.replace(/\/+$/, '');
    this.#opts = opts;
    this.#maxAnswerBytes = opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  }

  async call<T>(endpoint: Endpoint, init: CallInit<T>): Promise<T> {
    const started = performance.now();
    let httpStatus: number | null = null;
    let outcome = 'UNKNOWN';
    try {
      const answer = await this.#exchange(endpoint, init, (status) => {
        httpStatus = status;
      });
      const data = openEnvelope(answer, endpoint);
      try {
        const decoded = init.decode(data);
        outcome = '0000';
        return decoded;
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
      });
    }
  }

  /**
   * Opens a streamed answer (chat with stream=true) and hands back the Response once the
   * headers are in. The time limit then applies only to the wait for headers; the caller owns
   * the body and aborts it with its own signal.
   */
  async open(endpoint: Endpoint, init: Omit<CallInit<unknown>, 'decode'>): Promise<Response> {
    const { response, clearTimer } = await this.#send(endpoint, init);
    clearTimer();
    return response;
  }

  async #exchange(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
    onStatus: (status: number) => void,
  ): Promise<RawAnswer> {
    const { response, clearTimer, timedOut } = await this.#send(endpoint, init);
    onStatus(response.status);
    try {
      const body = await readCapped(response, this.#maxAnswerBytes, endpoint);
      return { httpStatus: response.status, retryAfter: response.headers.get('retry-after'), body };
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      if (timedOut()) throw timeoutError(endpoint, this.#opts.timeoutMs[endpoint]);
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

  async #send(
    endpoint: Endpoint,
    init: Omit<CallInit<unknown>, 'decode'>,
  ): Promise<{ response: Response; clearTimer: () => void; timedOut: () => boolean }> {
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

    const timeoutMs = this.#opts.timeoutMs[endpoint];
    const timer = new AbortController();
    let didTimeOut = false;
    const handle = setTimeout(() => {
      didTimeOut = true;
      timer.abort(new Error('timeout'));
    }, timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal;
    const clearTimer = () => clearTimeout(handle);

    try {
      const url = this.#url(spec.path, init.query);
      const response = init.body
        ? await requestWithStreamBody(url, { method: spec.method, headers, body: init.body, signal })
        : await fetch(url, { method: spec.method, headers, body, signal });
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
