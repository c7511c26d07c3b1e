import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * What the live-update machinery must agree on across gateway instances:
 * - the last status seen for each watched thing, so an event goes out only on a change
 *   (callbacks and pollers on any instance compare against the same value), and never
 *   backwards from a final one;
 * - what each callback URL was issued for (the video or task MAVI named);
 * - who polls for a credential (a lease, so pollers are not duplicated);
 * - what every instance's subscribers watch (so the lease holder polls for all of them).
 * One instance keeps it in memory; several keep it in Redis.
 */
export interface LiveState {
  readonly instanceId: string;
  /**
   * Stores `value` unless what is stored is one of `finals` (a state that never moves back:
   * a parsed video, a finished transcription); says whether the stored value changed, and
   * what it was.
   */
  advance(
    key: string,
    value: string,
    finals: readonly string[],
  ): Promise<{ changed: boolean; previous: string | null }>;
  /** Stores `value` only if nothing is stored yet (a baseline that must not override news). */
  seed(key: string, value: string): Promise<void>;
  get(key: string): Promise<string | null>;
  /** Stores `value` under `key` for `ttlMs` (callback URL bindings). */
  bind(key: string, value: string, ttlMs: number): Promise<void>;
  /** Takes or renews the named lease for this instance; true while this instance holds it. */
  holdLease(name: string): Promise<boolean>;
  releaseLease(name: string): Promise<void>;
  /** Records what this instance's subscribers watch in a group (replacing its last record). */
  setWatch(group: string, members: readonly string[]): Promise<void>;
  clearWatch(group: string): Promise<void>;
  /** Everything any live instance watches in a group. */
  readWatch(group: string): Promise<Set<string>>;
}

/** How long a remembered status lives without being touched: a day covers any parse. */
const STATUS_TTL_MS = 24 * 60 * 60 * 1000;
/** Most statuses one instance remembers in memory; the oldest go first. */
const MEMORY_STATUS_CAP = 200_000;

export class MemoryLiveState implements LiveState {
  readonly instanceId = randomUUID();
  readonly #values = new Map<string, string>();
  /** Callback bindings, oldest first (they are written once, with one lifetime). */
  readonly #bindings = new Map<string, { value: string; expires: number }>();
  readonly #watch = new Map<string, Set<string>>();

  async advance(key: string, value: string, finals: readonly string[]) {
    const previous = this.#values.get(key) ?? null;
    if (previous !== null && finals.includes(previous)) return { changed: false, previous };
    this.#remember(key, value);
    return { changed: previous !== value, previous };
  }

  async seed(key: string, value: string) {
    if (!this.#values.has(key)) this.#remember(key, value);
  }

  async get(key: string) {
    const binding = this.#bindings.get(key);
    if (binding) {
      if (binding.expires > Date.now()) return binding.value;
      this.#bindings.delete(key);
    }
    return this.#values.get(key) ?? null;
  }

  async bind(key: string, value: string, ttlMs: number) {
    this.#bindings.delete(key);
    this.#bindings.set(key, { value, expires: Date.now() + ttlMs });
    if (this.#bindings.size > MEMORY_STATUS_CAP) {
      const oldest = this.#bindings.keys().next().value;
      if (oldest !== undefined) this.#bindings.delete(oldest);
    }
  }

  #remember(key: string, value: string) {
    this.#values.delete(key);
    this.#values.set(key, value);
    if (this.#values.size > MEMORY_STATUS_CAP) {
      const oldest = this.#values.keys().next().value;
      if (oldest !== undefined) this.#values.delete(oldest);
    }
  }

  async holdLease() {
    return true;
  }

  async releaseLease() {}

  async setWatch(group: string, members: readonly string[]) {
    this.#watch.set(group, new Set(members));
  }

  async clearWatch(group: string) {
    this.#watch.delete(group);
  }

  async readWatch(group: string) {
    return new Set(this.#watch.get(group) ?? []);
  }
}

/** KEYS[1]: the state; ARGV[1]: the new value, ARGV[2]: its lifetime, ARGV[3..]: final values. */
const ADVANCE = `
local previous = redis.call('GET', KEYS[1])
if previous then
  for i = 3, #ARGV do
    if previous == ARGV[i] then return {0, previous} end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if previous == ARGV[1] then return {0, previous} end
return {1, previous or false}`;

const HOLD = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Live state in Redis. Leases expire after `leaseMs` unless renewed, so when an instance dies
 * another takes its pollers over within one lease period. Watch records carry the time they
 * were written and are ignored once older than three lease periods (their instance is gone).
 */
export class RedisLiveState implements LiveState {
  readonly instanceId = randomUUID();
  readonly #redis: Redis;
  readonly #leaseMs: number;
  readonly #prefix = 'mavi-gw:live:';

  constructor(redis: Redis, leaseMs: number) {
    this.#redis = redis;
    this.#leaseMs = leaseMs;
  }

  async advance(key: string, value: string, finals: readonly string[]) {
    const [changed, previous] = (await this.#redis.eval(
      ADVANCE,
      1,
      this.#prefix + key,
      value,
      STATUS_TTL_MS,
      ...finals,
    )) as [number, string | null];
    return { changed: changed === 1, previous: previous || null };
  }

  async seed(key: string, value: string) {
    await this.#redis.set(this.#prefix + key, value, 'PX', STATUS_TTL_MS, 'NX');
  }

  async get(key: string) {
    return this.#redis.get(this.#prefix + key);
  }

  async bind(key: string, value: string, ttlMs: number) {
    await this.#redis.set(this.#prefix + key, value, 'PX', ttlMs);
  }

  async holdLease(name: string) {
    const held = await this.#redis.eval(
      HOLD,
      1,
      `${this.#prefix}lease:${name}`,
      this.instanceId,
      this.#leaseMs,
    );
    return held === 1;
  }

  async releaseLease(name: string) {
    await this.#redis.eval(RELEASE, 1, `${this.#prefix}lease:${name}`, this.instanceId);
  }

  async setWatch(group: string, members: readonly string[]) {
    const key = `${this.#prefix}watch:${group}`;
    await this.#redis
      .multi()
      .hset(key, this.instanceId, JSON.stringify({ at: Date.now(), members }))
      .pexpire(key, this.#leaseMs * 3)
      .exec();
  }

  async clearWatch(group: string) {
    await this.#redis.hdel(`${this.#prefix}watch:${group}`, this.instanceId);
  }

  async readWatch(group: string) {
    const entries = await this.#redis.hgetall(`${this.#prefix}watch:${group}`);
    const fresh = Date.now() - this.#leaseMs * 3;
    const members = new Set<string>();
    for (const raw of Object.values(entries)) {
      try {
        const entry = JSON.parse(raw) as { at: number; members: string[] };
        if (entry.at >= fresh) for (const m of entry.members) members.add(m);
      } catch {
        // A record this version cannot read is someone else's concern.
      }
    }
    return members;
  }
}
