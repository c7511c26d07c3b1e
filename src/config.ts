import { availableParallelism } from 'node:os';
import { boolean, type Env, EnvSpec, integer, type Kind, oneOf, text, url } from './env-spec.js';
import type { Endpoint } from './mavi/endpoints.js';
import { DEFAULT_GOVERNOR, parseRateLimits, type RateLimits } from './mavi/governor.js';
import { DEFAULT_RETRY, type RetryOptions } from './mavi/retry.js';
import type { TracingConfig } from './tracing.js';

/**
 * Everything the gateway reads from its environment, typed and checked. Each field comes from
 * the variables of {@link VARIABLES} (see {@link toConfig}), where each variable's default,
 * accepted values and meaning are written, once; README.md's table is generated from them.
 */
export interface Config {
  port: number;
  host: string;
  /** null: start the embedded simulator and use it. */
  maviBaseUrl: string | null;
  publicBaseUrl: string;
  /** null: a random key is made at start (a single instance only). */
  webhookSecret: string | null;
  /** null: a single instance, everything in memory. */
  redisUrl: string | null;
  pollMinMs: number;
  pollMaxMs: number;
  leaseMs: number;
  /** Per-endpoint upstream time limits, ms. */
  timeoutMs: Record<Endpoint, number>;
  maxUploadBytes: number;
  /** See src/mavi/retry.ts. */
  retry: RetryOptions;
  /** The outbound quota governor; see src/mavi/governor.ts. */
  governor: { enabled: boolean; limits: RateLimits; maxWaitMs: number; maxQueue: number };
  coalesce: boolean;
  /** FAST_LANE: the node:http lane in front of yoga (src/fast-lane.ts). */
  fastLane: boolean;
  simulatorParseDelayMs: number;
  simulatorPort: number;
  shutdownGraceMs: number;
  /** Gateway processes sharing the port (node:cluster); 1: this process serves alone. */
  workers: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** OpenTelemetry traces (src/tracing.ts); the SDK reads its other variables itself. */
  tracing: TracingConfig;
  /** NODE_ENV=production. */
  production: boolean;
  /**
   * How often an SSE stream sends its keep-alive comment, ms: 12 s, 300 ms under NODE_ENV=test,
   * the interval graphql-yoga's SSE processor reads from NODE_ENV itself (the fast lane follows it).
   */
  ssePingMs: number;
  graphiql: boolean;
  introspection: boolean;
  /** '*': any origin; null: no CORS headers (same-origin only). */
  corsOrigins: string[] | '*' | null;
  /** How long a browser may cache a CORS preflight, seconds. */
  corsMaxAgeSeconds: number;
  /** Answer `Access-Control-Allow-Credentials: true` (only with a list of origins). */
  corsAllowCredentials: boolean;
  /** Automatic persisted queries; see {@link ApqConfig}. */
  apq: ApqConfig;
  /** Trusted documents; see {@link TrustedDocumentsConfig}. */
  trustedDocuments: TrustedDocumentsConfig;
  limits: QueryLimits;
}

/**
 * Automatic persisted queries (Apollo's protocol, which Apollo Client's PersistedQueryLink
 * and urql's persistedExchange speak): a client sends a document's SHA-256 instead of the
 * document, and the document once when the gateway does not know it yet.
 */
export interface ApqConfig {
  enabled: boolean;
  /** Bytes of documents this instance remembers, least recently used first out. */
  cacheBytes: number;
  /** Largest document remembered, bytes (a larger one still runs, sent in full each time). */
  maxDocumentBytes: number;
  /** With REDIS_URL, how long a document stays shared after it was last registered, s. */
  ttlSeconds: number;
}

/**
 * Trusted documents: manifests of the documents the gateway's own frontends send (GraphQL
 * Code Generator's client preset with `persistedDocuments`, or Apollo's persisted query
 * manifest), and what to do with any other document.
 */
export interface TrustedDocumentsConfig {
  /** Manifest files; none: every document runs. */
  files: string[];
  /** `log` runs an unknown document and logs and counts it; `enforce` refuses it. */
  mode: 'log' | 'enforce';
}

