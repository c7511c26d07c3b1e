import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ListVideosDocument,
  UploadVideoDocument,
  WatchVideosDocument,
} from '../operations/__generated__/graphql.js';
import { type Simulator, startSimulator } from '../src/simulator/index.js';
import { eventually, sleep, take } from './helpers.js';
import { type GatewayProcess, startGatewayProcess } from './processes.js';
import { type RedisServer, startRedis } from './redis.js';

/**
 * WORKERS=2: two gateway processes on one port (node:cluster), sharing live updates, poller
 * leases, callback bindings and quotas through Redis as separate instances do.
 */
let redis: RedisServer;
let sim: Simulator;
let gateway: GatewayProcess;

beforeAll(async () => {
  redis = await startRedis();
  sim = await startSimulator({ parseDelayMs: 3_600_000 });
  gateway = await startGatewayProcess({
    WORKERS: '2',
    MAVI_BASE_URL: sim.url,
    REDIS_URL: redis.url,
    WEBHOOK_SECRET: 'workers-test-secret-0123456789',
    POLL_MIN_MS: '300',
    POLL_MAX_MS: '300',
    LEASE_MS: '900',
    SHUTDOWN_GRACE_MS: '2000',
  });
}, 60_000);

afterAll(async () => {
  const pid = gateway?.child.pid;
  await gateway?.stop('SIGKILL');
  if (pid) for (const child of workersOf(pid)) spawnSync('kill', ['-9', String(child)]);
  await sim?.close();
  await redis?.close();
});

/** The primary's child processes: its workers. */
function workersOf(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((child) => {
      // The watchdog and helpers are threads, not processes; only node workers are children.
      const cmd = spawnSync('ps', ['-o', 'args=', '-p', String(child)], { encoding: 'utf8' }).stdout;
      return cmd.includes('server.ts') || cmd.includes('server.js');
    });
}

function query(key: string) {
  return fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: key, connection: 'close' },
    body: JSON.stringify({ query: print(ListVideosDocument), variables: { first: 5 } }),
  }).then((r) => r.json() as Promise<{ data: { videos: { __typename: string } } }>);
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${gateway.port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

describe('WORKERS=2', () => {
  it('runs two worker processes on one port and answers through both', async () => {
    const pid = gateway.child.pid as number;
    expect(workersOf(pid)).toHaveLength(2);
    const key = sim.createAccount().apiKey;
    const before = await metric('mavi_gateway_graphql_operations_total');
    // A connection each, so the primary hands them to the workers in turn.
    const answers = await Promise.all(Array.from({ length: 10 }, () => query(key)));
    expect(answers.every((a) => a.data.videos.__typename === 'QueryVideosSuccess')).toBe(true);
    // /metrics sums every worker's counts, whichever worker the scrape reaches.
    expect((await metric('mavi_gateway_graphql_operations_total')) - before).toBe(10);
    expect(gateway.output()).toMatch(/MAVI gateway at .*2 workers/);
  });

  it('delivers a callback to subscribers on both workers, with one poller for the credential', async () => {
    const key = sim.createAccount({ seed: false }).apiKey;
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new File([Buffer.alloc(2048, 3)], 'both.mp4', { type: 'video/mp4' }));
    const uploaded = (await fetch(gateway.url, {
      method: 'POST',
      headers: { authorization: key, 'graphql-preflight': '1' },
      body: form,
    }).then((r) => r.json())) as { data: { uploadVideo: { data: { videoNo: string } } } };
    const videoNo = uploaded.data.uploadVideo.data.videoNo;
    // Four connections, two per worker.
    const streams = Array.from({ length: 4 }, () =>
      createClient({ url: gateway.url, headers: { authorization: key }, retryAttempts: 0 }).iterate({
        query: print(WatchVideosDocument),
        variables: { videoNos: [videoNo] },
      }),
    );
    const pending = streams.map((s) => take(s, 5, 10_000));
    await eventually(
      async () => ((await metric('mavi_gateway_subscriptions_active')) >= 4 ? true : undefined),
      10_000,
    );
    sim.resetCalls();
    await sleep(1500);
    // One poller for the credential across the workers: about one UNPARSE listing per 300 ms.
    const polls = sim
      .callsTo('searchDB')
      .filter((c) => c.authorization === key && c.query.videoStatus === 'UNPARSE');
    expect(polls.length).toBeLessThanOrEqual(8);
    expect(await metric('mavi_gateway_live_pollers')).toBe(2);
    // MAVI's callback reaches one worker; the subscribers of the other get it through Redis.
    sim.setVideoStatus(key, videoNo, 'PARSE');
    const received = await Promise.all(pending);
    for (const events of received) {
      expect(events).toHaveLength(1);
      expect(JSON.stringify(events[0])).toContain('"status":"PARSE"');
    }
  }, 30_000);

  it('starts a worker again when one dies', async () => {
    const pid = gateway.child.pid as number;
    const [victim] = workersOf(pid);
    execFileSync('kill', ['-9', String(victim)]);
    await eventually(() => {
      const now = workersOf(pid);
      return now.length === 2 && !now.includes(victim as number) ? true : undefined;
    }, 15_000);
    const key = sim.createAccount().apiKey;
    const answers = await Promise.all(Array.from({ length: 4 }, () => query(key)));
    expect(answers.every((a) => a.data.videos.__typename === 'QueryVideosSuccess')).toBe(true);
  }, 30_000);

  it('shuts every worker down on SIGTERM and exits 0', async () => {
    const pid = gateway.child.pid as number;
    const workers = workersOf(pid);
    const started = Date.now();
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    // SHUTDOWN_GRACE_MS 2000 plus the margins, with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(8000);
    for (const worker of workers) {
      expect(spawnSync('kill', ['-0', String(worker)]).status).not.toBe(0);
    }
  }, 20_000);
});

describe('WORKERS without Redis', () => {
  it('is a configuration error', () => {
    const root = fileURLToPath(new URL('../', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', WORKERS: '2', PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('WORKERS=2 needs REDIS_URL');
  });
});
