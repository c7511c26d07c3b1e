import { print } from 'graphql';
import { createClient as createWsClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SearchVideosDocument, WatchVideosDocument } from '../operations/__generated__/graphql.js';
import { type Simulator, startSimulator } from '../src/simulator/index.js';
import { eventually } from './helpers.js';
import { type GatewayProcess, startGatewayProcess } from './processes.js';
import { type RedisServer, startRedis } from './redis.js';

/**
 * SIGTERM on a real gateway process: it stops accepting, lets requests in flight finish
 * (within SHUTDOWN_GRACE_MS), completes open subscriptions over SSE and WebSocket, closes
 * Redis, and exits 0.
 */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function setUp(env: Record<string, string> = {}) {
  const sim: Simulator = await startSimulator();
  cleanups.push(() => sim.close());
  const redis: RedisServer = await startRedis();
  cleanups.push(() => redis.close());
  const gateway: GatewayProcess = await startGatewayProcess({
    MAVI_BASE_URL: sim.url,
    REDIS_URL: redis.url,
    WEBHOOK_SECRET: 'shutdown-test-secret-0123456789',
    LOG_LEVEL: 'info',
    ...env,
  });
  cleanups.push(() => gateway.stop('SIGKILL'));
  return { sim, gateway, key: sim.createAccount().apiKey };
}

function post(url: string, key: string, query: string, variables: Record<string, unknown> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: key },
    body: JSON.stringify({ query, variables }),
  });
}

describe('graceful shutdown', () => {
  it('finishes requests in flight, completes subscriptions, refuses new connections, exits 0', async () => {
    const { sim, gateway, key } = await setUp({ SHUTDOWN_GRACE_MS: '8000' });

    // An SSE subscription that would never end on its own.
    const sse = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: key },
      body: JSON.stringify({ query: print(WatchVideosDocument), variables: { videoNos: null } }),
    });
    const sseText = sse.text();
    // The same over WebSocket.
    const ws = createWsClient({
      url: gateway.url.replace('http:', 'ws:'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: key },
      retryAttempts: 0,
    });
    const wsEvents: unknown[] = [];
    const wsDone = new Promise<string>((resolve) => {
      ws.subscribe(
        { query: print(WatchVideosDocument), variables: { videoNos: null } },
        { next: (v) => wsEvents.push(v), error: () => resolve('error'), complete: () => resolve('complete') },
      );
    });
    await eventually(() => (sim.callsTo('searchDB').length >= 2 ? true : undefined), 5000);

    // A request in flight: MAVI takes 1.5 s to answer.
    sim.injectFault({ endpoint: 'searchAI', times: 1, kind: { type: 'delay', ms: 1500 } });
    const inFlight = post(gateway.url, key, print(SearchVideosDocument), { query: 'dog' });
    await eventually(() => (sim.callsTo('searchAI').length > 0 ? true : undefined));

    gateway.child.kill('SIGTERM');
    // New connections are refused while the request in flight still runs.
    await eventually(async () => {
      try {
        await fetch(gateway.url.replace('/graphql', '/health'));
        return undefined;
      } catch {
        return true;
      }
    });

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(
      ((await answer.json()) as { data: { searchVideos: { __typename: string } } }).data.searchVideos
        .__typename,
    ).toBe('QuerySearchVideosSuccess');
    // The subscriptions completed rather than being cut.
    expect(await sseText).toMatch(/event: complete/);
    expect(await wsDone).toBe('complete');
    await ws.dispose();

    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('shutdown complete');
  }, 30_000);

  it('closes what is still running when the grace period is over, and still exits 0', async () => {
    const { sim, gateway, key } = await setUp({ SHUTDOWN_GRACE_MS: '500' });
    sim.injectFault({ endpoint: 'searchAI', kind: { type: 'hang' } });
    const stuck = post(gateway.url, key, print(SearchVideosDocument), { query: 'dog' }).then(
      (r) => r.status,
      () => 'connection closed',
    );
    await eventually(() => (sim.callsTo('searchAI').length > 0 ? true : undefined));
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(await stuck).toBe('connection closed');
    expect(gateway.output()).toContain('grace period over');
  }, 30_000);
});
