import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createLive } from './live/index.js';
import type { LiveService } from './live/live.js';
import { createLogger, logUpstreamAttempt } from './logger.js';
import type { GovernorEvent } from './mavi/governor.js';
import { createQuotaRedis, RedisQuotaStore } from './mavi/quota-redis.js';
import type { RetryReport } from './mavi/retry.js';
import { type AttemptReport, MaviTransport } from './mavi/transport.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import type { ReadinessCheck } from './plugins/use-readiness.js';

/** Long-lived parts every request shares. None of them holds a credential. */
export interface Services {
  config: Config;
  logger: Logger;
  /** The only way to MAVI: governor, retries and coalescing inside (src/mavi/transport.ts). */
  transport: MaviTransport;
  /** Prometheus metrics, this gateway's own registry (GET /metrics). */
  metrics: GatewayMetrics;
  /** Subscriptions' sources (pollers, callbacks, the event bus) and the callback URLs handed to MAVI. */
  live: LiveService;
  /**
   * What GET /ready checks, read at each request: code that depends on something (Redis)
   * pushes its check here when it starts. Empty means ready.
   */
  readiness: ReadinessCheck[];
  /**
   * Aborted when the gateway begins to shut down: open status and transcription
   * subscriptions complete, and /ready answers 503.
   */
  stopping: AbortSignal;
  /**
   * First step of a graceful shutdown: /ready turns 503 and open status and transcription
   * subscriptions complete (chat streams and requests in flight carry on).
   */
  beginShutdown(): void;
  /** Releases what the services hold (pollers, Redis, queued quota waits); the HTTP server is the caller's. */
  close(): Promise<void>;
}

export interface ServicesOptions {
  /** MAVI's origin: the configured one, or the embedded simulator's. */
  maviBaseUrl: string;
  /** Default: a pino logger at `config.logLevel` on stdout. */
  logger?: Logger;
  /** Observes every upstream attempt (tests, extra telemetry), after the gateway's own metrics and log. */
  onUpstreamAttempt?: (attempt: AttemptReport) => void;
  /** Observes every quota decision; never sees the credential. */
  onGovernorEvent?: (event: GovernorEvent) => void;
  /** Observes every retry decision after a failed read. */
  onUpstreamRetry?: (report: RetryReport) => void;
}

/**
 * The composition root: builds every long-lived part from the configuration and wires them
 * together (transport with its governor and Redis quota store, live updates, metrics,
 * readiness). Nothing here knows about yoga; src/yoga.ts serves these over HTTP.
 */
export function createServices(config: Config, opts: ServicesOptions): Services {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const metrics = createMetrics();
  // Quota buckets shared by every instance; its own connection (pub/sub needs another).
  const quotaRedis =
    config.redisUrl && config.governor.enabled ? createQuotaRedis(config.redisUrl, logger) : null;
  const transport = new MaviTransport({
    baseUrl: opts.maviBaseUrl,
    timeoutMs: config.timeoutMs,
    // The gateway's metrics and log first: a caller's observer that throws must not hide an attempt.
    onAttempt: (attempt) => {
      metrics.observeUpstream(attempt);
      logUpstreamAttempt(logger, attempt);
      opts.onUpstreamAttempt?.(attempt);
    },
    retry: config.retry,
    coalesce: config.coalesce,
    governor: config.governor.enabled
      ? { ...config.governor, ...(quotaRedis ? { store: new RedisQuotaStore(quotaRedis, logger) } : {}) }
      : undefined,
    onGovernorEvent: opts.onGovernorEvent,
    onRetry: opts.onUpstreamRetry,
  });
  const governor = transport.governor;
  if (governor) metrics.setGovernorQueueSource(() => governor.snapshot().queued);
  const live = createLive(config, transport, logger, metrics);

  const stopping = new AbortController();
  const readiness: ReadinessCheck[] = [];
  // Ready means Redis answers when it is configured: without it, events stop crossing
  // instances and quota buckets stop being shared.
  const liveRedis = live.redis;
  if (liveRedis) readiness.push({ name: 'redis', check: async () => void (await liveRedis.ping()) });
  readiness.push({
    name: 'accepting',
    check: async () => {
      if (stopping.signal.aborted) throw new Error('shutting down');
    },
  });

  return {
    config,
    logger,
    transport,
    metrics,
    live: live.service,
    readiness,
    stopping: stopping.signal,
    beginShutdown: () => stopping.abort(),
    close: async () => {
      stopping.abort();
      await live.close();
      transport.close();
      quotaRedis?.disconnect();
    },
  };
}
