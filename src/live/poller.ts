import type { SpanContext } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { AccountDisabledError, UnauthorizedError } from '../mavi/errors.js';
import { inSpan, linksTo, tracingOn } from '../tracing.js';
import type { LiveState } from './state.js';

export interface PollTiming {
  /** First and shortest interval between polls. */
  minMs: number;
  /** Longest interval, reached by growing ×1.5 while nothing changes or polls fail. */
  maxMs: number;
  /** Lease period: how long a dead instance's polling stays orphaned at most. */
  leaseMs: number;
}

/** One poll. Returns true when it saw a change, which brings the interval back to the minimum. */
export type PollTick = (watched: ReadonlySet<string>) => Promise<boolean>;

/**
 * One shared polling loop (per credential for videos, per credential and task for
 * transcriptions), however many subscribers watch through it, and across instances only on
 * the instance holding its lease.
 *
 * Every lease period / 3 it records what its local subscribers watch and takes or renews the
 * lease; while it holds the lease it polls for the union of what every instance watches,
 * backing off from `minMs` to `maxMs` while nothing changes. Transient failures only back
 * off; 0401/0403 are final: `onFatal` tells subscribers and the loop stops.
 */
export class SharedPoller {
  readonly #name: string;
  readonly #state: LiveState;
  readonly #timing: PollTiming;
  readonly #tick: PollTick;
  readonly #onFatal: (error: UnauthorizedError | AccountDisabledError) => void;
  readonly #logger: Logger;
  readonly #watchers = new Map<number, readonly string[]>();
  /** With tracing on: each watcher's subscription span, which every poll links to. */
  readonly #links = new Map<number, SpanContext>();
  #nextWatcher = 0;
  #interval: number;
  #holding = false;
  #polling = false;
  #stopped = false;
  #pollTimer: NodeJS.Timeout | null = null;
  #leaseTimer: NodeJS.Timeout | null = null;
  readonly #onEmpty: () => void;

  constructor(opts: {
    name: string;
    state: LiveState;
    timing: PollTiming;
    tick: PollTick;
    onFatal: (error: UnauthorizedError | AccountDisabledError) => void;
    onEmpty: () => void;
    logger: Logger;
  }) {
    this.#name = opts.name;
    this.#state = opts.state;
    this.#timing = opts.timing;
    this.#tick = opts.tick;
    this.#onFatal = opts.onFatal;
    this.#onEmpty = opts.onEmpty;
    this.#logger = opts.logger;
    this.#interval = opts.timing.minMs;
  }

  /**
   * Adds a subscriber's interest; the returned function removes it. `link`: the subscription's
   * span, which the polls' traces link to.
   */
  watch(members: readonly string[], link: SpanContext | null = null): () => void {
    const id = this.#nextWatcher++;
    this.#watchers.set(id, members);
    if (link) this.#links.set(id, link);
    this.#interval = this.#timing.minMs;
    void this.#coordinate(true);
    return () => {
      this.#links.delete(id);
      if (!this.#watchers.delete(id)) return;
      if (this.#watchers.size === 0) this.stop();
    };
  }

  #localMembers(): string[] {
    const all = new Set<string>();
    for (const members of this.#watchers.values()) for (const m of members) all.add(m);
    return [...all];
  }

  /** Publishes local interest, takes or renews the lease, and starts polling when it holds it. */
  async #coordinate(pollNow = false): Promise<void> {
    if (this.#stopped) return;
    clearTimeout(this.#leaseTimer ?? undefined);
    try {
      await this.#state.setWatch(this.#name, this.#localMembers());
      this.#holding = await this.#state.holdLease(this.#name);
    } catch (error) {
      // Without Redis there is no knowing who polls; keep the previous answer and try again.
      this.#logger.warn({ err: (error as Error).message, poller: this.#name }, 'live state unavailable');
    }
    if (this.#stopped) return;
    this.#leaseTimer = setTimeout(() => void this.#coordinate(), Math.max(50, this.#timing.leaseMs / 3));
    this.#leaseTimer.unref();
    if (!this.#holding) {
      clearTimeout(this.#pollTimer ?? undefined);
      this.#pollTimer = null;
    } else if (pollNow || (this.#pollTimer === null && !this.#polling)) {
      this.#schedule(0);
    }
  }

  #schedule(ms: number): void {
    clearTimeout(this.#pollTimer ?? undefined);
    this.#pollTimer = setTimeout(() => void this.#poll(), ms);
    this.#pollTimer.unref();
  }

  async #poll(): Promise<void> {
    this.#pollTimer = null;
    if (this.#stopped || !this.#holding || this.#polling) return;
    this.#polling = true;
    try {
      const watched = await this.#state.readWatch(this.#name);
      for (const m of this.#localMembers()) watched.add(m);
      const changed = tracingOn()
        ? await inSpan(
            `live poll ${this.#name.split(':')[0]}`,
            { 'live.poll.watched': watched.size, 'live.poll.subscribers': this.#watchers.size },
            () => this.#tick(watched),
            // Its own trace, not the child of whatever happened to start the timer.
            { root: true, links: linksTo(this.#links.values()) },
          )
        : await this.#tick(watched);
      this.#interval = changed ? this.#timing.minMs : this.#grow();
    } catch (error) {
      if (error instanceof UnauthorizedError || error instanceof AccountDisabledError) {
        this.#onFatal(error);
        this.stop();
        return;
      }
      // Transient: MAVI down, timing out, rate limiting. Subscribers do not hear of it.
      this.#logger.debug({ err: (error as Error).message, poller: this.#name }, 'poll failed; backing off');
      this.#interval = this.#grow();
    } finally {
      this.#polling = false;
    }
    if (!this.#stopped && this.#holding) this.#schedule(this.#interval);
  }

  #grow(): number {
    return Math.min(this.#timing.maxMs, Math.round(this.#interval * 1.5));
  }

  /** Stops polling, withdraws this instance's interest and lease so another can take over. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#pollTimer ?? undefined);
    clearTimeout(this.#leaseTimer ?? undefined);
    this.#watchers.clear();
    this.#links.clear();
    const held = this.#holding;
    this.#holding = false;
    void Promise.all([
      this.#state.clearWatch(this.#name),
      held ? this.#state.releaseLease(this.#name) : null,
    ]).catch(() => {});
    this.#onEmpty();
  }
}
