import { createHash } from 'node:crypto';
import type { Credential } from './credential.js';
import { ENDPOINT_NAMES, type Endpoint } from './endpoints.js';
import { RateLimitedError, UpstreamError } from './errors.js';

/**
 * The outbound quota governor: MAVI's published per-credential limits (v1.0 §8.1), enforced
 * before MAVI is called.
 *
 * Why: MAVI answers a request over its limit with 0429 but still counts it, and a burst from
 * one busy client would otherwise spend the minute's budget in a second and leave every later
 * request of that credential failing upstream. The governor keeps a token bucket per
 * credential, endpoint and window (per minute and per 24 h; a token from each is needed).
 * A request with no token waits in a short FIFO queue (default at most 50 waiters and 2 s);
 * one that would wait longer, or finds the queue full, fails at once with RateLimitedError
 * whose retryAfterSeconds is the time until a token is due, and MAVI is not called.
 *
 * Buckets are keyed by {@link Credential.id} (a hash, never the secret); the token calls,
 * which carry no credential, by a hash of the clientId or refresh token. Each bucket has its
 * own queue, so one credential's burst never delays another's. Buckets live in a
 * {@link QuotaStore}: in memory, or in Redis (quota-redis.ts) so every instance shares them.
 */

/** A quota: an endpoint, or an endpoint and variant where MAVI counts them apart. */
export const QUOTA_BUCKETS = [
  'upload',
  'searchDB',
  'searchAI',
  'searchVideoFragment',
  'chat',
  'subTranscription:VIDEO',
  'subTranscription:AUDIO',
  'getTranscription',
  'delete',
  'getAccessToken',
  'refreshAccessToken',
] as const;
export type QuotaBucket = (typeof QUOTA_BUCKETS)[number];

/** Requests allowed per window; null: no limit for that window. */
export interface QuotaLimit {
  perMinute: number | null;
  perDay: number | null;
}
export type RateLimits = Record<QuotaBucket, QuotaLimit>;

/** MAVI v1.0 §8.1 (and §6.9/§6.10 for the token calls). Delete is not limited. */
export const MAVI_PUBLISHED_LIMITS: Readonly<RateLimits> = {
  upload: { perMinute: 10, perDay: 1000 },
  searchDB: { perMinute: 200, perDay: 1000 },
  searchAI: { perMinute: 20, perDay: 1000 },
  searchVideoFragment: { perMinute: 10, perDay: 1000 },
  chat: { perMinute: 10, perDay: 1500 },
  'subTranscription:VIDEO': { perMinute: 20, perDay: 2000 },
  'subTranscription:AUDIO': { perMinute: 50, perDay: 4000 },
  getTranscription: { perMinute: 50, perDay: 10000 },
  delete: { perMinute: null, perDay: null },
  getAccessToken: { perMinute: null, perDay: 50 },
  refreshAccessToken: { perMinute: null, perDay: 500 },
};

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Every Redis key of the governor starts with this. */
export const QUOTA_KEY_PREFIX = 'mavi-gw:quota:';

/**
 * Reads MAVI_RATE_LIMITS: a JSON object of overrides on top of MAVI's published limits, e.g.
 * `{"searchDB":{"perMinute":100},"getAccessToken":{"perDay":null}}` (null lifts a window).
 */
export function parseRateLimits(
  raw: string | null,
  name = 'MAVI_RATE_LIMITS',
): {
  limits: RateLimits;
  problems: string[];
} {
  const limits = Object.fromEntries(
    QUOTA_BUCKETS.map((bucket) => [bucket, { ...MAVI_PUBLISHED_LIMITS[bucket] }]),
  ) as RateLimits;
  const problems: string[] = [];
  if (raw === null) return { limits, problems };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    problems.push(`${name} must be a JSON object; got ${JSON.stringify(raw.slice(0, 80))}.`);
    return { limits, problems };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(
      `${name} must be a JSON object of bucket -> {perMinute, perDay}; got ${JSON.stringify(parsed)}.`,
    );
    return { limits, problems };
  }
  for (const [bucket, value] of Object.entries(parsed)) {
    if (!(QUOTA_BUCKETS as readonly string[]).includes(bucket)) {
      problems.push(
        `${name} has unknown bucket ${JSON.stringify(bucket)}; buckets are ${QUOTA_BUCKETS.join(', ')}.`,
      );
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push(
        `${name}.${bucket} must be an object like {"perMinute":10,"perDay":1000}; got ${JSON.stringify(value)}.`,
      );
      continue;
    }
    for (const [window, count] of Object.entries(value as Record<string, unknown>)) {
      if (window !== 'perMinute' && window !== 'perDay') {
        problems.push(`${name}.${bucket} may only set perMinute and perDay; got ${JSON.stringify(window)}.`);
        continue;
      }
      if (count !== null && !(typeof count === 'number' && Number.isSafeInteger(count) && count >= 1)) {
        problems.push(
          `${name}.${bucket}.${window} must be a positive integer or null; got ${JSON.stringify(count)}.`,
        );
        continue;
      }
      limits[bucket as QuotaBucket][window] = count;
    }
  }
  return { limits, problems };
}