/** What one request may ask for. A request over one of them is refused with HTTP 400 before anything runs. */
export interface QueryLimits {
  depth: number;
  aliases: number;
  directives: number;
  tokens: number;
  cost: number;
  batchOperations: number;
  bodyBytes: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Most workers WORKERS may ask for. */
const MAX_WORKERS = 64;

/** An integer from 1 to 64, or `auto`: one per core this process may use. */
function workerCount(): Kind<number> {
  return {
    accepts: `an integer from 1 to ${MAX_WORKERS}, or \`auto\``,
    parse(raw, name, shown) {
      if (raw === 'auto') return { ok: true, value: Math.min(MAX_WORKERS, availableParallelism()) };
      const value = Number(raw);
      return /^\d+$/.test(raw) && value >= 1 && value <= MAX_WORKERS
        ? { ok: true, value }
        : {
            ok: false,
            problems: [`${name} must be an integer from 1 to ${MAX_WORKERS} or auto; got ${shown}.`],
          };
    },
    format: (value) => String(value),
  };
}

/** `*`, `none`, or a comma list of origins: what CORS_ORIGINS accepts. */
/** A number from 0 to 1 (a sampling ratio). */
function ratio(): Kind<number> {
  return {
    accepts: 'number 0–1',
    parse(raw, name, shown) {
      const value = Number(raw);
      return /^(0|1|0?\.\d+|1\.0*)$/.test(raw) && value >= 0 && value <= 1
        ? { ok: true, value }
        : { ok: false, problems: [`${name} must be a number from 0 to 1; got ${shown}.`] };
    },
    format: String,
  };
}

function origins(): Kind<string[] | '*' | null> {
  return {
    accepts: '`*`, `none`, or a comma list of origins',
    parse(raw, name) {
      if (raw === '*') return { ok: true, value: '*' };
      if (raw === 'none') return { ok: true, value: null };
      const list = raw.split(',').map((o) => o.trim());
      const problems = list
        .filter((o) => !isOrigin(o))
        .map(
          // A browser's Origin header is scheme://host[:port]; anything else would silently never match.
          (o) =>
            `${name} must be *, none or a comma list of origins like https://app.example.com (no path, no trailing slash); got ${JSON.stringify(o.slice(0, 100))}.`,
        );
      return problems.length > 0 ? { ok: false, problems } : { ok: true, value: list };
    },
    format: (value) => (value === null ? 'none' : value === '*' ? '*' : value.join(',')),
  };
}

function isOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
  } catch {
    return false;
  }
}

/** MAVI_RATE_LIMITS: JSON overrides of MAVI's published limits (src/mavi/governor.ts). */
function rateLimits(): Kind<RateLimits> {
  return {
    accepts: 'JSON object of bucket → `{"perMinute","perDay"}` (integer or null)',
    parse(raw, name) {
      const { limits, problems } = parseRateLimits(raw, name);
      return problems.length > 0 ? { ok: false, problems } : { ok: true, value: limits };
    },
    format: (value) => JSON.stringify(value),
  };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Every environment variable the gateway reads: name, accepted values, default and meaning.
 * README.md's configuration table is generated from this (`npm run config:docs`; a test fails
 * when it drifts). Comments give the reasons for defaults; `doc` says what a variable does.
 */
