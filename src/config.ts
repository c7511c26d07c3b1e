import type { Endpoint } from './mavi/endpoints.js';
import { DEFAULT_GOVERNOR, parseRateLimits, type RateLimits } from './mavi/governor.js';
import { DEFAULT_RETRY, type RetryOptions } from './mavi/retry.js';

/** Everything the gateway reads from its environment, typed and checked. */
export interface Config {
  /** Port to listen on. PORT, default 4000. */
  port: number;
  /** Interface to bind. HOST, default 0.0.0.0 (all IPv4 interfaces). */
  host: string;
  /**
   * MAVI's origin. MAVI_BASE_URL; when unset, the gateway starts its embedded simulator and
   * uses that, so a fresh checkout works with no account.
   */
  maviBaseUrl: string | null;
  /**
   * The URL at which MAVI can reach this gateway, used to build upload and transcription
   * callback URLs. PUBLIC_BASE_URL, default http://localhost:<port>.
   */
  publicBaseUrl: string;
  /**
   * Key for the HMAC that makes callback URLs unforgeable. WEBHOOK_SECRET (at least 16
   * characters); when unset a random one is made at start, which only works for a single
   * instance whose callbacks arrive before it restarts.
   */
  webhookSecret: string | null;
  /** Redis for cross-instance events, poller leases and shared quotas. REDIS_URL, default none. */
  redisUrl: string | null;
  /**
   * Status polling, the fallback when MAVI's callbacks do not come: the first and shortest
   * interval (POLL_MIN_MS, default 2000) grows ×1.5 while nothing changes up to POLL_MAX_MS
   * (default 30000). One poller per credential, whatever the number of subscribers.
   */
  pollMinMs: number;
  pollMaxMs: number;
  /**
   * With Redis, how long a poller's lease lasts without renewal (LEASE_MS, default 10000):
   * when an instance dies, another takes its pollers over within this time.
   */
  leaseMs: number;
  /** Per-endpoint upstream time limits in ms. MAVI_TIMEOUT_MS (reads, default 15000), MAVI_UPLOAD_TIMEOUT_MS (default 1800000), MAVI_CHAT_TIMEOUT_MS (default 120000). */
  timeoutMs: Record<Endpoint, number>;
  /** Largest accepted upload in bytes. MAX_UPLOAD_BYTES, default 3 GiB (MAVI's newer API documents 3 GB). */
  maxUploadBytes: number;
  /**
   * Retries of MAVI's idempotent reads (searchDB, searchAI, searchVideoFragment,
   * getTranscription) after unreachable, timeout, 5xx and 0429; writes are never retried.
   * MAVI_RETRY_MAX_ATTEMPTS (attempts in total, default 3; 1 turns retries off),
   * MAVI_RETRY_BASE_DELAY_MS (default 100) and MAVI_RETRY_MAX_DELAY_MS (default 2000) for the
   * full-jitter backoff, MAVI_RETRY_MAX_ELAPSED_MS (time limit of a call with its retries,
   * default 2 × MAVI_TIMEOUT_MS), and the budget: MAVI_RETRY_BUDGET_PERCENT (default 10) of
   * the requests plus MAVI_RETRY_BUDGET_FLOOR (default 10) per MAVI_RETRY_BUDGET_WINDOW_MS
   * (default 10000) per endpoint. See src/mavi/retry.ts.
   */
  retry: RetryOptions;
  /**
   * The outbound quota governor: MAVI's published per-credential limits, enforced before
   * calling MAVI (shared through Redis when REDIS_URL is set). MAVI_GOVERNOR=true|false
   * (default true); MAVI_RATE_LIMITS, JSON overrides of the limits, e.g.
   * `{"searchDB":{"perMinute":100,"perDay":null}}`; GOVERNOR_MAX_WAIT_MS (longest wait for a
   * token, default 2000) and GOVERNOR_MAX_QUEUE (waiters per credential and endpoint, default
   * 50). See src/mavi/governor.ts.
   */
  governor: { enabled: boolean; limits: RateLimits; maxWaitMs: number; maxQueue: number };
  /** Identical concurrent reads of one credential share one MAVI call. MAVI_COALESCE=true|false, default true. */
  coalesce: boolean;
  /** Embedded simulator: time an upload takes to parse. SIMULATOR_PARSE_DELAY_MS, default 8000. */
  simulatorParseDelayMs: number;
  /** Embedded simulator's port. SIMULATOR_PORT, default 0 (any free port). */
  simulatorPort: number;
  /**
   * On SIGTERM, how long requests in flight may take to finish before their connections are
   * closed. SHUTDOWN_GRACE_MS, default 10000 (inside Kubernetes' default 30 s).
   */
  shutdownGraceMs: number;
  /** pino level. LOG_LEVEL, default info. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  production: boolean;
  /** Serve GraphiQL. GRAPHIQL=true|false; default on, off when NODE_ENV=production. */
  graphiql: boolean;
  /** Answer introspection. INTROSPECTION=true|false; default on, off when NODE_ENV=production. */
  introspection: boolean;
  /** Allowed CORS origins. CORS_ORIGINS=comma list or *, default * (off in production: same-origin only). */
  corsOrigins: string[] | '*' | null;
  /**
   * How long a browser may cache a CORS preflight, in seconds. CORS_MAX_AGE_SECONDS, default
   * 7200: Chromium's ceiling (Firefox allows a day), so a page pays one preflight per two
   * hours rather than one per request; a changed CORS_ORIGINS still governs every response.
   */
  corsMaxAgeSeconds: number;
  /**
   * Answer `Access-Control-Allow-Credentials: true`, so a page may send `credentials:
   * "include"`. CORS_ALLOW_CREDENTIALS=true|false, default false: the gateway's credential is
   * the Authorization header, never a cookie. Only with a CORS_ORIGINS list, never with *.
   */
  corsAllowCredentials: boolean;
  /** Automatic persisted queries; see {@link ApqConfig}. */
  apq: ApqConfig;
  /** Trusted documents; see {@link TrustedDocumentsConfig}. */
  trustedDocuments: TrustedDocumentsConfig;
  /** What one request may ask for; see {@link QueryLimits}. */
  limits: QueryLimits;
}

