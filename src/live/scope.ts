import type { Gauge } from 'prom-client';

/** What waits on a signal every subscription shares (the gateway's shutdown), by signal. */
const sharedWaiters = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `stop` when a signal shared by every subscription aborts, through one listener on the
 * signal for all of them. Node's EventTarget walks every listener already added on each
 * addEventListener and removeEventListener, so ten thousand subscriptions listening on one
 * signal directly cost O(n²): seconds of CPU as they open and close.
 */
function onSharedAbort(signal: AbortSignal, stop: () => void): () => void {
  let waiters = sharedWaiters.get(signal);
  if (!waiters) {
    const set = new Set<() => void>();
    waiters = set;
    sharedWaiters.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const waiter of [...set]) waiter();
        set.clear();
      },
      { once: true },
    );
  }
  const mine = waiters;
  mine.add(stop);
  return () => void mine.delete(stop);
}

export interface ScopeOptions {
  /** The subscription's root field, the `operation` label of the active-subscriptions gauge. */
  operation: string;
  /** The request's signal: a closed SSE connection, a WebSocket complete or disconnect. */
  request: AbortSignal;
  /** Aborted at shutdown; given for watch-type subscriptions, which would otherwise never end. */
  shutdown?: AbortSignal | undefined;
  /** mavi_gateway_subscriptions_active, counted from open to dispose. */
  active: Gauge<'operation'>;
}

/**
 * The life of one subscription: `signal` aborts when the subscriber goes away (or the gateway
 * shuts down, for watch-type subscriptions), so whatever the subscription waits on (events,
 * an upstream stream) is released at once rather than at its next event; `defer` registers
 * what to release, and `dispose` (in the subscription's `finally`) releases it, last first.
 */
export class SubscriptionScope {
  readonly #controller = new AbortController();
  readonly #cleanups: (() => void)[] = [];
  readonly #options: ScopeOptions;
  #disposed = false;

  constructor(options: ScopeOptions) {
    this.#options = options;
    options.active.inc({ operation: options.operation });
    const stop = () => this.#controller.abort();
    const { request, shutdown } = options;
    if (request.aborted || shutdown?.aborted) {
      stop();
      return;
    }
    request.addEventListener('abort', stop, { once: true });
    this.defer(() => request.removeEventListener('abort', stop));
    if (shutdown) this.defer(onSharedAbort(shutdown, stop));
  }

  /** Aborts when the subscriber is gone (or at shutdown when asked). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Runs `fn` now if the scope is already gone, else when it is aborted. */
  onAbort(fn: () => void): void {
    if (this.signal.aborted) {
      fn();
      return;
    }
    this.signal.addEventListener('abort', fn, { once: true });
    this.defer(() => this.signal.removeEventListener('abort', fn));
  }

  /** Registers a release for {@link dispose}. */
  defer(fn: () => void): void {
    this.#cleanups.push(fn);
  }

  /** Releases everything registered, last first, and stops counting the subscription. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#controller.abort();
    for (let i = this.#cleanups.length - 1; i >= 0; i--) this.#cleanups[i]?.();
    this.#cleanups.length = 0;
    this.#options.active.dec({ operation: this.#options.operation });
  }
}
