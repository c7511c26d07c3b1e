import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from './endpoints.js';
import { GatewayError, RateLimitedError } from './errors.js';

/**
 * Retries for MAVI's idempotent reads, and only for failures a second try can cure.
 *
 * Why each number: a blip (a reset connection, a 502 from MAVI's proxy, a 0429 that clears in
 * a second) is common enough that one quiet retry saves the client an error, but an outage is
 * made worse by every client retrying. So attempts are few (3 in total), spread with
 * exponential backoff and full jitter (a random wait from 0 to min(2 s, 100 ms × 2^n), so
 * callers that failed together do not come back together), bounded by one time limit for the
 * whole call, and rationed by a {@link RetryBudget}: over a sliding window, retries may add at
 * most 10% to the requests of an endpoint (plus a floor of 10, so a quiet gateway still
 * retries a lone failure). During an outage MAVI then sees ~1.1× the load, not 3×.
 *
 * Writes (upload, delete, chat, subTranscription) and the token calls are never retried: a
 * timed-out write may have happened, and an upload's body stream is consumed by the first try.
 */
export interface RetryOptions {
  /** Attempts in total, the first included; 1 turns retries off. MAVI_RETRY_MAX_ATTEMPTS, default 3. */
  maxAttempts: number;
  /** Backoff before retry n is random in [0, min(maxDelayMs, baseDelayMs × 2^(n-1))). MAVI_RETRY_BASE_DELAY_MS, default 100. */
  baseDelayMs: number;
  /** Cap of the backoff. MAVI_RETRY_MAX_DELAY_MS, default 2000. */
  maxDelayMs: number;
  /**
   * Time limit of a whole call: every attempt, backoff and Retry-After wait. A wait that would
   * end past it is not started; the last failure is returned at once. Each attempt keeps its
   * endpoint's timeout, shortened to what is left. MAVI_RETRY_MAX_ELAPSED_MS, default twice
   * MAVI_TIMEOUT_MS (so a timed-out first attempt leaves room for another).
   */
  maxElapsedMs: number;
  /** Retries allowed as a share of requests over the window, in percent. MAVI_RETRY_BUDGET_PERCENT, default 10. */
  budgetPercent: number;
  /** Retries always allowed per window on top of the share. MAVI_RETRY_BUDGET_FLOOR, default 10. */
  budgetFloor: number;
  /** The budget's sliding window. MAVI_RETRY_BUDGET_WINDOW_MS, default 10000. */
  budgetWindowMs: number;
}

export const DEFAULT_RETRY: Omit<RetryOptions, 'maxElapsedMs'> = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  budgetPercent: 10,
  budgetFloor: 10,
  budgetWindowMs: 10_000,
};

/** What the retry loop decided after a failed attempt. Never carries the credential. */
export interface RetryReport {
  endpoint: Endpoint;
  /** The attempt that failed (1 = the first). */
  attempt: number;
  /** The failure's code ("UPSTREAM_TIMEOUT", "0429"...). */
  failure: string;
  /**
   * retry: another attempt follows, `delayMs` after the failure; the others say why the failure is returned:
   * the attempts are used up, the budget is spent, the wait would pass the time limit, or the
   * governor has no token for the retry.
   */
  decision: 'retry' | 'attempts-exhausted' | 'budget-exhausted' | 'time-limit' | 'quota';
  delayMs: number;
}

/**
 * Whether the retry loop may try again after this failure: exactly when the error says it is
 * `retryable` (the table in errors.ts), so what a client is told and what the loop does are
 * one rule: unreachable, timeout, HTTP 5xx (and 408/425/429), and 0429.
 */
export function isRetryableFailure(error: unknown): error is GatewayError {
  return error instanceof GatewayError && error.retryable;
}

/** Full jitter: uniform in [0, min(cap, base × 2^(retry-1))). */
export function backoffMs(retry: number, opts: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>): number {
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(Math.random() * ceiling);
}

/** Counts over a sliding window kept as a ring of slots: memory stays fixed whatever the traffic. */
class SlidingCount {
  static readonly SLOTS = 10;
  readonly #slotMs: number;
  readonly #counts = new Array<number>(SlidingCount.SLOTS).fill(0);
  /** The slot number (time / slotMs) that #counts[slot % SLOTS] currently holds, per index. */
  readonly #epochs = new Array<number>(SlidingCount.SLOTS).fill(-1);

  constructor(windowMs: number) {
    this.#slotMs = Math.max(1, Math.ceil(windowMs / SlidingCount.SLOTS));
  }