/**
 * Query limits. A request over one of them is refused with HTTP 400 before anything runs.
 * The defaults let through every operation in operations/ and the GraphiQL tabs with room
 * to spare, including a page of 200 videos with their clips and 200 aliased video lookups.
 */
export interface QueryLimits {
  /**
   * Deepest field nesting, fragments flattened. MAX_QUERY_DEPTH, default 10: the deepest
   * operation (videos > edges > node > clips > video) is 8; Clip.video.clips cycles need a limit.
   */
  depth: number;
  /**
   * Most aliases in an operation. MAX_QUERY_ALIASES, default 200: a client may look up a
   * searchDB page's worth of videos by number in one request (they share one scan); what
   * aliases of costly fields would spend is bounded by MAX_QUERY_COST.
   */
  aliases: number;
  /** Most directives in an operation. MAX_QUERY_DIRECTIVES, default 50 (GraphQL Armor's). */
  directives: number;
  /**
   * Most tokens in a document. MAX_QUERY_TOKENS, default 10000: 200 aliased lookups take
   * about 4200; parsing and validating 10000 takes tens of milliseconds.
   */
  tokens: number;
  /**
   * Highest query cost (src/schema/cost.ts). MAX_QUERY_COST, default 1000000: about one
   * minute of MAVI's quota for one endpoint (20 searchAI or 10 chat calls) per operation.
   */
  cost: number;
  /** Most operations in a batched (JSON array) request. MAX_BATCH_OPERATIONS, default 10; 0 refuses batches. */
  batchOperations: number;
  /**
   * Largest non-upload request body. MAX_BODY_BYTES, default 1 MiB: a big query document is
   * a few tens of KiB. Uploads are capped per file by MAX_UPLOAD_BYTES instead.
   */
  bodyBytes: number;
}

/**
 * Automatic persisted queries (Apollo's protocol, which Apollo Client's PersistedQueryLink
 * and urql's persistedExchange speak): a client sends a document's SHA-256 instead of the
 * document, and the document once when the gateway does not know it yet.
 */
export interface ApqConfig {
  /** APQ=true|false, default true. Off, a hash-only request answers PersistedQueryNotSupported. */
  enabled: boolean;
  /**
   * Bytes of documents this instance remembers, least recently used first out.
   * APQ_CACHE_BYTES, default 16 MiB: some hundreds of real operations with room to spare.
   */
  cacheBytes: number;
  /**
   * Largest document remembered, in bytes. APQ_MAX_DOCUMENT_BYTES, default 65536 (the
   * largest in operations/ is under 2 KiB): a larger one still runs, it is just sent in
   * full each time.
   */
  maxDocumentBytes: number;
  /**
   * With REDIS_URL, documents are shared by every instance through Redis, each kept this many
   * seconds after it was last registered. APQ_TTL_SECONDS, default 86400.
   */
  ttlSeconds: number;
}

/**
 * Trusted documents: manifests of the documents the gateway's own frontends send (written by
 * GraphQL Code Generator's client preset with `persistedDocuments`, or Apollo's persisted
 * query manifest), and what to do with any other document.
 */