/** One window of one bucket, as a store sees it. */
export interface QuotaWindow {
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Where the buckets live. Token buckets: each window holds up to `limit` tokens and refills
 * at `limit / windowMs`, so a full window's burst is allowed and then one token per interval.
 */
export interface QuotaStore {
  /**
   * With `take`, if every window holds a token, takes one from each (all or none) and answers
   * 0. Otherwise takes nothing and answers the milliseconds until every window holds `need`
   * tokens (0 when they already do).
   */
  acquire(windows: readonly QuotaWindow[], need: number, take: boolean): Promise<number> | number;
  /** `memory`, `redis`, or `redis-unavailable` while a Redis store falls open to memory. */
  readonly state: 'memory' | 'redis' | 'redis-unavailable';
}

/** Buckets in this process. Idle buckets are dropped once full again (a full bucket is the default). */
export class MemoryQuotaStore implements QuotaStore {
  readonly state = 'memory' as const;
  readonly #buckets = new Map<string, { tokens: number; at: number; fullAt: number }>();
  #nextSweep = 0;

  acquire(windows: readonly QuotaWindow[], need: number, take: boolean, now = Date.now()): number {
    const levels: number[] = [];
    let wait = 0;
    for (const w of windows) {
      const rate = w.limit / w.windowMs;
      const bucket = this.#buckets.get(w.key);
      const tokens = bucket ? Math.min(w.limit, bucket.tokens + (now - bucket.at) * rate) : w.limit;
      levels.push(tokens);
      if (tokens < need) wait = Math.max(wait, Math.ceil((need - tokens) / rate));
    }
    if (!take || wait > 0) return wait;
    windows.forEach((w, i) => {
      const tokens = (levels[i] ?? w.limit) - 1;
      this.#buckets.set(w.key, {
        tokens,
        at: now,
        fullAt: now + ((w.limit - tokens) * w.windowMs) / w.limit,
      });
    });
    this.#sweep(now);
    return 0;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + MINUTE_MS;
    for (const [key, bucket] of this.#buckets) if (bucket.fullAt <= now) this.#buckets.delete(key);
  }
}

/** What the governor decided for one request. Carries no credential, not even its id. */
export interface GovernorEvent {
  endpoint: Endpoint;
  /** The quota: the endpoint, or endpoint:variant (subTranscription:AUDIO). */
  bucket: QuotaBucket;
  /**
   * granted: a token was taken and MAVI will be called; rejected: RateLimitedError without
   * calling MAVI; abandoned: the caller aborted while queued.
   */
  decision: 'granted' | 'rejected' | 'abandoned';
  /** immediate/queued for grants; wait-too-long/queue-full/closed for rejections. */
  reason: 'immediate' | 'queued' | 'wait-too-long' | 'queue-full' | 'closed' | 'aborted';
  /** Time spent queued (0 for immediate decisions). */
  waitedMs: number;
  /** For rejections: the retryAfterSeconds the client receives. */
  retryAfterSeconds: number | null;
  /** Waiters queued for this bucket on this instance after the decision. */
  queueLength: number;
}

/** The governor's state now, for metrics (read at each scrape; decisions are counted from events). */
export interface GovernorSnapshot {
  store: QuotaStore['state'];
  /** Requests waiting for a token now, per endpoint, on this instance. */
  queued: Record<Endpoint, number>;
}

export interface GovernorOptions {
  limits: RateLimits;
  /** Longest a request waits for a token. GOVERNOR_MAX_WAIT_MS, default 2000 (0: never wait). */
  maxWaitMs: number;
  /** Most waiters per bucket on one instance. GOVERNOR_MAX_QUEUE, default 50 (0: never wait). */
  maxQueue: number;
  /** Shared buckets; in-memory when omitted. */
  store?: QuotaStore;
  onEvent?: (event: GovernorEvent) => void;
}

export interface QuotaRequest {
  endpoint: Endpoint;
  /** Whose budget: {@link quotaSubject}. */
  subject: string;
  /** subTranscription's type (AUDIO, VIDEO): MAVI counts them apart. */
  variant?: string | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The budget a call counts against: the credential's id, or for the token calls (which carry
 * none) a hash of what identifies the caller. Null: not governed.
 */
