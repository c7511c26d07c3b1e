import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { MaviTransport } from '../mavi/transport.js';
import type { GatewayMetrics } from '../metrics.js';
import { CallbackSigner } from './callbacks.js';
import { createMemoryBus, createRedisBus } from './events.js';
import { LiveService } from './live.js';
import { MemoryLiveState, RedisLiveState } from './state.js';

export interface Live {
  service: LiveService;
  /** The Redis connection of live updates, when configured (for readiness checks). */
  redis: Redis | null;
  close(): Promise<void>;
}

/**
 * Live updates on one instance (in-memory bus and state) or, with REDIS_URL, across
 * instances: events over Redis pub/sub, statuses, leases, watch lists and callback bindings in
 * Redis. Redis pub/sub needs a connection of its own for subscribing.
 */
export function createLive(
  config: Config,
  transport: MaviTransport,
  logger: Logger,
  metrics: GatewayMetrics,
): Live {
  const signer = new CallbackSigner(config.webhookSecret);
  let redis: Redis | null = null;
  let subscriber: Redis | null = null;
  if (config.redisUrl) {
    const options = { maxRetriesPerRequest: 2, lazyConnect: false, connectionName: 'mavi-gw-live' };
    redis = new Redis(config.redisUrl, options);
    subscriber = new Redis(config.redisUrl, { ...options, connectionName: 'mavi-gw-live-sub' });
    for (const client of [redis, subscriber]) {
      client.on('error', (error: Error) =>
        logger.warn({ err: error.message }, 'live Redis connection error'),
      );
    }
  } else if (!config.webhookSecret) {
    logger.info('WEBHOOK_SECRET is not set: callback URLs are signed with a key made at start.');
  }
  const service = new LiveService({
    bus: redis && subscriber ? createRedisBus(redis, subscriber, logger) : createMemoryBus(),
    state: redis ? new RedisLiveState(redis, config.leaseMs) : new MemoryLiveState(),
    transport,
    timing: { minMs: config.pollMinMs, maxMs: config.pollMaxMs, leaseMs: config.leaseMs },
    signer,
    publicBaseUrl: config.publicBaseUrl,
    logger,
    metrics,
  });
  return {
    service,
    redis,
    async close() {
      service.close();
      await Promise.all([redis, subscriber].map((client) => client?.quit().catch(() => client.disconnect())));
    },
  };
}
