import type { IncomingMessage, ServerResponse } from 'node:http';
import type { YogaInitialContext } from 'graphql-yoga';
import { Loaders } from './loaders.js';
import { MaviClient } from './mavi/client.js';
import { Credential } from './mavi/credential.js';
import type { Services } from './services.js';

/**
 * What the server hands yoga with each request: node:http's request and response over HTTP
 * and SSE; over WebSocket (src/websocket.ts) the upgrade request and the client's
 * connectionParams.
 */
export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  /** graphql-ws's connection_init payload (WebSocket only). */
  connectionParams?: Record<string, unknown>;
}

/** What the gateway adds to every request's context. */
export interface RequestContext {
  /** The caller's credential, or null (then every MAVI call answers UnauthorizedError). */
  credential: Credential | null;
  /** MAVI bound to this caller's credential and to this request's abort signal. */
  mavi: MaviClient;
  /** This request's loaders: batching and per-request caching, never shared. */
  loaders: Loaders;
  services: Services;
}

/** A resolver's context: yoga's, the server's and the gateway's. */
export type Context = YogaInitialContext & ServerContext & RequestContext;

/** graphql-ws puts the client's connectionParams on the context; SSE and HTTP use headers. */
function authorizationOf(initial: YogaInitialContext & ServerContext): string | null {
  const header = initial.request.headers.get('authorization');
  if (header !== null) return header;
  const params = initial.connectionParams;
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : null;
}

/** A fresh context per request (or per subscription): credential, client and loaders. */
export function createContext(services: Services) {
  return (initial: YogaInitialContext & ServerContext): RequestContext => {
    const { credential, problem } = Credential.parse(authorizationOf(initial));
    const mavi = new MaviClient(services.transport, credential, problem, initial.request.signal);
    return { credential, mavi, loaders: new Loaders(mavi), services };
  };
}