export interface TrustedDocumentsConfig {
  /** TRUSTED_DOCUMENTS: comma list of manifest files. Default none (every document runs). */
  files: string[];
  /**
   * TRUSTED_DOCUMENTS_MODE=log|enforce. `log` runs an unknown document and logs and counts it
   * (mavi_gateway_untrusted_documents_total); `enforce` refuses it, and APQ registers nothing.
   * Default enforce when NODE_ENV=production, log otherwise (GraphiQL sends documents no
   * manifest lists).
   */
  mode: 'log' | 'enforce';
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads and checks the configuration; throws one ConfigError naming every bad value. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const production = env.NODE_ENV === 'production';
  const port = read.int('PORT', 4000, 0, 65535);
  const readTimeout = read.int('MAVI_TIMEOUT_MS', 15_000, 100, 600_000);
  const uploadTimeout = read.int('MAVI_UPLOAD_TIMEOUT_MS', 1_800_000, 1000, 86_400_000);
  const chatTimeout = read.int('MAVI_CHAT_TIMEOUT_MS', 120_000, 1000, 3_600_000);
  const retry: RetryOptions = {
    maxAttempts: read.int('MAVI_RETRY_MAX_ATTEMPTS', DEFAULT_RETRY.maxAttempts, 1, 10),
    baseDelayMs: read.int('MAVI_RETRY_BASE_DELAY_MS', DEFAULT_RETRY.baseDelayMs, 1, 60_000),
    maxDelayMs: read.int('MAVI_RETRY_MAX_DELAY_MS', DEFAULT_RETRY.maxDelayMs, 1, 300_000),
    maxElapsedMs: read.int('MAVI_RETRY_MAX_ELAPSED_MS', 2 * readTimeout, 100, 3_600_000),
    budgetPercent: read.int('MAVI_RETRY_BUDGET_PERCENT', DEFAULT_RETRY.budgetPercent, 0, 100),
    budgetFloor: read.int('MAVI_RETRY_BUDGET_FLOOR', DEFAULT_RETRY.budgetFloor, 0, 1_000_000),
    budgetWindowMs: read.int('MAVI_RETRY_BUDGET_WINDOW_MS', DEFAULT_RETRY.budgetWindowMs, 100, 3_600_000),
  };
  if (retry.maxDelayMs < retry.baseDelayMs) {
    problems.push(
      `MAVI_RETRY_MAX_DELAY_MS (${retry.maxDelayMs}) must not be below MAVI_RETRY_BASE_DELAY_MS (${retry.baseDelayMs}).`,
    );
  }
  if (retry.maxElapsedMs < readTimeout) {
    problems.push(
      `MAVI_RETRY_MAX_ELAPSED_MS (${retry.maxElapsedMs}) must not be below MAVI_TIMEOUT_MS (${readTimeout}): it would cut the first attempt short.`,
    );
  }
  const rateLimits = parseRateLimits(read.string('MAVI_RATE_LIMITS'));
  problems.push(...rateLimits.problems);
  const maviBaseUrl = read.url('MAVI_BASE_URL');
  const webhookSecret = read.string('WEBHOOK_SECRET');
  if (webhookSecret !== null && webhookSecret.length < 16) {
    problems.push('WEBHOOK_SECRET must be at least 16 characters long (it keys the callback HMAC).');
  }
  if (webhookSecret === null && env.REDIS_URL?.trim()) {
    problems.push(
      'WEBHOOK_SECRET is required with REDIS_URL: every instance must verify callback URLs the others made.',
    );
  }
  const logLevel = read.oneOf(
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'info',
  );
  const cors = read.string('CORS_ORIGINS');
  const pollMinMs = read.int('POLL_MIN_MS', 2000, 10, 600_000);
  const pollMaxMs = read.int('POLL_MAX_MS', 30_000, 10, 3_600_000);
  if (pollMaxMs < pollMinMs)
    problems.push(`POLL_MAX_MS (${pollMaxMs}) must not be below POLL_MIN_MS (${pollMinMs}).`);