export const VARIABLES = EnvSpec.create()
  .variable('PORT', { kind: integer(0, 65535), default: 4000, doc: 'Port to listen on.' })
  .variable('HOST', {
    kind: text(),
    default: '0.0.0.0',
    doc: 'Interface to bind (the default: every IPv4 interface).',
  })
  .optional('MAVI_BASE_URL', {
    kind: url(),
    unset: 'the embedded simulator',
    doc: "MAVI's origin, e.g. `https://mavi-backend.memories.ai`. Unset, the gateway starts its embedded simulator and uses that, so a fresh checkout works with no account.",
  })
  .variable('PUBLIC_BASE_URL', {
    kind: url(),
    default: (v) => `http://localhost:${v.PORT}`,
    shownDefault: '`http://localhost:$PORT`',
    doc: 'The URL at which MAVI reaches this gateway: upload and transcription callback URLs are built on it.',
  })
  .optional('WEBHOOK_SECRET', {
    kind: text(16),
    secret: true,
    unset: 'random per start',
    doc: 'Key of the HMAC that makes callback URLs unforgeable. Unset, a random one is made at start, which only works for a single instance whose callbacks arrive before it restarts; required with `REDIS_URL`.',
  })
  .optional('REDIS_URL', {
    kind: url(['redis:', 'rediss:']),
    // It may carry a password.
    secret: true,
    unset: 'a single instance',
    doc: 'Redis for cross-instance events, poller leases and shared quotas.',
  })
  .variable('MAVI_TIMEOUT_MS', {
    kind: integer(100, 600_000),
    default: 15_000,
    doc: 'Time limit of a MAVI read or write, ms (uploads and chat have their own).',
  })
  .variable('MAVI_UPLOAD_TIMEOUT_MS', {
    kind: integer(1000, 86_400_000),
    default: 1_800_000,
    doc: 'Time limit of an upload to MAVI, ms.',
  })
  .variable('MAVI_CHAT_TIMEOUT_MS', {
    kind: integer(1000, 3_600_000),
    default: 120_000,
    doc: 'Time limit of a chat with MAVI, ms.',
  })
  .variable('MAVI_RETRY_MAX_ATTEMPTS', {
    kind: integer(1, 10),
    default: DEFAULT_RETRY.maxAttempts,
    doc: 'Attempts in all of a read (searchDB, searchAI, searchVideoFragment, getTranscription) after a network error, a timeout, a 5xx or 0429; `1` turns retries off. Writes are never retried.',
  })
  .variable('MAVI_RETRY_BASE_DELAY_MS', {
    kind: integer(1, 60_000),
    default: DEFAULT_RETRY.baseDelayMs,
    doc: 'Backoff before retry n: random below min(`MAVI_RETRY_MAX_DELAY_MS`, this × 2ⁿ⁻¹) (full jitter); `Retry-After` is honoured.',
  })
  .variable('MAVI_RETRY_MAX_DELAY_MS', {
    kind: integer(1, 300_000),
    default: DEFAULT_RETRY.maxDelayMs,
    doc: 'Cap of the backoff, ms.',
  })
  .variable('MAVI_RETRY_MAX_ELAPSED_MS', {
    kind: integer(100, 3_600_000),
    // Twice the read timeout, so that a timed-out first attempt leaves room for another.
    default: (v) => 2 * v.MAVI_TIMEOUT_MS,
    shownDefault: '2 × `MAVI_TIMEOUT_MS`',
    doc: 'Time limit of a read with its retries, ms.',
  })
  .variable('MAVI_RETRY_BUDGET_PERCENT', {
    kind: integer(0, 100),
    default: DEFAULT_RETRY.budgetPercent,
    doc: "Retries per endpoint stay under this share of its requests (plus `MAVI_RETRY_BUDGET_FLOOR`) over `MAVI_RETRY_BUDGET_WINDOW_MS`, so retries cannot multiply an outage's load.",
  })
  .variable('MAVI_RETRY_BUDGET_FLOOR', {
    kind: integer(0, 1_000_000),
    default: DEFAULT_RETRY.budgetFloor,
    doc: 'Retries always allowed per window and endpoint on top of the share.',
  })
  .variable('MAVI_RETRY_BUDGET_WINDOW_MS', {
    kind: integer(100, 3_600_000),
    default: DEFAULT_RETRY.budgetWindowMs,
    doc: "The retry budget's sliding window, ms.",
  })
  .variable('MAVI_GOVERNOR', {
    kind: boolean(),
    default: true,
    doc: "Outbound quota governor: token buckets per credential and endpoint at MAVI's per-minute and per-day limits, checked before calling MAVI (shared through Redis with `REDIS_URL`).",
  })
  .variable('MAVI_RATE_LIMITS', {
    kind: rateLimits(),
    // A fresh copy per read: nothing one Config does to its limits reaches another.
    default: () => parseRateLimits(null).limits,
    shownDefault: "MAVI's published limits (v1.0 §8.1)",
    doc: 'Overrides of the limits, e.g. `{"searchDB":{"perMinute":100,"perDay":null}}` (null lifts a window).',
  })
  .variable('GOVERNOR_MAX_WAIT_MS', {
    kind: integer(0, 600_000),
    default: DEFAULT_GOVERNOR.maxWaitMs,
    doc: 'Longest a request waits for a quota token before `RateLimitedError`, ms; `0`: never wait.',
  })
  .variable('GOVERNOR_MAX_QUEUE', {
    kind: integer(0, 100_000),
    default: DEFAULT_GOVERNOR.maxQueue,
    doc: 'Requests that may wait for a token, per credential and endpoint on one instance; `0`: never wait.',
  })
  .variable('FAST_LANE', {
    kind: boolean(),
    default: true,
    doc: "Serve the common request (a JSON POST of one operation to `/graphql`) on node:http around yoga's own plugin pipeline, without the fetch-API Request and Response (src/fast-lane.ts); `false`: every request through yoga.",
  })
  .variable('MAVI_COALESCE', {
    kind: boolean(),
    default: true,
    doc: 'Identical in-flight reads of one credential share one MAVI call.',
  })
  .variable('MAX_UPLOAD_BYTES', {
    kind: integer(1, Number.MAX_SAFE_INTEGER),
    // MAVI's newer API documents 3 GB.
    default: 3 * 1024 ** 3,
    shownDefault: '`3221225472` (3 GiB)',
    doc: 'Largest upload, bytes.',
  })
  .variable('MAX_BODY_BYTES', {
    kind: integer(1024, 1024 ** 3),
    // A big query document is a few tens of KiB.
    default: 1024 ** 2,
    shownDefault: '`1048576` (1 MiB)',
    doc: 'Largest non-upload request body, bytes (uploads are capped per file by `MAX_UPLOAD_BYTES`).',
  })
  // The query limits let through every operation in operations/ and the GraphiQL tabs with room
  // to spare, including a page of 200 videos with their clips and 200 aliased video lookups.
  .variable('MAX_QUERY_DEPTH', {
    kind: integer(1, 1000),
    // The deepest operation (videos > edges > node > clips > video) is 8; Clip.video.clips cycles need a limit.
    default: 10,
    doc: 'Deepest field nesting of an operation, fragments flattened.',
  })
  .variable('MAX_QUERY_ALIASES', {
    kind: integer(0, 100_000),
    // A searchDB page's worth of video(videoNo) lookups in one request (they share one scan);
    // what aliases of costly fields would spend is bounded by MAX_QUERY_COST.
    default: 200,
    doc: 'Most aliases in an operation.',
  })
  .variable('MAX_QUERY_DIRECTIVES', {
    kind: integer(0, 100_000),
    // GraphQL Armor's default.
    default: 50,
    doc: 'Most directives in an operation.',
  })
  .variable('MAX_QUERY_TOKENS', {
    kind: integer(10, 10_000_000),
    // 200 aliased lookups take about 4200; parsing and validating 10000 takes tens of milliseconds.
    default: 10_000,
    doc: 'Most tokens in a document.',
  })
  .variable('MAX_QUERY_COST', {
    kind: integer(1, Number.MAX_SAFE_INTEGER),
    // About one minute of MAVI's quota for one endpoint (20 searchAI or 10 chat calls) per operation.
    default: 1_000_000,
    doc: "Highest cost of an operation (src/schema/cost.ts): a field that calls MAVI costs its share of a minute of that endpoint's quota.",
  })
  .variable('MAX_BATCH_OPERATIONS', {
    kind: integer(0, 1000),
    default: 10,
    doc: 'Most operations in a batched (JSON array) request; `0` refuses batches.',
  })
  .variable('POLL_MIN_MS', {
    kind: integer(10, 600_000),
    default: 2000,
    doc: "Status polling, the fallback when MAVI's callbacks do not come: the first and shortest interval, ms, growing ×1.5 while nothing changes. One poller per credential, whatever the number of subscribers.",
  })
  .variable('POLL_MAX_MS', {
    kind: integer(10, 3_600_000),
    default: 30_000,
    doc: 'The longest polling interval, ms.',
  })
  .variable('LEASE_MS', {
    kind: integer(300, 600_000),
    default: 10_000,
    doc: "With Redis, how long a poller's lease lasts without renewal, ms: when an instance dies, another takes its pollers over within this time.",
  })
  .variable('SHUTDOWN_GRACE_MS', {
    kind: integer(0, 600_000),
    // Inside Kubernetes' default 30 s.
    default: 10_000,
    doc: 'On SIGTERM, how long requests in flight may take to finish before their connections are closed, ms.',
  })
  .optional('NODE_ENV', {
    kind: text(),
    unset: 'not production',
    doc: "`production` turns GraphiQL, introspection and CORS off unless their variables say otherwise; `test` makes SSE keep-alive comments come every 300 ms instead of 12 s (graphql-yoga's own rule, which the fast lane follows).",
  })
  .variable('CORS_ORIGINS', {
    kind: origins(),
    default: (v) => (v.NODE_ENV === 'production' ? null : '*'),
    shownDefault: '`*`; `none` when `NODE_ENV=production`',
    doc: 'Origins allowed by CORS; `none` sends no CORS headers (same-origin only).',
  })
  .variable('CORS_MAX_AGE_SECONDS', {
    kind: integer(0, 86_400),
    // Chromium's ceiling (Firefox allows a day): one preflight per two hours rather than one
    // per request; a changed CORS_ORIGINS still governs every response.
    default: 7200,
    doc: 'How long a browser may cache a CORS preflight (`Access-Control-Max-Age`), seconds.',
  })
  .variable('CORS_ALLOW_CREDENTIALS', {
    kind: boolean(),
    // The gateway's credential is the Authorization header, never a cookie.
    default: false,
    doc: 'Answer `Access-Control-Allow-Credentials: true`, so a page may send `credentials: "include"`; only with a list of `CORS_ORIGINS`, never with `*`.',
  })
  .variable('APQ', {
    kind: boolean(),
    default: true,
    doc: 'Automatic persisted queries (Apollo Client, urql): a hash stands for a document the gateway was sent once. Off, a hash-only request answers `PersistedQueryNotSupported`.',
  })
  .variable('APQ_CACHE_BYTES', {
    kind: integer(0, 1024 ** 3),
    // Some hundreds of real operations with room to spare.
    default: 16 * 1024 * 1024,
    shownDefault: '`16777216` (16 MiB)',
    doc: 'Bytes of persisted documents one instance remembers, least recently used first out.',
  })
  .variable('APQ_MAX_DOCUMENT_BYTES', {
    kind: integer(0, 1024 ** 2),
    // The largest in operations/ is under 2 KiB.
    default: 65_536,
    doc: 'Largest persisted document, bytes; a larger one still runs, sent in full each time.',
  })
  .variable('APQ_TTL_SECONDS', {
    kind: integer(1, 365 * 86_400),
    default: 86_400,
    doc: 'With `REDIS_URL`, how long a persisted document stays shared by every instance after it was last registered, seconds.',
  })
  .optional('TRUSTED_DOCUMENTS', {
    kind: text(),
    unset: 'none: every document runs',
    doc: "Comma list of trusted-document manifests (codegen client preset `persistedDocuments`, or Apollo's persisted query manifest).",
  })
  .variable('TRUSTED_DOCUMENTS_MODE', {
    kind: oneOf(['log', 'enforce'] as const),
    // GraphiQL sends documents no manifest lists.
    default: (v) => (v.NODE_ENV === 'production' ? 'enforce' : 'log'),
    shownDefault: '`log`; `enforce` when `NODE_ENV=production`',
    doc: '`log` runs a document no manifest lists, and logs and counts it (`mavi_gateway_untrusted_documents_total`); `enforce` refuses it (and APQ registers nothing).',
  })
  .variable('GRAPHIQL', {
    kind: boolean(),
    default: (v) => v.NODE_ENV !== 'production',
    shownDefault: '`true`; `false` when `NODE_ENV=production`',
    doc: 'Serve GraphiQL to browsers at `/graphql`.',
  })
  .variable('INTROSPECTION', {
    kind: boolean(),
    default: (v) => v.NODE_ENV !== 'production',
    shownDefault: '`true`; `false` when `NODE_ENV=production`',
    doc: 'Answer introspection queries.',
  })
  .variable('LOG_LEVEL', {
    kind: oneOf(LOG_LEVELS),
    default: 'info',
    doc: 'pino level of the logs (JSON lines on stdout). Credentials are redacted at every level.',
  })
  // OpenTelemetry's own variables: the SDK reads them (src/tracing.ts); declared here so a bad
  // value stops the start with the others, and so they are documented with the rest.
  .optional('OTEL_EXPORTER_OTLP_ENDPOINT', {
    kind: url(),
    unset: 'no traces, unless `OTEL_TRACES_EXPORTER` is set',
    doc: 'OTLP/HTTP collector base URL (the exporter appends `/v1/traces`); setting it turns tracing on.',
  })
  .optional('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', {
    kind: url(),
    unset: '`$OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces`',
    doc: 'Full URL traces are posted to, instead of the one built from `OTEL_EXPORTER_OTLP_ENDPOINT`; also turns tracing on.',
  })
  .optional('OTEL_TRACES_EXPORTER', {
    kind: oneOf(['otlp', 'console', 'none'] as const),
    unset: '`otlp` when an endpoint is set, else no traces',
    doc: '`otlp` turns tracing on (to `http://localhost:4318` without an endpoint), `console` writes each span into the log (for a look without a collector; the log scrubber hides its trace ids), `none` turns it off whatever the endpoint.',
  })
  .variable('OTEL_EXPORTER_OTLP_PROTOCOL', {
    kind: oneOf(['http/protobuf', 'http/json'] as const),
    default: 'http/protobuf',
    doc: 'OTLP encoding. gRPC is not offered: it would add a gRPC stack for what HTTP does as well.',
  })
  .optional('OTEL_EXPORTER_OTLP_HEADERS', {
    kind: text(),
    // A collector's API key travels here.
    secret: true,
    unset: 'none',
    doc: "Headers sent with each export, `key=value` pairs separated by commas (a vendor's API key).",
  })
  .variable('OTEL_SERVICE_NAME', {
    kind: text(),
    default: 'mavi-gateway',
    doc: '`service.name` of the traces; `OTEL_RESOURCE_ATTRIBUTES` adds other resource attributes.',
  })
  .optional('OTEL_TRACES_SAMPLER', {
    kind: oneOf([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ] as const),
    unset: '`parentbased_always_on`',
    doc: "Which traces are recorded. `parentbased_*` follow an incoming `traceparent`'s sampled flag.",
  })
  .optional('OTEL_TRACES_SAMPLER_ARG', {
    kind: ratio(),
    unset: '`1`',
    doc: 'The ratio of the `traceidratio` samplers, 0 to 1.',
  })
  .optional('OTEL_BSP_SCHEDULE_DELAY', {
    kind: integer(0, 3_600_000),
    unset: '`5000`',
    doc: 'How often finished spans are exported, ms (they are also exported on shutdown).',
  })
  .optional('OTEL_SDK_DISABLED', {
    kind: boolean(),
    unset: '`false`',
    doc: '`true` turns tracing off whatever else is set.',
  })
  .variable('SIMULATOR_PARSE_DELAY_MS', {
    kind: integer(0, 3_600_000),
    default: 8000,
    doc: 'Embedded simulator: how long an upload takes to parse, ms.',
  })
  .variable('SIMULATOR_PORT', {
    kind: integer(0, 65535),
    default: 0,
    doc: "Embedded simulator's port; `0`: any free port.",
  })
  .variable('WORKERS', {
    kind: workerCount(),
    default: 1,
    doc: 'Gateway processes sharing the port (node:cluster), `auto`: one per core. More than one needs `REDIS_URL`: live updates, poller leases, callback bindings and quotas then cross workers as they cross instances.',
  })
  .rule(
    ['CORS_ALLOW_CREDENTIALS', 'CORS_ORIGINS'],
    '`CORS_ALLOW_CREDENTIALS` needs a list of `CORS_ORIGINS`.',
    (v, given) => {
      if (!v.CORS_ALLOW_CREDENTIALS || Array.isArray(v.CORS_ORIGINS)) return null;
      const origins = given('CORS_ORIGINS')
        ? v.CORS_ORIGINS === '*'
          ? '*'
          : 'none (same-origin only)'
        : v.NODE_ENV === 'production'
          ? 'unset (same-origin only)'
          : 'unset, which means * outside production';
      return `CORS_ALLOW_CREDENTIALS=true needs CORS_ORIGINS to list the origins (browsers refuse credentials with *); CORS_ORIGINS is ${origins}.`;
    },
  )
  .rule(['WORKERS'], '`REDIS_URL` is set when `WORKERS` is more than 1.', (v, given) =>
    v.WORKERS > 1 && !given('REDIS_URL')
      ? `WORKERS=${v.WORKERS} needs REDIS_URL: the workers share live updates, poller leases, callback bindings and quotas through Redis, as several instances do.`
      : null,
  )
  .rule(
    ['MAVI_RETRY_BASE_DELAY_MS', 'MAVI_RETRY_MAX_DELAY_MS'],
    '`MAVI_RETRY_MAX_DELAY_MS` is at least `MAVI_RETRY_BASE_DELAY_MS`.',
    (v) =>
      v.MAVI_RETRY_MAX_DELAY_MS < v.MAVI_RETRY_BASE_DELAY_MS
        ? `MAVI_RETRY_MAX_DELAY_MS (${v.MAVI_RETRY_MAX_DELAY_MS}) must not be below MAVI_RETRY_BASE_DELAY_MS (${v.MAVI_RETRY_BASE_DELAY_MS}).`
        : null,
  )
  .rule(
    ['MAVI_TIMEOUT_MS', 'MAVI_RETRY_MAX_ELAPSED_MS'],
    '`MAVI_RETRY_MAX_ELAPSED_MS` is at least `MAVI_TIMEOUT_MS` (else it would cut the first attempt short).',
    (v) =>
      v.MAVI_RETRY_MAX_ELAPSED_MS < v.MAVI_TIMEOUT_MS
        ? `MAVI_RETRY_MAX_ELAPSED_MS (${v.MAVI_RETRY_MAX_ELAPSED_MS}) must not be below MAVI_TIMEOUT_MS (${v.MAVI_TIMEOUT_MS}): it would cut the first attempt short.`
        : null,
  )
  // REDIS_URL set counts even when it is not a valid URL: its own problem is reported, and this
  // one still holds once it is fixed.
  .rule(
    ['WEBHOOK_SECRET'],
    '`WEBHOOK_SECRET` is set when `REDIS_URL` is: every instance must verify the callback URLs the others made.',
    (v, given) =>
      given('REDIS_URL') && v.WEBHOOK_SECRET === null
        ? 'WEBHOOK_SECRET is required with REDIS_URL: every instance must verify callback URLs the others made.'
        : null,
  )
  .rule(['POLL_MIN_MS', 'POLL_MAX_MS'], '`POLL_MAX_MS` is at least `POLL_MIN_MS`.', (v) =>
    v.POLL_MAX_MS < v.POLL_MIN_MS
      ? `POLL_MAX_MS (${v.POLL_MAX_MS}) must not be below POLL_MIN_MS (${v.POLL_MIN_MS}).`
      : null,
  );

