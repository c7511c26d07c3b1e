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
import {
  createDocumentRedis,
  type DocumentStore,
  MemoryDocumentStore,
  RedisDocumentStore,
  TrustedDocuments,
} from './persisted-documents.js';
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
   * Persisted documents: APQ's store (in memory, or shared through Redis with REDIS_URL;
   * null when APQ=false) and the trusted manifests of TRUSTED_DOCUMENTS (null when none).
   */
  documents: {
    apq: DocumentStore | null;
    trusted: { documents: TrustedDocuments; mode: 'log' | 'enforce' } | null;
  };
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
  // First: a manifest that does not load stops the start before anything is opened.
  const trusted =
    config.trustedDocuments.files.length > 0
      ? {
          documents: TrustedDocuments.load(config.trustedDocuments.files),
          mode: config.trustedDocuments.mode,
        }
      : null;
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
    onGovernorEvent: (event) => {
      metrics.observeGovernor(event);
      opts.onGovernorEvent?.(event);
    },
    onRetry: (report) => {
      metrics.observeRetry(report);
      opts.onUpstreamRetry?.(report);
    },
    onCoalesced: metrics.observeCoalesced,
  });
  const governor = transport.governor;
  if (governor) {
    metrics.setGovernorQueueSource(() => governor.snapshot().queued);
    metrics.setQuotaStoreSource(() => governor.snapshot().store);
  }
  const live = createLive(config, transport, logger, metrics);
  // Its own fail-fast connection: a lookup must never wait behind live updates' traffic.
  const documentRedis =
    config.redisUrl && config.apq.enabled ? createDocumentRedis(config.redisUrl, logger) : null;
  const apqOptions = { maxBytes: config.apq.cacheBytes, maxDocumentBytes: config.apq.maxDocumentBytes };
  const apq = !config.apq.enabled
    ? null
    : documentRedis
      ? new RedisDocumentStore(documentRedis, { ...apqOptions, ttlSeconds: config.apq.ttlSeconds, logger })
      : new MemoryDocumentStore(apqOptions);

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
    documents: { apq, trusted },
    readiness,
    stopping: stopping.signal,
    beginShutdown: () => stopping.abort(),
    close: async () => {
      stopping.abort();
      await live.close();
      transport.close();
      quotaRedis?.disconnect();
      documentRedis?.disconnect();
    },
  };
}
