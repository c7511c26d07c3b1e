import { print } from 'graphql';
import { createClient } from 'graphql-sse';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadVideoDocument, WatchVideosDocument } from '../operations/__generated__/graphql.js';
import { Credential } from '../src/mavi/credential.js';
import { type Simulator, startSimulator } from '../src/simulator/index.js';
import { eventually, sleep, take } from './helpers.js';
import { type GatewayProcess, startGatewayProcess } from './processes.js';
import { type RedisServer, startRedis } from './redis.js';

/**
 * Two gateway processes sharing a real redis-server: events cross instances, pollers are not
 * duplicated, and when the polling instance dies the other takes over.
 */
const LEASE_MS = 900;
const POLL_MS = 300;

let redis: RedisServer;
let sim: Simulator;
let a: GatewayProcess;
let b: GatewayProcess;
let redisClient: Redis;

beforeAll(async () => {
  redis = await startRedis();
  // Parsing waits for the tests (setVideoStatus), so a loaded machine cannot finish it before a
  // subscriber is in place.
  sim = await startSimulator({ parseDelayMs: 3_600_000, transcriptionDelayMs: 100 });
  const env = {
    MAVI_BASE_URL: sim.url,
    REDIS_URL: redis.url,
    WEBHOOK_SECRET: 'a-secret-shared-by-every-instance',
    LEASE_MS: String(LEASE_MS),
    POLL_MIN_MS: String(POLL_MS),
    POLL_MAX_MS: String(POLL_MS),
  };
  [a, b] = await Promise.all([startGatewayProcess(env), startGatewayProcess(env)]);
  redisClient = new Redis(redis.url);
}, 60_000);

afterAll(async () => {
  await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
  redisClient?.disconnect();
  await sim?.close();
  await redis?.close();
});

function watch(instance: GatewayProcess, key: string, videoNos: string[]) {
  const client = createClient({ url: instance.url, headers: { authorization: key }, retryAttempts: 0 });
  return client.iterate({ query: print(WatchVideosDocument), variables: { videoNos } });
}

function leaseKey(key: string): string {
  const credential = Credential.parse(key).credential;
  return `mavi-gw:live:lease:video:${credential?.id}`;
}

const status = (event: unknown) =>
  (event as { data: { videoStatusChanged: { data: { video: { status: string } } } } }).data.videoStatusChanged
    .data.video.status;

describe('several instances through Redis', () => {
  it('delivers a callback that reaches instance A to a subscriber on instance B', async () => {
    const key = sim.createAccount({ seed: false }).apiKey;
    // Polling is broken for this credential: only the callback can deliver the event.
    sim.injectFault({ credential: key, endpoint: 'searchDB', kind: { type: 'http', status: 503 } });
    sim.addVideo(key, { status: 'PARSE' }); // not needed by the flow; the account exists with a video

    const form = new FormData();
    form.set('operations', JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new File([Buffer.alloc(2048, 3)], 'across.mp4', { type: 'video/mp4' }));
    const uploaded = (await fetch(a.url, {
      method: 'POST',
      headers: { authorization: key, 'graphql-preflight': '1' },
      body: form,
    }).then((r) => r.json())) as { data: { uploadVideo: { data: { videoNo: string } } } };
    const videoNo = uploaded.data.uploadVideo.data.videoNo;
    expect(sim.callsTo('upload').at(-1)?.url).toContain(encodeURIComponent(`127.0.0.1:${a.port}`));

    // Ownership check needs searchDB: let that one call through, then polling stays broken.
    sim.clearFaults();
    const events = watch(b, key, [videoNo]);
    const first = events.next();
    await eventually(async () => ((await redisClient.exists(leaseKey(key))) ? true : undefined), 5000);
    sim.injectFault({ credential: key, endpoint: 'searchDB', kind: { type: 'http', status: 503 } });
    // MAVI finishes parsing: its callback goes to A, which issued the upload's URL.
    sim.setVideoStatus(key, videoNo, 'PARSE');

    const event = await first;
    expect(event.done).toBe(false);
    expect(status(event.value)).toBe('PARSE');
    const delivered = sim.callbacks.filter((c) => (c.body as { videoNo?: string }).videoNo === videoNo);
    expect(delivered.every((c) => c.url.includes(`127.0.0.1:${a.port}`) && c.status === 200)).toBe(true);
    sim.clearFaults();
    await events.return?.();
  }, 20_000);

  it('polls once per credential across instances, and hands polling over when its instance dies', async () => {
    const key = sim.createAccount({ seed: false }).apiKey;
    const video = sim.addVideo(key, { status: 'UNPARSE' });
    const onA = watch(a, key, [video.videoNo]);
    // A is about to be killed: its subscriber's connection error is expected.
    onA.next().catch(() => {});
    const lease = leaseKey(key);
    const holder = await eventually(async () => (await redisClient.get(lease)) ?? undefined, 5000);
    const onB = watch(b, key, [video.videoNo]);
    const pendingB = take(onB, 1, 15_000);
    await sleep(300);

    // Both instances watch; one polls. Count the UNPARSE listings over two seconds.
    const polls = () =>
      sim.callsTo('searchDB').filter((c) => c.authorization === key && c.query.videoStatus === 'UNPARSE')
        .length;
    const before = polls();
    await sleep(2000);
    const during = polls() - before;
    // One poller every 300 ms makes about 7; two would make about 14.
    expect(during).toBeGreaterThanOrEqual(3);
    expect(during).toBeLessThanOrEqual(10);
    expect(await redisClient.get(lease)).toBe(holder);

    // A subscribed first, so A holds the lease. Kill it without a chance to release it.
    await a.stop('SIGKILL');
    const killedAt = Date.now();
    sim.setVideoStatus(key, video.videoNo, 'PARSE');
    const [event] = await pendingB;
    const tookOverIn = Date.now() - killedAt;
    expect(status(event)).toBe('PARSE');
    expect(await redisClient.get(lease)).not.toBe(holder);
    // Within one lease period of the lease running out (plus the renewal tick).
    expect(tookOverIn).toBeLessThan(LEASE_MS * 3);
    await onB.return?.();
  }, 30_000);
});
