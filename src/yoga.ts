import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { TOKEN_HEADER_KEY } from 'graphql-sse';
import { createYoga as createYogaServer, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.js';
import { createContext, type RequestContext, type ServerContext } from './context.js';
import { documentCaches } from './document-cache.js';
import { type LaneCounts, withFastLane } from './fast-lane.js';
import { graphiqlTabs } from './graphiql.js';
import { useMaviWebhooks } from './live/webhooks.js';
import { yogaLogger } from './logger.js';
import { useBatchLimit } from './plugins/use-batch-limit.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useCostLimit } from './plugins/use-cost-limit.js';
import { DEFAULT_PREFLIGHT_HEADERS, useCSRFPrevention } from './plugins/use-csrf-prevention.js';
import { useDisableIntrospection } from './plugins/use-disable-introspection.js';
import { useHotJit } from './plugins/use-hot-jit.js';
import { useIncrementalFallback } from './plugins/use-incremental-fallback.js';
import { useMaskIncrementalErrors } from './plugins/use-mask-incremental-errors.js';
import { useMetricsEndpoint } from './plugins/use-metrics-endpoint.js';
import { useMultipartSubscriptions } from './plugins/use-multipart-subscriptions.js';
import { useOperationTelemetry } from './plugins/use-operation-telemetry.js';
import { DOCUMENT_ID_PARAM, usePersistedDocuments } from './plugins/use-persisted-documents.js';
import { useQueryLimits } from './plugins/use-query-limits.js';
import { useQueryStringJson } from './plugins/use-query-string-json.js';
import { useReadiness } from './plugins/use-readiness.js';
import { useSseSingleConnection } from './plugins/use-sse-single-connection.js';
import { useStreamingUploads } from './plugins/use-streaming-uploads.js';
import { useVariableCheck } from './plugins/use-variable-check.js';
import { useVaryOrigin } from './plugins/use-vary-origin.js';
import { schema } from './schema/index.js';
import type { Services } from './services.js';
import { tracingOn } from './tracing.js';

export interface YogaOptions {
  /** Headers GraphiQL opens with (the demo credential when running on the simulator). */
  graphiqlHeaders?: Record<string, string>;
  /**
   * How long a graphql-sse reservation waits for its stream. Default 30000 ms (see
   * useSseSingleConnection); tests shorten it.
   */
  sseReservationTtlMs?: number;
  /** Counts what the fast lane served and handed to yoga (tests check the lane was taken). */
  laneCounts?: LaneCounts;
}

/** The gateway's GraphQL server: yoga with the context per request and the plugins. */
export type GatewayYoga = YogaServerInstance<ServerContext, RequestContext>;

/** Most files in one multipart request; uploadVideo takes one, a batch a few. */
const MAX_FILES = 10;
/** Largest `operations`/`map` multipart field. */
const MAX_MULTIPART_FIELD_BYTES = 1024 * 1024;

/**
 * Yoga and its plugins over the services (src/services.ts builds those): the HTTP face of the
 * gateway. Tests call `yoga.fetch(...)` without a socket; server.ts hands it to node:http. With
 * FAST_LANE (the default) both go through the fast lane first (src/fast-lane.ts).
 */
export function createYoga(services: Services, opts: YogaOptions = {}): GatewayYoga {
  const { config, logger, metrics } = services;
  const graphiqlHeaders = opts.graphiqlHeaders ?? { Authorization: '<your MAVI API key>' };
  const yoga = createYogaServer<ServerContext, RequestContext>({
    schema,
    context: createContext(services),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Unexpected errors become "Unexpected error." with no original message or stack, even
    // when NODE_ENV=development (yoga's dev mode would echo them, credentials included).
    maskedErrors: { isDev: false },
    logging: yogaLogger(logger),
    cors: corsOptions(config),
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
    // GraphQL over HTTP's persisted documents send `documentId` instead of `query`.
    extraParamNames: [DOCUMENT_ID_PARAM],
    plugins: [
      // @defer and @stream, delivered as multipart/mixed (Apollo Client, urql) or over SSE.
      useDeferStream(),
      useIncrementalFallback(),
      useMaskIncrementalErrors({ logger }),
      useMaviWebhooks({ live: services.live, logger }),
      useReadiness({ checks: services.readiness, logger }),
      useMetricsEndpoint(metrics),
      // graphql-sse's single connection mode on /graphql (PUT, the token's GET, POST, DELETE).
      useSseSingleConnection({
        maxBodyBytes: config.limits.bodyBytes,
        logger,
        stopping: services.stopping,
        ...(opts.sseReservationTtlMs === undefined ? {} : { reservationTtlMs: opts.sseReservationTtlMs }),
      }),
      // Apollo Client's HttpLink subscriptions: multipart/mixed;subscriptionSpec=1.0.
      useMultipartSubscriptions(),
      // Before telemetry: a hash refused here is logged as a refused request, and a document
      // refused at parsing (trusted documents) as a rejected operation.
      usePersistedDocuments({ ...services.documents, logger, metrics }),
      useOperationTelemetry({ logger, metrics, tracing: tracingOn() }),
      ...(Array.isArray(config.corsOrigins) ? [useVaryOrigin()] : []),
      useCSRFPrevention(),
      useQueryStringJson(),
      useBatchLimit(config.limits.batchOperations),
      useQueryLimits(config.limits),
      // Before the cost limit: it coerces the variables too, and must only see valid ones.
      useVariableCheck(),
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
  // FAST_LANE: the common request around yoga's request/response adaptation (src/fast-lane.ts).
  if (!config.fastLane) return yoga;
  return withFastLane(yoga, {
    maxBodyBytes: config.limits.bodyBytes,
    ssePingMs: config.ssePingMs,
    ...(opts.laneCounts ? { counts: opts.laneCounts } : {}),
  });
}

/**
 * The request headers the gateway's clients send: the credential, JSON and multipart bodies,
 * the CSRF check's preflight headers, and graphql-sse's stream token.
 */
const CORS_ALLOWED_HEADERS = [
  'accept',
  'authorization',
  'content-type',
  ...DEFAULT_PREFLIGHT_HEADERS,
  TOKEN_HEADER_KEY,
];
/** yoga's GET and POST, and graphql-sse's PUT (reservation) and DELETE (stop an operation). */
const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

/** `base` and the comma list a preflight asked for, lowercased (methods upper), once each. */
function withAsked(base: readonly string[], asked: string | null, upper = false): string[] {
  const names = (asked ?? '')
    .split(',')
    .map((n) => (upper ? n.trim().toUpperCase() : n.trim().toLowerCase()));
  return [...new Set([...base, ...names.filter((n) => n !== '')])];
}

/**
 * Yoga's CORS answers a disallowed origin with `Access-Control-Allow-Origin: null` when
 * several origins are configured, which a sandboxed iframe (whose origin is "null") would
 * match. Here a disallowed origin gets no CORS headers at all.
 *
 * A preflight is answered with every method and header the gateway's clients use, plus any
 * the preflight asks for (so a header a client adds passes; what guards the gateway is the
 * origin list), not only those it asked for, as yoga would. Chromium keeps one preflight
 * answer per URL and replaces it with the next: echoed, a page's JSON query, upload (its
 * `graphql-preflight`), and graphql-sse's PUT, stream GET and operation POST each asked
 * again, all on /graphql, and Access-Control-Max-Age cached nothing a page could reuse. With
 * the full lists, one preflight per URL serves a whole page for CORS_MAX_AGE_SECONDS
 * (test/browser.test.ts counts them in Chromium). Other responses get no Allow lists.
 */
function corsOptions(config: Config) {
  const { corsOrigins: origins, corsMaxAgeSeconds: maxAge, corsAllowCredentials: credentials } = config;
  if (origins === null) return false as const;
  const allowed = origins === '*' ? null : new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    // Yoga writes no Max-Age for 0; browsers then use their default (5 s).
    let options: { origin: string | string[]; credentials: boolean; maxAge: number };
    if (allowed === null) options = { origin: '*', credentials: false, maxAge };
    else if (origin !== null && allowed.has(origin)) options = { origin: [origin], credentials, maxAge };
    else return false as const;
    if (request.method.toUpperCase() !== 'OPTIONS') return options;
    return {
      ...options,
      methods: withAsked(CORS_ALLOWED_METHODS, request.headers.get('access-control-request-method'), true),
      allowedHeaders: withAsked(CORS_ALLOWED_HEADERS, request.headers.get('access-control-request-headers')),
    };
  };
}