export function quotaSubject(credential: Credential | null, raw: string | undefined): string | null {
  if (credential) return credential.id;
  if (raw === undefined) return null;
  return `anon-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  deadline: number;
  enqueuedAt: number;
  detach: () => void;
}

interface Queue {
  bucket: QuotaBucket;
  endpoint: Endpoint;
  windows: readonly QuotaWindow[];
  waiters: Waiter[];
  pumping: boolean;
  timer: NodeJS.Timeout | null;
  wake: (() => void) | null;
}

export const DEFAULT_GOVERNOR = { maxWaitMs: 2000, maxQueue: 50 } as const;

/** The governor: one per transport. */
export class Governor {
  readonly #opts: GovernorOptions;
  readonly #store: QuotaStore;
  readonly #queues = new Map<string, Queue>();
  #closed = false;

  constructor(opts: GovernorOptions) {
    this.#opts = opts;
    this.#store = opts.store ?? new MemoryQuotaStore();
  }

  /** Resolves when a token is taken; rejects with RateLimitedError, or the abort's reason. */
  async acquire(req: QuotaRequest): Promise<void> {
    const bucket = bucketOf(req.endpoint, req.variant);
    if (!bucket) return;
    const limit = this.#opts.limits[bucket];
    const windows = windowsOf(req.subject, bucket, limit);
    if (windows.length === 0) return;
    if (req.signal?.aborted) throw req.signal.reason;
    if (this.#closed) throw closedError();
    const qkey = `${req.subject}\n${bucket}`;

    // FIFO: a newcomer tries for a token only when nobody of its bucket is waiting.
    let ahead = this.#queues.get(qkey)?.waiters.length ?? 0;
    let predicted: number;
    if (ahead === 0) {
      const wait = await this.#store.acquire(windows, 1, true);
      if (wait === 0) {
        this.#emit(req.endpoint, bucket, 'granted', 'immediate', 0, null, qkey);
        return;
      }
      ahead = this.#queues.get(qkey)?.waiters.length ?? 0;
      predicted = ahead === 0 ? wait : await this.#store.acquire(windows, ahead + 1, false);
    } else {
      predicted = await this.#store.acquire(windows, ahead + 1, false);
    }
    if (req.signal?.aborted) throw req.signal.reason;
    if (this.#closed) throw closedError();
    if (ahead >= this.#opts.maxQueue)
      throw this.#reject(req.endpoint, bucket, limit, 'queue-full', predicted, qkey);
    if (predicted > this.#opts.maxWaitMs) {
      throw this.#reject(req.endpoint, bucket, limit, 'wait-too-long', predicted, qkey);
    }

    let queue = this.#queues.get(qkey);
    if (!queue) {
      queue = {
        bucket,
        endpoint: req.endpoint,
        windows,
        waiters: [],
        pumping: false,
        timer: null,
        wake: null,
      };
      this.#queues.set(qkey, queue);
    }
    const q = queue;
    const enqueuedAt = performance.now();
    await new Promise<void>((resolve, reject) => {
      const signal = req.signal;
      const onAbort = () => {
        const i = q.waiters.indexOf(waiter);
        if (i >= 0) q.waiters.splice(i, 1);
        this.#emit(req.endpoint, bucket, 'abandoned', 'aborted', performance.now() - enqueuedAt, null, qkey);
        this.#dropIfIdle(qkey, q);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        resolve,
        reject,
        deadline: enqueuedAt + this.#opts.maxWaitMs,
        enqueuedAt,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      q.waiters.push(waiter);
      void this.#pump(qkey, q, limit);
    });
  }

  snapshot(): GovernorSnapshot {
    const queued = Object.fromEntries(ENDPOINT_NAMES.map((e) => [e, 0])) as Record<Endpoint, number>;
    for (const queue of this.#queues.values()) queued[queue.endpoint] += queue.waiters.length;
    return { store: this.#store.state, queued };
  }

  /** Refuses every waiter and stops the timers (gateway shutdown). */
  close(): void {
    this.#closed = true;
    for (const [qkey, queue] of this.#queues) {
      if (queue.timer) clearTimeout(queue.timer);
      queue.wake?.();
      for (const waiter of queue.waiters.splice(0)) {
        waiter.detach();
        this.#emit(queue.endpoint, queue.bucket, 'rejected', 'closed', 0, null, qkey);
        waiter.reject(closedError());
      }
    }
    this.#queues.clear();
  }

  /** Serves one bucket's waiters in order: take a token for the head, or sleep until one is due. */
  async #pump(qkey: string, q: Queue, limit: QuotaLimit): Promise<void> {
    if (q.pumping) return;
    q.pumping = true;
    try {
      while (q.waiters.length > 0 && !this.#closed) {
        const wait = await this.#store.acquire(q.windows, 1, true);
        const now = performance.now();
        if (wait === 0) {
          // The head may have aborted meanwhile: the token then goes to the next in line (or,
          // with nobody left, is lost: at most one token per abort).
          const waiter = q.waiters.shift();
          if (!waiter) break;
          waiter.detach();
          this.#emit(q.endpoint, q.bucket, 'granted', 'queued', now - waiter.enqueuedAt, null, qkey);
          waiter.resolve();
          continue;
        }
        // Deadlines grow along the queue: refuse the waiters that the next token would miss.
        while (q.waiters.length > 0 && (q.waiters[0]?.deadline ?? 0) < now + wait) {
          const waiter = q.waiters.shift()!;
          waiter.detach();
          waiter.reject(
            this.#reject(q.endpoint, q.bucket, limit, 'wait-too-long', wait, qkey, now - waiter.enqueuedAt),
          );
        }
        if (q.waiters.length === 0) break;
        await new Promise<void>((resolve) => {
          q.wake = resolve;
          q.timer = setTimeout(resolve, wait);
        });
        q.timer = null;
        q.wake = null;
      }
    } catch (error) {
      for (const waiter of q.waiters.splice(0)) {
        waiter.detach();
        waiter.reject(error);
      }
    } finally {
      q.pumping = false;
      this.#dropIfIdle(qkey, q);
    }
  }

  #dropIfIdle(qkey: string, q: Queue): void {
    if (q.waiters.length === 0 && !q.pumping && this.#queues.get(qkey) === q) this.#queues.delete(qkey);
  }

  #reject(
    endpoint: Endpoint,
    bucket: QuotaBucket,
    limit: QuotaLimit,
    reason: 'queue-full' | 'wait-too-long',
    waitMs: number,
    qkey: string,
    waitedMs = 0,
  ): RateLimitedError {
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    this.#emit(endpoint, bucket, 'rejected', reason, waitedMs, retryAfterSeconds, qkey);
    const why =
      reason === 'queue-full'
        ? `${this.#opts.maxQueue} requests are already waiting for it`
        : `the next token is due in ${retryAfterSeconds} s, past the ${this.#opts.maxWaitMs} ms this gateway waits`;
    return new RateLimitedError(
      `MAVI allows ${describeLimit(limit)} ${bucket} requests per credential; ${why}. MAVI was not called.`,
      retryAfterSeconds,
    );
  }

  #emit(
    endpoint: Endpoint,
    bucket: QuotaBucket,
    decision: GovernorEvent['decision'],
    reason: GovernorEvent['reason'],
    waitedMs: number,
    retryAfterSeconds: number | null,
    qkey: string,
  ): void {
    if (!this.#opts.onEvent) return;
    const queueLength = this.#queues.get(qkey)?.waiters.length ?? 0;
    this.#opts.onEvent({ endpoint, bucket, decision, reason, waitedMs, retryAfterSeconds, queueLength });
  }
}