  const config: Config = {
    port,
    host: read.string('HOST') ?? '0.0.0.0',
    maviBaseUrl,
    publicBaseUrl: read.url('PUBLIC_BASE_URL') ?? `http://localhost:${port}`,
    webhookSecret,
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
    pollMinMs,
    pollMaxMs,
    leaseMs: read.int('LEASE_MS', 10_000, 300, 600_000),
    timeoutMs: {
      searchDB: readTimeout,
      searchAI: readTimeout,
      searchVideoFragment: readTimeout,
      getTranscription: readTimeout,
      subTranscription: readTimeout,
      delete: readTimeout,
      getAccessToken: readTimeout,
      refreshAccessToken: readTimeout,
      chat: chatTimeout,
      upload: uploadTimeout,
    },
    maxUploadBytes: read.int('MAX_UPLOAD_BYTES', 3 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    retry,
    governor: {
      enabled: read.bool('MAVI_GOVERNOR', true),
      limits: rateLimits.limits,
      maxWaitMs: read.int('GOVERNOR_MAX_WAIT_MS', DEFAULT_GOVERNOR.maxWaitMs, 0, 600_000),
      maxQueue: read.int('GOVERNOR_MAX_QUEUE', DEFAULT_GOVERNOR.maxQueue, 0, 100_000),
    },
    coalesce: read.bool('MAVI_COALESCE', true),
    simulatorParseDelayMs: read.int('SIMULATOR_PARSE_DELAY_MS', 8000, 0, 3_600_000),
    simulatorPort: read.int('SIMULATOR_PORT', 0, 0, 65535),
    logLevel,
    shutdownGraceMs: read.int('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    production,
    graphiql: read.bool('GRAPHIQL', !production),
    introspection: read.bool('INTROSPECTION', !production),
    corsOrigins:
      cors === null
        ? production
          ? null
          : '*'
        : cors.trim() === '*'
          ? '*'
          : cors.split(',').map((o) => o.trim()),
    corsMaxAgeSeconds: read.int('CORS_MAX_AGE_SECONDS', 7200, 0, 86_400),
    corsAllowCredentials: read.bool('CORS_ALLOW_CREDENTIALS', false),
    apq: {
      enabled: read.bool('APQ', true),
      cacheBytes: read.int('APQ_CACHE_BYTES', 16 * 1024 * 1024, 0, 1024 ** 3),
      maxDocumentBytes: read.int('APQ_MAX_DOCUMENT_BYTES', 65_536, 0, 1024 ** 2),
      ttlSeconds: read.int('APQ_TTL_SECONDS', 86_400, 1, 365 * 86_400),
    },
    trustedDocuments: {
      files: (read.string('TRUSTED_DOCUMENTS') ?? '')
        .split(',')
        .map((file) => file.trim())
        .filter((file) => file !== ''),
      mode: read.oneOf('TRUSTED_DOCUMENTS_MODE', ['log', 'enforce'], production ? 'enforce' : 'log'),
    },
    limits: readLimits(read),
  };
  if (Array.isArray(config.corsOrigins)) problems.push(...originProblems(config.corsOrigins));
  if (config.corsAllowCredentials && !Array.isArray(config.corsOrigins)) {
    problems.push(
      `CORS_ALLOW_CREDENTIALS=true needs CORS_ORIGINS to list the origins (browsers refuse credentials with *); CORS_ORIGINS is ${
        cors !== null
          ? '*'
          : production
            ? 'unset (same-origin only)'
            : 'unset, which means * outside production'
      }.`,
    );
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readLimits(read: Reader): QueryLimits {
  return {
    depth: read.int('MAX_QUERY_DEPTH', 10, 1, 1000),
    aliases: read.int('MAX_QUERY_ALIASES', 200, 0, 100_000),
    directives: read.int('MAX_QUERY_DIRECTIVES', 50, 0, 100_000),
    tokens: read.int('MAX_QUERY_TOKENS', 10_000, 10, 10_000_000),
    cost: read.int('MAX_QUERY_COST', 1_000_000, 1, Number.MAX_SAFE_INTEGER),
    batchOperations: read.int('MAX_BATCH_OPERATIONS', 10, 0, 1000),
    bodyBytes: read.int('MAX_BODY_BYTES', 1024 * 1024, 1024, 1024 ** 3),
  };
}

/** A browser's Origin header is scheme://host[:port]; anything else would silently never match. */
function originProblems(origins: string[]): string[] {
  const problems: string[] = [];
  for (const origin of origins) {
    let valid = false;
    try {
      const url = new URL(origin);
      valid = (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
    } catch {
      valid = false;
    }
    if (!valid) {
      problems.push(
        `CORS_ORIGINS must be * or a comma list of origins like https://app.example.com (no path, no trailing slash); got ${JSON.stringify(origin)}.`,
      );
    }
  }
  return problems;
}

class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  string(name: string): string | null {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? null : value.trim();
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.string(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.string(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false; got ${JSON.stringify(this.env[name])}.`);
    return fallback;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === null) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${values.join(', ')}; got ${JSON.stringify(raw)}.`);
    return fallback;
  }

  url(name: string, protocols: string[] = ['http:', 'https:']): string | null {
    const raw = this.string(name);
    if (raw === null) return null;
    try {
      const url = new URL(raw);
      if (!protocols.includes(url.protocol)) throw new Error('protocol');
      return raw.replace(/\/+$/, '');
    } catch {
      // A Redis URL may carry a password: name the variable, not its value.
      const shown = protocols.includes('redis:') ? 'a value that is not one' : JSON.stringify(raw);
      this.problems.push(`${name} must be a ${protocols.join(' or ')} URL; got ${shown}.`);
      return null;
    }
  }
}