/** The variables' values, typed by {@link VARIABLES}. */
export type ConfigValues = ReturnType<typeof VARIABLES.read>['values'];

/** The variables' values in the shape the code uses. */
export function toConfig(v: ConfigValues): Config {
  const read = v.MAVI_TIMEOUT_MS;
  return {
    port: v.PORT,
    host: v.HOST,
    maviBaseUrl: v.MAVI_BASE_URL,
    publicBaseUrl: v.PUBLIC_BASE_URL,
    webhookSecret: v.WEBHOOK_SECRET,
    redisUrl: v.REDIS_URL,
    pollMinMs: v.POLL_MIN_MS,
    pollMaxMs: v.POLL_MAX_MS,
    leaseMs: v.LEASE_MS,
    timeoutMs: {
      searchDB: read,
      searchAI: read,
      searchVideoFragment: read,
      getTranscription: read,
      subTranscription: read,
      delete: read,
      getAccessToken: read,
      refreshAccessToken: read,
      chat: v.MAVI_CHAT_TIMEOUT_MS,
      upload: v.MAVI_UPLOAD_TIMEOUT_MS,
    },
    maxUploadBytes: v.MAX_UPLOAD_BYTES,
    retry: {
      maxAttempts: v.MAVI_RETRY_MAX_ATTEMPTS,
      baseDelayMs: v.MAVI_RETRY_BASE_DELAY_MS,
      maxDelayMs: v.MAVI_RETRY_MAX_DELAY_MS,
      maxElapsedMs: v.MAVI_RETRY_MAX_ELAPSED_MS,
      budgetPercent: v.MAVI_RETRY_BUDGET_PERCENT,
      budgetFloor: v.MAVI_RETRY_BUDGET_FLOOR,
      budgetWindowMs: v.MAVI_RETRY_BUDGET_WINDOW_MS,
    },
    governor: {
      enabled: v.MAVI_GOVERNOR,
      limits: v.MAVI_RATE_LIMITS,
      maxWaitMs: v.GOVERNOR_MAX_WAIT_MS,
      maxQueue: v.GOVERNOR_MAX_QUEUE,
    },
    coalesce: v.MAVI_COALESCE,
    fastLane: v.FAST_LANE,
    simulatorParseDelayMs: v.SIMULATOR_PARSE_DELAY_MS,
    simulatorPort: v.SIMULATOR_PORT,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    workers: v.WORKERS,
    logLevel: v.LOG_LEVEL,
    tracing: {
      enabled:
        v.OTEL_SDK_DISABLED !== true &&
        v.OTEL_TRACES_EXPORTER !== 'none' &&
        (v.OTEL_TRACES_EXPORTER !== null ||
          v.OTEL_EXPORTER_OTLP_ENDPOINT !== null ||
          v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== null),
      serviceName: v.OTEL_SERVICE_NAME,
      exporter: v.OTEL_TRACES_EXPORTER === 'console' ? 'console' : 'otlp',
      protocol: v.OTEL_EXPORTER_OTLP_PROTOCOL,
    },
    production: v.NODE_ENV === 'production',
    ssePingMs: v.NODE_ENV === 'test' ? 300 : 12_000,
    graphiql: v.GRAPHIQL,
    introspection: v.INTROSPECTION,
    corsOrigins: v.CORS_ORIGINS,
    corsMaxAgeSeconds: v.CORS_MAX_AGE_SECONDS,
    corsAllowCredentials: v.CORS_ALLOW_CREDENTIALS,
    apq: {
      enabled: v.APQ,
      cacheBytes: v.APQ_CACHE_BYTES,
      maxDocumentBytes: v.APQ_MAX_DOCUMENT_BYTES,
      ttlSeconds: v.APQ_TTL_SECONDS,
    },
    trustedDocuments: {
      files: (v.TRUSTED_DOCUMENTS ?? '')
        .split(',')
        .map((file) => file.trim())
        .filter((file) => file !== ''),
      mode: v.TRUSTED_DOCUMENTS_MODE,
    },
    limits: {
      depth: v.MAX_QUERY_DEPTH,
      aliases: v.MAX_QUERY_ALIASES,
      directives: v.MAX_QUERY_DIRECTIVES,
      tokens: v.MAX_QUERY_TOKENS,
      cost: v.MAX_QUERY_COST,
      batchOperations: v.MAX_BATCH_OPERATIONS,
      bodyBytes: v.MAX_BODY_BYTES,
    },
  };
}

/** Reads and checks the configuration; throws one ConfigError naming every bad value. */
export function loadConfig(env: Env = process.env): Config {
  const { values, problems } = VARIABLES.read(env);
  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig(values);
}
