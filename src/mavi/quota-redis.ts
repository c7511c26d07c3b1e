import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { MemoryQuotaStore, type QuotaStore, type QuotaWindow } from './governor.js';

/**
 * The governor's buckets in Redis, so every gateway instance spends the same per-credential
 * budget (MAVI counts a credential's requests, not an instance's).
 *
 * One Lua script per acquisition refills and takes atomically across the minute and day
 * windows, using Redis's clock so instances with skewed clocks agree. Keys are
 * `mavi-gw:quota:{<credential id>:<bucket>}:<window>` with a TTL of one window: a bucket idle
 * that long is full again, which is what a missing key means.
 *
 * Fail open: if Redis is down, slow or erroring, the acquisition falls back to this
 * instance's in-memory buckets and a warning is logged. Requests must not fail because the
 * quota store did; the cost is that, while Redis is away, each instance enforces the limits
 * alone (N instances may together send up to N× the limit, and MAVI's 0429 remains the
 * backstop).
 */

const SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local take = ARGV[1] == '1'
local need = tonumber(ARGV[2])
local levels = {}
local wait = 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  local rate = limit / window
  local state = redis.call('HMGET', KEYS[i], 't', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = limit
  else
    tokens = math.min(limit, tokens + math.max(0, now - at) * rate)
  end
  levels[i] = tokens
  if tokens < need then
    local w = math.ceil((need - tokens) / rate)
    if w > wait then wait = w end
  end
end
if not take or wait > 0 then return wait end
for i = 1, #KEYS do
  redis.call('HSET', KEYS[i], 't', tostring(levels[i] - 1), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[i], ARGV[2 + 2 * i])
end
return 0
`;
const SHA = createHash('sha1').update(SCRIPT).digest('hex');

/** How often, at most, the same Redis trouble is logged again. */
const LOG_EVERY_MS = 30_000;

type WarnLogger = Pick<Logger, 'warn' | 'info'>;

export class RedisQuotaStore implements QuotaStore {
  readonly #redis: Redis;
  readonly #fallback = new MemoryQuotaStore();
  readonly #logger: WarnLogger | undefined;
  /** The last acquisition fell open (until one succeeds on Redis again). */
  #failing = false;
  #lastWarn = 0;
  #fallbacks = 0;

  constructor(redis: Redis, logger?: WarnLogger) {
    this.#redis = redis;
    this.#logger = logger;
  }

  get state(): 'redis' | 'redis-unavailable' {
    return this.#redis.status === 'ready' && !this.#failing ? 'redis' : 'redis-unavailable';
  }

  async acquire(windows: readonly QuotaWindow[], need: number, take: boolean): Promise<number> {
    // Not connected: answer from memory at once rather than queue behind a reconnect.
    if (this.#redis.status !== 'ready')
      return this.#fallOpen(windows, need, take, `Redis is ${this.#redis.status}`);
    const keys = windows.map((w) => w.key);
    const args = [
      take ? '1' : '0',
      String(need),
      ...windows.flatMap((w) => [String(w.limit), String(w.windowMs)]),
    ];
    try {
      const wait = Number(await this.#eval(keys, args));
      if (this.#failing) {
        this.#failing = false;
        this.#logger?.info(
          { fallbacks: this.#fallbacks },
          'MAVI quota store: Redis is back; buckets are shared again',
        );
        this.#fallbacks = 0;
      }
      return Number.isFinite(wait) && wait > 0 ? wait : 0;
    } catch (error) {
      return this.#fallOpen(windows, need, take, error instanceof Error ? error.message : String(error));
    }
  }

  /** EVALSHA, loading the script with EVAL when this Redis has not seen it (restart, failover). */
  async #eval(keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#redis.evalsha(SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await this.#redis.eval(SCRIPT, keys.length, ...keys, ...args);
    }
  }

  #fallOpen(windows: readonly QuotaWindow[], need: number, take: boolean, reason: string): number {
    this.#fallbacks += 1;
    const now = Date.now();
    if (!this.#failing || now - this.#lastWarn >= LOG_EVERY_MS) {
      this.#lastWarn = now;
      this.#logger?.warn(
        { reason, fallbacks: this.#fallbacks },
        'MAVI quota store: Redis unavailable, enforcing limits per instance from memory (fail open)',
      );
    }
    this.#failing = true;
    return this.#fallback.acquire(windows, need, take);
  }
}

/**
 * The Redis connection for quotas only (pub/sub needs its own). Set to fail fast: no offline
 * queue and a short command timeout, so a down or stalled Redis costs a request at most
 * 250 ms before the store falls open, never a queue of stuck commands. It reconnects in the
 * background. The URL may hold a password: it is never logged.
 */
export function createQuotaRedis(url: string, logger?: WarnLogger): Redis {
  const redis = new Redis(url, {
    connectionName: 'mavi-gw-quota',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 250,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  let lastWarn = 0;
  // Without a listener ioredis prints every failed reconnect; one warning per interval is enough.
  redis.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastWarn < LOG_EVERY_MS) return;
    lastWarn = now;
    logger?.warn({ reason: error.message }, 'MAVI quota Redis connection error');
  });
  return redis;
}
