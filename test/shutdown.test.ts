import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import { createClient as createWsClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SearchVideosDocument, WatchVideosDocument } from '../operations/__generated__/graphql.js';
import { CLEANUP_MARGIN_MS } from '../src/shutdown.js';
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

/** How long past its deadline a test waits for an exit: room for a loaded machine. */
const SLACK_MS = 4000;

/** The exit code (or signal), or null if the process is still running after `ms`. */
function exitWithin(gateway: GatewayProcess, ms: number): Promise<number | string | null> {
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), ms).unref());
  return Promise.race([gateway.exited, timeout]);
}

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
  return { sim, redis, gateway, key: sim.createAccount().apiKey };
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

  it('exits 0 soon after the grace period when cleanup never finishes (Redis stopped answering)', async () => {
    const graceMs = 500;
    const { redis, gateway } = await setUp({ SHUTDOWN_GRACE_MS: String(graceMs) });
    // Connected, then silent: QUIT is sent and its answer never comes.
    process.kill(redis.pid, 'SIGSTOP');
    gateway.child.kill('SIGTERM');
    const code = await exitWithin(gateway, graceMs + CLEANUP_MARGIN_MS + SLACK_MS);
    expect(code ?? 'still running', gateway.output()).toBe(0);
    expect(gateway.output()).toContain('shutdown cleanup did not finish');
  }, 30_000);
});

describe('the hard deadline', () => {
  it('kills a process whose main thread is blocked, which a JS timer could not', async () => {
    // The watchdog armed as shutdown arms it, then the main thread blocked for good: the
    // timer that would exit 3 never runs; the watchdog's SIGKILL ends the process.
    const script = `
      import { armHardDeadline } from './src/shutdown.ts';
      setTimeout(() => process.exit(3), 100);
      armHardDeadline(500);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../', import.meta.url)),
      stdio: 'ignore',
    });
    cleanups.push(async () => child.kill('SIGKILL'));
    const ended = await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('still running'), 500 + SLACK_MS + 5000);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve(signal ?? `exit ${code}`);
      });
    });
    expect(ended).toBe('SIGKILL');
  }, 30_000);
});
