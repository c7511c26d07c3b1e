import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Events between the sources of live updates (webhooks, pollers) and subscribers, on one
 * instance (an in-memory EventTarget) or across instances (Redis pub/sub through
 * @graphql-yoga/redis-event-target). Topics are per credential id, so an event can only reach
 * subscribers holding the same credential.
 */
export interface EventBus {
  publish(topic: string, payload: unknown): void;
  /** Listens from this moment on (not lazily on first read), so nothing published after it returns is missed. */
  subscribe<T>(topic: string): EventSubscription<T>;
}

/** Most events a slow subscriber may have waiting; older ones are dropped first. */
const MAX_QUEUED = 256;

/**
 * An async iterator over one topic with a small bounded queue. Written for this gateway
 * rather than using yoga's Repeater-based pubsub because the listener must be attached
 * before the ownership check runs, and each of tens of thousands of subscriptions should
 * cost a few hundred bytes.
 */
export class EventSubscription<T> implements AsyncIterableIterator<T> {
  #queue: T[] = [];
  #waiter: ((result: IteratorResult<T>) => void) | null = null;
  #closed = false;
  readonly #detach: () => void;

  constructor(target: EventTarget, topic: string) {
    const listener = (event: Event) => this.#push((event as CustomEvent<T>).detail);
    target.addEventListener(topic, listener);
    this.#detach = () => target.removeEventListener(topic, listener);
  }

  #push(value: T): void {
    if (this.#closed) return;
    if (this.#waiter) {
      const resolve = this.#waiter;
      this.#waiter = null;
      resolve({ value, done: false });
      return;
    }
    if (this.#queue.length >= MAX_QUEUED) this.#queue.shift();
    this.#queue.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#queue.length > 0) return Promise.resolve({ value: this.#queue.shift() as T, done: false });
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.#closed) {
      this.#closed = true;
      this.#detach();
      this.#queue = [];
      this.#waiter?.({ value: undefined, done: true });
      this.#waiter = null;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function busOver(target: EventTarget): EventBus {
  return {
    publish(topic, payload) {
      target.dispatchEvent(new CustomEvent(topic, { detail: payload }));
    },
    subscribe<T>(topic: string) {
      return new EventSubscription<T>(target, topic);
    },
  };
}

export function createMemoryBus(): EventBus {
  return busOver(new EventTarget());
}

/**
 * A bus over Redis. The event target library does not handle the promises ioredis returns,
 * so both clients are wrapped: a failed publish or subscribe is logged, never an unhandled
 * rejection that would take the process down.
 */
export function createRedisBus(publisher: Redis, subscriber: Redis, logger: Logger): EventBus {
  const report = (what: string) => (error: unknown) =>
    logger.warn({ err: (error as Error)?.message }, `Redis ${what} failed; live events may be delayed`);
  const publishClient = {
    publish: (channel: string, message: string) =>
      publisher.publish(channel, message).catch(report('publish')),
  } as unknown as Redis;
  const subscribeClient = {
    on: (event: string, listener: (...args: unknown[]) => void) => subscriber.on(event, listener),
    subscribe: (channel: string) => subscriber.subscribe(channel).catch(report('subscribe')),
    unsubscribe: (channel: string) => subscriber.unsubscribe(channel).catch(report('unsubscribe')),
  } as unknown as Redis;
  return busOver(createRedisEventTarget({ publishClient, subscribeClient }) as unknown as EventTarget);
}
