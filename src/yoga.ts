import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type Context, createContextFactory, type Services } from './context.js';
import { documentCaches } from './document-cache.js';
import { graphiqlTabs } from './graphiql.js';
import { createLive } from './live/index.js';
import { createLogger, logUpstreamAttempt, yogaLogger } from './logger.js';
import type { GovernorEvent } from './mavi/governor.js';
import { createQuotaRedis, RedisQuotaStore } from './mavi/quota-redis.js';
import type { RetryReport } from './mavi/retry.js';
import { type AttemptReport, MaviTransport } from './mavi/transport.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { useBatchLimit } from './plugins/use-batch-limit.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useCostLimit } from './plugins/use-cost-limit.js';
import { useCSRFPrevention } from './plugins/use-csrf-prevention.js';
import { useDisableIntrospection } from './plugins/use-disable-introspection.js';
import { useHotJit } from './plugins/use-hot-jit.js';
import { useMetricsEndpoint } from './plugins/use-metrics-endpoint.js';
import { useOperationTelemetry } from './plugins/use-operation-telemetry.js';
import { useQueryLimits } from './plugins/use-query-limits.js';
import { useQueryStringJson } from './plugins/use-query-string-json.js';
import { useReadiness } from './plugins/use-readiness.js';
import { useStreamingUploads } from './plugins/use-streaming-uploads.js';
import { schema } from './schema/index.js';

export interface GatewayOptions {
  config: Config;
  /** MAVI's origin: the configured one, or the embedded simulator's. */
  maviBaseUrl: string;
  logger?: Logger;
  /** Headers GraphiQL opens with (the demo credential when running on the simulator). */
  graphiqlHeaders?: Record<string, string>;
  /** Observes every upstream attempt (tests, extra telemetry), after the gateway's own metrics and log. */
  onUpstreamAttempt?: (attempt: AttemptReport) => void;
  /** Observes every quota decision (metrics, tests); never sees the credential. */
  onGovernorEvent?: (event: GovernorEvent) => void;
  /** Observes every retry decision after a failed read (metrics, tests). */
  onUpstreamRetry?: (report: RetryReport) => void;
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  services: Services;
  /** This gateway's Prometheus metrics (also `services.metrics`, served at GET /metrics). */
  metrics: GatewayMetrics;
  /**
   * First step of a graceful shutdown: /ready turns 503 and open status and transcription
   * subscriptions complete (chat streams and requests in flight carry on).
   */
  beginShutdown(): void;
  /** Releases what the gateway holds (pollers, Redis); the HTTP server is the caller's. */
  close(): Promise<void>;
}

/** Most files in one multipart request; uploadVideo takes one, a batch a few. */
const MAX_FILES = 10;
/** Largest `operations`/`map` multipart field. */
const MAX_MULTIPART_FIELD_BYTES = 1024 * 1024;

/** Builds the gateway: services, context per request, and yoga with its plugins. */
export function createGateway(opts: GatewayOptions): Gateway {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.logLevel);
  // Quota buckets shared by every instance; its own connection (pub/sub needs another).
  const quotaRedis =
    config.redisUrl && config.governor.enabled ? createQuotaRedis(config.redisUrl, logger) : null;
  const metrics = createMetrics();
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
  const live = createLive(config, transport, logger);
  const governor = transport.governor;
  if (governor) metrics.setGovernorQueueSource(() => governor.snapshot().queued);
  if (governor) metrics.setQuotaStoreSource(() => governor.snapshot().store);
  const stopping = new AbortController();
  const services: Services = {
    stopping: stopping.signal,
    config,
    logger,
    transport,
    metrics,
    readiness: [],
    live: live.service,
    callbacks: live.service,
  };
  // Ready means Redis answers when it is configured: without it, events stop crossing
  // instances and quota buckets stop being shared.
  const liveRedis = live.redis;
  if (liveRedis) services.readiness.push({ name: 'redis', check: async () => void (await liveRedis.ping()) });
  services.readiness.push({
    name: 'accepting',
    check: async () => {
      if (stopping.signal.aborted) throw new Error('shutting down');
    },
  });

  const graphiqlHeaders = opts.graphiqlHeaders ?? { Authorization: '<your MAVI API key>' };
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: createContextFactory(services) as never,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Unexpected errors become "Unexpected error." with no original message or stack, even
    // when NODE_ENV=development (yoga's dev mode would echo them, credentials included).
    maskedErrors: { isDev: false },
    logging: yogaLogger(logger),
    cors: corsOptions(config.corsOrigins),
    // A JSON array of operations; useBatchLimit refuses a longer one first, in its own words.
    batching: config.limits.batchOperations > 0 ? { limit: config.limits.batchOperations } : false,
    graphiql: config.graphiql
      ? {
          title: 'MAVI GraphQL gateway',
          defaultTabs: graphiqlTabs(graphiqlHeaders),
          // GraphiQL fills its first tab from here rather than from defaultTabs.
          headers: JSON.stringify(graphiqlHeaders, null, 2),
          subscriptionsProtocol: 'SSE',
        }
      : false,
    renderGraphiQL,
    // Yoga's own document caches have no bound on size (see document-cache.ts).
    parserAndValidationCache: documentCaches(),
    // Replaced by useBodyLimit (queries) and the upload parser (files): one cap cannot fit both.
    maxRequestBodySize: false,
    plugins: [
      live.webhooks,
      useReadiness({ checks: services.readiness, logger }),
      useMetricsEndpoint(metrics),
      useOperationTelemetry({ logger, metrics }),
      useCSRFPrevention(),
      useQueryStringJson(),
      useBatchLimit(config.limits.batchOperations),
      useQueryLimits(config.limits),
      useCostLimit(config.limits.cost),
      useHotJit(),
      ...(config.introspection ? [] : [useDisableIntrospection()]),
      useBodyLimit(config.limits.bodyBytes),
      useStreamingUploads({
        maxFileBytes: config.maxUploadBytes,
        maxFiles: MAX_FILES,
        maxFieldBytes: MAX_MULTIPART_FIELD_BYTES,
      }),
    ],
  });

  return {
    yoga,
    services,
    metrics,
    beginShutdown: () => stopping.abort(),
    close: async () => {
      stopping.abort();
      await live.close();
      transport.close();
      quotaRedis?.disconnect();
    },
  };
}

/**
 * Yoga's CORS answers a disallowed origin with `Access-Control-Allow-Origin: null` when
 * several origins are configured, which a sandboxed iframe (whose origin is "null") would
 * match. Here a disallowed origin gets no CORS headers at all.
 */
function corsOptions(origins: Config['corsOrigins']) {
  if (origins === null) return false as const;
  if (origins === '*') return { origin: '*', credentials: false };
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.has(origin)
      ? { origin: [origin], credentials: false }
      : (false as const);
  };
}