function bucketOf(endpoint: Endpoint, variant: string | undefined): QuotaBucket | null {
  if (endpoint !== 'subTranscription') return endpoint;
  // Any other type is refused by MAVI with 0001 and counts against neither quota.
  return variant === 'AUDIO' || variant === 'VIDEO' ? `subTranscription:${variant}` : null;
}

/** The store keys: prefix, then subject and bucket in a hash tag (one Redis Cluster slot), then the window. */
function windowsOf(subject: string, bucket: QuotaBucket, limit: QuotaLimit): QuotaWindow[] {
  const base = `${QUOTA_KEY_PREFIX}{${subject}:${bucket}}`;
  const windows: QuotaWindow[] = [];
  if (limit.perMinute !== null)
    windows.push({ key: `${base}:minute`, limit: limit.perMinute, windowMs: MINUTE_MS });
  if (limit.perDay !== null) windows.push({ key: `${base}:day`, limit: limit.perDay, windowMs: DAY_MS });
  return windows;
}

function describeLimit(limit: QuotaLimit): string {
  const parts: string[] = [];
  if (limit.perMinute !== null) parts.push(`${limit.perMinute} per minute`);
  if (limit.perDay !== null) parts.push(`${limit.perDay} per day`);
  return parts.join(' and ');
}

function closedError(): UpstreamError {
  return new UpstreamError('UPSTREAM_UNREACHABLE', 'The gateway is shutting down; MAVI was not called.');
}
