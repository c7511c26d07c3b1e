/**
 * The test harness: the embedded simulator as a real HTTP server on loopback, the gateway
 * wired to it and called through yoga.fetch (no socket), and helpers to send typed documents
 * the way a frontend would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, print } from 'graphql';
import { type Config, loadConfig } from '../src/config.js';
import type { LaneCounts } from '../src/fast-lane.js';
import { createLogger } from '../src/logger.js';
import type { GatewayMetrics } from '../src/metrics.js';
import { createServices, type Services, type ServicesOptions } from '../src/services.js';
import { type Simulator, type SimulatorOptions, startSimulator } from '../src/simulator/index.js';
import { attachWebSocket } from '../src/websocket.js';
import { createYoga, type GatewayYoga, type YogaOptions } from '../src/yoga.js';

export interface GatewayOptions extends ServicesOptions, YogaOptions {
  config: Config;
}

/** The gateway as server.ts composes it (services, then yoga over them), without a socket. */
export interface Gateway {
  yoga: GatewayYoga;
  services: Services;
  /** The same as `services.metrics`. */
  metrics: GatewayMetrics;
  /** What the fast lane served and handed to yoga (both 0 with FAST_LANE=false). */
  lane: LaneCounts;
  beginShutdown(): void;
  close(): Promise<void>;
}

export function createGateway(opts: GatewayOptions): Gateway {
  const { config, graphiqlHeaders, sseReservationTtlMs, ...services } = opts;
  const built = createServices(config, services);
  const lane: LaneCounts = { served: 0, handedOver: 0 };
  return {
    yoga: createYoga(built, {
      ...(graphiqlHeaders ? { graphiqlHeaders } : {}),
      ...(sseReservationTtlMs === undefined ? {} : { sseReservationTtlMs }),
      laneCounts: lane,
    }),
    services: built,
    metrics: built.metrics,
    lane,
    beginShutdown: () => built.beginShutdown(),
    close: () => built.close(),
  };
}

export interface GraphQLResponse<T> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; extensions?: Record<string, unknown> }[] | undefined;
}

export interface Stack {
  sim: Simulator;
  gateway: Gateway;
  config: Config;
  /** Sends a GraphQL request through yoga.fetch with this credential (null: no header). */
  gql<T, V>(
    document: TypedDocumentNode<T, V> | DocumentNode | string,
    variables?: V,
    opts?: { auth?: string | null; headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<GraphQLResponse<T>>;
  /** A new simulator account and its key: a credential no other test shares. */
  newAccount(opts?: { seed?: boolean }): string;
  close(): Promise<void>;
}

export interface StackOptions {
  simulator?: SimulatorOptions;
  env?: Record<string, string>;
  gateway?: Partial<Omit<GatewayOptions, 'config' | 'maviBaseUrl'>>;
}

/** Quick defaults so lifecycle tests finish in milliseconds. */
export const FAST_SIMULATOR: SimulatorOptions = {
  parseDelayMs: 60,
  transcriptionDelayMs: 60,
  chatChunkDelayMs: 2,
};

/**
 * Retries are off unless a test turns them on (test/upstream-retry.test.ts): the other tests
 * inject one fault and check the error it becomes, which a retry would hide.
 *
 * FAST_LANE from the test run's environment: `FAST_LANE=false npx vitest run` runs every HTTP
 * test through yoga alone, the default through the fast lane (src/fast-lane.ts).
 */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    LOG_LEVEL: 'silent',
    MAVI_TIMEOUT_MS: '2000',
    MAVI_RETRY_MAX_ATTEMPTS: '1',
    ...(process.env.FAST_LANE ? { FAST_LANE: process.env.FAST_LANE } : {}),
    ...env,
  });
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({ ...FAST_SIMULATOR, ...opts.simulator });
  const config = testConfig(opts.env);
  const gateway = createGateway({
    config,
    maviBaseUrl: sim.url,
    logger: createLogger('silent'),
    ...opts.gateway,
  });
  const defaultKey = sim.createAccount().apiKey;

  return {
    sim,
    gateway,
    config,
    async gql(document, variables, o = {}) {
      const query = typeof document === 'string' ? document : print(document as DocumentNode);
      const auth = o.auth === undefined ? defaultKey : o.auth;
      const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(auth === null ? {} : { authorization: auth }),
          ...o.headers,
        },
        body: JSON.stringify({ query, variables }),
        ...(o.signal ? { signal: o.signal } : {}),
      });
      const body = (await response.json()) as { data?: unknown; errors?: GraphQLResponse<unknown>['errors'] };
      return { status: response.status, data: body.data as never, errors: body.errors };
    },
    newAccount(o = {}) {
      return sim.createAccount({ seed: o.seed ?? true }).apiKey;
    },
    async close() {
      await gateway.close();
      await sim.close();
    },
  };
}

/** Listens on a loopback port for the protocols that need a real socket. */
export async function listen(handler: Parameters<typeof createServer>[1]): Promise<{
  server: Server;
  url: string;
  close: () => Promise<void>;
}> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Narrows a result union to the member with this __typename, failing the test otherwise. */
export function expectType<T extends { __typename?: string }, N extends string>(
  value: T | null | undefined,
  typename: N,
): Extract<T, { __typename?: N }> {
  if (!value || value.__typename !== typename) {
    throw new Error(`expected ${typename}, got ${JSON.stringify(value)}`);
  }
  return value as Extract<T, { __typename?: N }>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export interface LiveStack {
  sim: Simulator;
  gateway: Gateway;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  /** The gateway's socket server, for tests that watch the requests it receives. */
  server: Server;
  newAccount(opts?: { seed?: boolean }): string;
  close(): Promise<void>;
}

/**
 * The gateway on a real loopback socket, for what needs one: SSE and WebSocket clients, and
 * MAVI's callbacks (the simulator POSTs to the gateway's PUBLIC_BASE_URL).
 */
export async function startLiveStack(opts: StackOptions = {}): Promise<LiveStack> {
  const sim = await startSimulator({ ...FAST_SIMULATOR, ...opts.simulator });
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const config = testConfig({ PUBLIC_BASE_URL: base, POLL_MIN_MS: '50', POLL_MAX_MS: '400', ...opts.env });
  const gateway = createGateway({
    config,
    maviBaseUrl: sim.url,
    logger: createLogger('silent'),
    ...opts.gateway,
  });
  server.on('request', gateway.yoga);
  const ws = attachWebSocket(server, gateway.yoga);
  return {
    sim,
    gateway,
    url: `${base}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    server,
    newAccount: (o = {}) => sim.createAccount({ seed: o.seed ?? true }).apiKey,
    async close() {
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      await sim.close();
    },
  };
}

/** Collects the events of a subscription iterator until it completes or `count` arrive. */
export async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 5000): Promise<T[]> {
  const out: T[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`only ${out.length} of ${count} events within ${timeoutMs} ms`);
    let timer: NodeJS.Timeout | undefined;
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), remaining);
      }),
    ]).finally(() => clearTimeout(timer));
    if (next === 'timeout') throw new Error(`only ${out.length} of ${count} events within ${timeoutMs} ms`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

/**
 * The sum of a metric's samples in the gateway's /metrics whose labels include `labels`
 * (0 when there is none): how tests observe counters and gauges without reaching into objects.
 */
export async function metric(
  gateway: Gateway,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await (await gateway.yoga.fetch('http://gateway.test/metrics')).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = new Map([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(match[3]);
  }
  return sum;
}
