import type { Endpoint } from './mavi/endpoints.js';

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
  /** Per-endpoint upstream time limits in ms. MAVI_TIMEOUT_MS (reads, default 15000), MAVI_UPLOAD_TIMEOUT_MS (default 1800000), MAVI_CHAT_TIMEOUT_MS (default 120000). */
  timeoutMs: Record<Endpoint, number>;
  /** Largest accepted upload in bytes. MAX_UPLOAD_BYTES, default 3 GiB (MAVI's newer API documents 3 GB). */
  maxUploadBytes: number;
  /** Embedded simulator: time an upload takes to parse. SIMULATOR_PARSE_DELAY_MS, default 8000. */
  simulatorParseDelayMs: number;
  /** Embedded simulator's port. SIMULATOR_PORT, default 0 (any free port). */
  simulatorPort: number;
  /** pino level. LOG_LEVEL, default info. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  production: boolean;
  /** Serve GraphiQL. GRAPHIQL=true|false; default on, off when NODE_ENV=production. */
  graphiql: boolean;
  /** Answer introspection. INTROSPECTION=true|false; default on, off when NODE_ENV=production. */
  introspection: boolean;
  /** Allowed CORS origins. CORS_ORIGINS=comma list or *, default * (off in production: same-origin only). */
  corsOrigins: string[] | '*' | null;
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
  const maviBaseUrl = read.url('MAVI_BASE_URL');
  const webhookSecret = read.string('WEBHOOK_SECRET');
  if (webhookSecret !== null && webhookSecret.length < 16) {
    problems.push('WEBHOOK_SECRET must be at least 16 characters long (it keys the callback HMAC).');
  }
  const logLevel = read.oneOf(
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'info',
  );
  const cors = read.string('CORS_ORIGINS');

  const config: Config = {
    port,
    host: read.string('HOST') ?? '0.0.0.0',
    maviBaseUrl,
    publicBaseUrl: read.url('PUBLIC_BASE_URL') ?? `http://localhost:${port}`,
    webhookSecret,
    redisUrl: read.url('REDIS_URL', ['redis:', 'rediss:']),
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
    simulatorParseDelayMs: read.int('SIMULATOR_PARSE_DELAY_MS', 8000, 0, 3_600_000),
    simulatorPort: read.int('SIMULATOR_PORT', 0, 0, 65535),
    logLevel,
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
  };

  if (problems.length > 0) throw new ConfigError(problems);
  return config;
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