  add(now: number): void {
    const slot = Math.floor(now / this.#slotMs);
    const i = slot % SlidingCount.SLOTS;
    if (this.#epochs[i] !== slot) {
      this.#epochs[i] = slot;
      this.#counts[i] = 0;
    }
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
  }

  total(now: number): number {
    const current = Math.floor(now / this.#slotMs);
    let sum = 0;
    for (let i = 0; i < SlidingCount.SLOTS; i++) {
      const epoch = this.#epochs[i] ?? -1;
      if (epoch > current - SlidingCount.SLOTS) sum += this.#counts[i] ?? 0;
    }
    return sum;
  }
}

/**
 * Per-endpoint retry budget on this instance: a retry is allowed while the retries of the
 * window stay under `floor + percent% × requests of the window`.
 */
export class RetryBudget {
  readonly #opts: Pick<RetryOptions, 'budgetPercent' | 'budgetFloor' | 'budgetWindowMs'>;
  readonly #requests = new Map<Endpoint, SlidingCount>();
  readonly #retries = new Map<Endpoint, SlidingCount>();

  constructor(opts: Pick<RetryOptions, 'budgetPercent' | 'budgetFloor' | 'budgetWindowMs'>) {
    this.#opts = opts;
  }

  /** Counts a call (its first attempt). */
  recordRequest(endpoint: Endpoint, now = Date.now()): void {
    this.#counter(this.#requests, endpoint).add(now);
  }

  /** Takes one retry from the budget, or answers false when it is spent. */
  tryRetry(endpoint: Endpoint, now = Date.now()): boolean {
    const requests = this.#counter(this.#requests, endpoint).total(now);
    const retries = this.#counter(this.#retries, endpoint);
    const allowed = this.#opts.budgetFloor + (this.#opts.budgetPercent / 100) * requests;
    if (retries.total(now) >= allowed) return false;
    retries.add(now);
    return true;
  }

  #counter(map: Map<Endpoint, SlidingCount>, endpoint: Endpoint): SlidingCount {
    let counter = map.get(endpoint);
    if (!counter) {
      counter = new SlidingCount(this.#opts.budgetWindowMs);
      map.set(endpoint, counter);
    }
    return counter;
  }
}

export interface RetryRun<T> {
  endpoint: Endpoint;
  signal: AbortSignal | undefined;
  /** One attempt, given its number (1-based) and the time left for the whole call. */
  attempt: (attempt: number, timeLeftMs: number) => Promise<T>;
  /** Runs before each retry (the governor's token); a GatewayError from it ends the loop. */
  beforeRetry?: (signal: AbortSignal | undefined) => Promise<void>;
}

/** The loop: attempts, waits and the budget. One instance per transport. */
export class Retrier {
  readonly #opts: RetryOptions;
  readonly #budget: RetryBudget;
  readonly #onRetry: ((report: RetryReport) => void) | undefined;

  constructor(opts: RetryOptions, onRetry?: (report: RetryReport) => void) {
    this.#opts = opts;
    this.#budget = new RetryBudget(opts);
    this.#onRetry = onRetry;
  }

  async run<T>(run: RetryRun<T>): Promise<T> {
    const { endpoint, signal } = run;
    const deadline = performance.now() + this.#opts.maxElapsedMs;
    this.#budget.recordRequest(endpoint);
    for (let attempt = 1; ; attempt++) {
      let failure: unknown;
      try {
        return await run.attempt(attempt, deadline - performance.now());
      } catch (error) {
        failure = error;
      }
      if (!isRetryableFailure(failure) || signal?.aborted) throw failure;
      const report = (decision: RetryReport['decision'], delayMs: number) =>
        this.#onRetry?.({ endpoint, attempt, failure: failure.code, decision, delayMs });

      if (attempt >= this.#opts.maxAttempts) {
        report('attempts-exhausted', 0);
        throw failure;
      }
      // MAVI's Retry-After is a floor, not a hint: retrying sooner would only earn another 0429.
      const retryAfter = failure instanceof RateLimitedError ? failure.retryAfterSeconds : null;
      const delayMs =
        retryAfter !== null && retryAfter > 0 ? retryAfter * 1000 : backoffMs(attempt, this.#opts);
      if (delayMs >= deadline - performance.now()) {
        report('time-limit', delayMs);
        throw failure;
      }
      if (!this.#budget.tryRetry(endpoint)) {
        report('budget-exhausted', 0);
        throw failure;
      }
      // The caller going away mid-wait ends the call with its abort's reason, as an attempt would.
      await sleep(delayMs, undefined, { signal }).catch((error: unknown) => {
        throw signal?.aborted ? signal.reason : error;
      });
      if (run.beforeRetry) {
        try {
          await run.beforeRetry(signal);
        } catch (error) {
          if (!(error instanceof GatewayError)) throw error;
          // No token for the retry: MAVI's own answer is the one worth returning.
          report('quota', delayMs);
          throw failure;
        }
      }
      if (deadline - performance.now() <= 0) {
        report('time-limit', delayMs);
        throw failure;
      }
      report('retry', delayMs);
    }
  }
}
