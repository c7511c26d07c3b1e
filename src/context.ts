import type { YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { LiveService } from './live/live.js';
import { Loaders } from './loaders.js';
import { MaviClient } from './mavi/client.js';
import { Credential } from './mavi/credential.js';
import type { MaviTransport } from './mavi/transport.js';
import type { GatewayMetrics } from './metrics.js';

/** Builds the URLs MAVI calls back on, each carrying an unforgeable token for the credential. */
export interface CallbackUrls {
  uploadCallbackUrl(credential: Credential): string;
  transcriptionCallbackUrl(credential: Credential): string;
}

/** One thing the gateway needs in order to serve, checked by `GET /ready`. */
export interface ReadinessCheck {
  /** Named in /ready's answer when it fails, e.g. `redis`. */
  name: string;
  /** Resolves when the dependency is usable; a rejection or no answer within 2 s fails it. */
  check(): Promise<void>;
}

/** Long-lived parts every request shares. None of them holds a credential. */
export interface Services {
  config: Config;
  logger: Logger;
  transport: MaviTransport;
  /** Prometheus metrics, this gateway's own registry (GET /metrics). */
  metrics: GatewayMetrics;
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
  /** Present when the gateway receives MAVI's callbacks (live updates). */
  callbacks?: CallbackUrls;
  /** Subscriptions' sources: pollers, webhooks, the event bus. */
  live?: LiveService;
}

export interface Context extends YogaInitialContext {
  /** The caller's credential, or null (then every MAVI call answers UnauthorizedError). */
  credential: Credential | null;
  /** MAVI bound to this caller's credential and to this request's abort signal. */
  mavi: MaviClient;
  /** This request's loaders: batching and per-request caching, never shared. */
  loaders: Loaders;
  services: Services;
}

/** graphql-ws puts the client's connectionParams on the context; SSE and HTTP use headers. */
type InitialContext = YogaInitialContext & { connectionParams?: Record<string, unknown> };

function authorizationOf(initial: InitialContext): string | null {
  const header = initial.request.headers.get('authorization');
  if (header !== null) return header;
  const params = initial.connectionParams;
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : null;
}

/** A fresh context per request (or per subscription): credential, client and loaders. */
export function createContextFactory(services: Services) {
  return (initial: InitialContext): Omit<Context, keyof YogaInitialContext> => {
    const { credential, problem } = Credential.parse(authorizationOf(initial));
    const mavi = new MaviClient(services.transport, credential, problem, initial.request.signal);
    return { credential, mavi, loaders: new Loaders(mavi), services };
  };
}
