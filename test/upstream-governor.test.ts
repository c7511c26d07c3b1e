import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ListVideosDocument,
  ObtainAccessTokenDocument,
  RequestTranscriptionDocument,
} from '../operations/__generated__/graphql.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { Credential } from '../src/mavi/credential.js';
import type { GovernorEvent } from '../src/mavi/governor.js';
import type { MaviEndpoint } from '../src/simulator/types.js';
import {
  createGateway,
  eventually,
  expectType,
  type Gateway,
  type Stack,
  startStack,
  testConfig,
} from './helpers.js';
import { type RedisServer, startRedis } from './redis.js';

/**
 * The quota governor, counted on the simulator: a request over the credential's budget is
 * refused with RateLimitedError and never reaches MAVI; waiters within the limit get through
 * when a token refills; budgets are per credential, and shared by instances through Redis.
 */

const callsFor = (s: Stack, endpoint: MaviEndpoint, key: string) =>
  s.sim.callsTo(endpoint).filter((c) => c.authorization === key).length;

const list = (s: Stack, key: string, signal?: AbortSignal) =>
  signal
    ? Promise.resolve(
        s.gateway.yoga.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: key },
          body: JSON.stringify({ query: '{ videos(first: 5) { __typename } }' }),
          signal,
        }),
      ).then(
        (res) => res.json() as Promise<{ data?: { videos?: { __typename: string } } }>,
        () => ({ data: { videos: { __typename: 'aborted' } } }),
      )
    : s.gql(ListVideosDocument, { first: 5 }, { auth: key });

const typenames = (results: { data?: { videos?: { __typename?: string } | null } | null }[]) =>
  results.map((r) => r.data?.videos?.__typename);

describe('a credential over its budget', () => {
  let stack: Stack;
  const events: GovernorEvent[] = [];
  beforeAll(async () => {
    stack = await startStack({
      env: {
        MAVI_RATE_LIMITS: JSON.stringify({
          searchDB: { perMinute: 3 },
          'subTranscription:VIDEO': { perMinute: 1 },
          getAccessToken: { perDay: 1 },
        }),
        GOVERNOR_MAX_WAIT_MS: '0',
        MAVI_COALESCE: 'false',
      },
      gateway: { onGovernorEvent: (event) => events.push(event) },
    });
  });
  afterAll(() => stack.close());

  it('is refused the 4th request with RateLimitedError, and MAVI saw exactly 3 calls', async () => {
    const key = stack.newAccount();
    for (let i = 0; i < 3; i++)
      expect((await list(stack, key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
    const error = expectType((await list(stack, key)).data?.videos, 'RateLimitedError');
    expect(error.code).toBe('0429');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(error.message).toMatch(/3 per minute/);
    expect(callsFor(stack, 'searchDB', key)).toBe(3);
    expect(stack.gateway.services.transport.governor?.snapshot().rejections.searchDB).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('does not affect another credential', async () => {
    const alice = stack.newAccount();
    const bob = stack.newAccount();
    for (let i = 0; i < 4; i++) await list(stack, alice);
    expect(callsFor(stack, 'searchDB', alice)).toBe(3);
    const forBob = await Promise.all([list(stack, bob), list(stack, bob), list(stack, bob)]);
    expect(typenames(forBob)).toEqual(Array(3).fill('QueryVideosSuccess'));
    expect(callsFor(stack, 'searchDB', bob)).toBe(3);
  });

  it('counts subTranscription VIDEO and AUDIO in separate buckets', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'PARSE' });
    const request = (type: 'AUDIO' | 'VIDEO') =>
      stack.gql(RequestTranscriptionDocument, { videoNo: video.videoNo, type }, { auth: key });
    expect((await request('VIDEO')).data?.requestTranscription?.__typename).toBe(
      'MutationRequestTranscriptionSuccess',
    );
    expect((await request('VIDEO')).data?.requestTranscription?.__typename).toBe('RateLimitedError');
    expect((await request('AUDIO')).data?.requestTranscription?.__typename).toBe(
      'MutationRequestTranscriptionSuccess',
    );
    expect(callsFor(stack, 'subTranscription', key)).toBe(2);
  });

  it('counts getAccessToken per clientId, per day', async () => {
    const first = stack.sim.issueAuthCode(stack.newAccount({ seed: false }));
    const other = stack.sim.issueAuthCode(stack.newAccount({ seed: false }));
    const before = stack.sim.callsTo('getAccessToken').length;
    const obtain = (grant: { clientId: string; code: string }) =>
      stack.gql(ObtainAccessTokenDocument, grant, { auth: null });
    expect((await obtain(first)).data?.obtainAccessToken?.__typename).toBe(
      'MutationObtainAccessTokenSuccess',
    );
    const refused = expectType((await obtain(first)).data?.obtainAccessToken, 'RateLimitedError');
    // One a day: the next token is most of a day away.
    expect(refused.retryAfterSeconds).toBeGreaterThan(80_000);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(86_400);
    expect((await obtain(other)).data?.obtainAccessToken?.__typename).toBe(
      'MutationObtainAccessTokenSuccess',
    );
    expect(stack.sim.callsTo('getAccessToken').length - before).toBe(2);
  });

  it('reports its decisions without the credential or its id', () => {
    expect(events).toContainEqual(
      expect.objectContaining({ endpoint: 'searchDB', decision: 'rejected', reason: 'wait-too-long' }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({
        endpoint: 'searchDB',
        bucket: 'searchDB',
        decision: 'granted',
        reason: 'immediate',
      }),
    );
    const text = JSON.stringify(events);
    for (const account of stack.sim.calls.map((c) => c.authorization ?? '')) {
      if (!account) continue;
      expect(text).not.toContain(account);
      const { credential } = Credential.parse(account);
      if (credential) expect(text).not.toContain(credential.id);
    }
  });
});

describe('the wait queue', () => {
  let stack: Stack;
  const events: GovernorEvent[] = [];
  beforeAll(async () => {
    stack = await startStack({
      env: {
        // A token every 2 s: a waiter is served within the 3 s it may wait.
        MAVI_RATE_LIMITS: JSON.stringify({ searchDB: { perMinute: 30 }, searchAI: { perMinute: 2 } }),
        GOVERNOR_MAX_WAIT_MS: '3000',
        GOVERNOR_MAX_QUEUE: '1',
        MAVI_COALESCE: 'false',
      },
      gateway: { onGovernorEvent: (event) => events.push(event) },
    });
  });
  afterAll(() => stack.close());

  it('lets a request within the maximum wait through when a token refills', async () => {
    const key = stack.newAccount();
    const burst = await Promise.all(Array.from({ length: 30 }, () => list(stack, key)));
    expect(typenames(burst)).toEqual(Array(30).fill('QueryVideosSuccess'));
    const seen = events.length;
    expect((await list(stack, key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
    expect(callsFor(stack, 'searchDB', key)).toBe(31);
    expect(events.slice(seen)).toContainEqual(
      expect.objectContaining({ endpoint: 'searchDB', decision: 'granted', reason: 'queued' }),
    );
  });

  it('refuses at once, without queueing, a request whose token is due after the maximum wait', async () => {
    const key = stack.newAccount({ seed: false });
    const search = (signal?: AbortSignal) =>
      Promise.resolve(
        stack.gateway.yoga.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: key },
          body: JSON.stringify({
            query:
              '{ searchVideos(query: "dog") { __typename ... on RateLimitedError { retryAfterSeconds } } }',
          }),
          ...(signal ? { signal } : {}),
        }),
      ).then(
        async (res) =>
          (
            (await res.json()) as {
              data: { searchVideos: { __typename: string; retryAfterSeconds?: number } };
            }
          ).data.searchVideos,
        () => ({ __typename: 'aborted', retryAfterSeconds: undefined }),
      );
    const governor = stack.gateway.services.transport.governor!;
    // searchAI allows 2 a minute: the 3rd waits 30 s for a token, past the 3 s limit.
    expect((await search()).__typename).toBe('QuerySearchVideosSuccess');
    expect((await search()).__typename).toBe('QuerySearchVideosSuccess');
    const tooLong = await search();
    expect(tooLong).toMatchObject({ __typename: 'RateLimitedError' });
    expect(tooLong.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(tooLong.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(callsFor(stack, 'searchAI', key)).toBe(2);
    expect(governor.snapshot().queued.searchAI).toBe(0);
  });
});

describe('the bounded queue', () => {
  let stack: Stack;
  const events: GovernorEvent[] = [];
  beforeAll(async () => {
    stack = await startStack({
      env: {
        // Two a minute and a long maximum wait: the 3rd request stays queued until aborted.
        MAVI_RATE_LIMITS: JSON.stringify({ searchDB: { perMinute: 2 } }),
        GOVERNOR_MAX_WAIT_MS: '60000',
        GOVERNOR_MAX_QUEUE: '1',
        MAVI_COALESCE: 'false',
      },
      gateway: { onGovernorEvent: (event) => events.push(event) },
    });
  });
  afterAll(() => stack.close());

  it('refuses a request that finds it full, and an abort frees the place', async () => {
    const key = stack.newAccount();
    const governor = stack.gateway.services.transport.governor!;
    expect(typenames(await Promise.all([list(stack, key), list(stack, key)]))).toEqual([
      'QueryVideosSuccess',
      'QueryVideosSuccess',
    ]);

    const first = new AbortController();
    const waiting = list(stack, key, first.signal);
    await eventually(() => (governor.snapshot().queued.searchDB === 1 ? true : undefined));

    const full = expectType((await list(stack, key)).data?.videos, 'RateLimitedError');
    // Two tokens are needed before this one: the first ~30 s away, the second ~60 s.
    expect(full.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(full.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(events).toContainEqual(expect.objectContaining({ decision: 'rejected', reason: 'queue-full' }));

    first.abort();
    expect((await waiting).data?.videos?.__typename).toBe('aborted');
    expect(governor.snapshot().queued.searchDB).toBe(0);
    expect(events).toContainEqual(expect.objectContaining({ decision: 'abandoned', reason: 'aborted' }));

    // The place is free again.
    const second = new AbortController();
    const again = list(stack, key, second.signal);
    await eventually(() => (governor.snapshot().queued.searchDB === 1 ? true : undefined));
    second.abort();
    await again;
    expect(callsFor(stack, 'searchDB', key)).toBe(2);
  });
});

describe('with Redis', () => {
  let redis: RedisServer;
  let a: Stack;
  let b: Gateway;
  let inspect: Redis;
  const env = (url: string) => ({
    REDIS_URL: url,
    WEBHOOK_SECRET: 'a-secret-shared-by-every-instance',
    MAVI_RATE_LIMITS: JSON.stringify({ searchDB: { perMinute: 4 } }),
    GOVERNOR_MAX_WAIT_MS: '0',
    MAVI_COALESCE: 'false',
  });

  beforeAll(async () => {
    redis = await startRedis();
    a = await startStack({ env: env(redis.url) });
    b = createGateway({
      config: testConfig(env(redis.url)),
      maviBaseUrl: a.sim.url,
      logger: createLogger('silent'),
    });
    inspect = new Redis(redis.url);
    await eventually(() =>
      [a.gateway, b].every((g) => g.services.transport.governor?.snapshot().store === 'redis')
        ? true
        : undefined,
    );
  });
  afterAll(async () => {
    inspect.disconnect();
    await b.close();
    await a.close();
    await redis.close();
  });

  const onB = (key: string) =>
    Promise.resolve(
      b.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: key },
        body: JSON.stringify({
          query: '{ videos(first: 5) { __typename ... on RateLimitedError { retryAfterSeconds } } }',
        }),
      }),
    ).then(
      async (res) =>
        ((await res.json()) as { data: { videos: { __typename: string; retryAfterSeconds?: number } } }).data
          .videos,
    );

  it('two instances share one budget per credential', async () => {
    const key = a.newAccount();
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      answers.push((await list(a, key)).data?.videos?.__typename ?? '');
      answers.push((await onB(key)).__typename);
    }
    expect(answers).toEqual([
      'QueryVideosSuccess',
      'QueryVideosSuccess',
      'QueryVideosSuccess',
      'QueryVideosSuccess',
      'RateLimitedError',
      'RateLimitedError',
    ]);
    expect(callsFor(a, 'searchDB', key)).toBe(4);
    const refused = await onB(key);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('keys buckets by credential id, endpoint and window, with a TTL, never by the secret', async () => {
    const key = a.newAccount();
    await list(a, key);
    const id = Credential.parse(key).credential!.id;
    const keys = (await inspect.keys('mavi-gw:quota:*')).filter((k) => k.includes(id));
    expect(keys.sort()).toEqual([
      `mavi-gw:quota:{${id}:searchDB}:day`,
      `mavi-gw:quota:{${id}:searchDB}:minute`,
    ]);
    for (const k of keys) expect(await inspect.pttl(k)).toBeGreaterThan(0);
    const all = await inspect.keys('*');
    expect(all.some((k) => k.includes(key))).toBe(false);
  });

  it('falls open to per-instance buckets when Redis goes down: requests are still served', async () => {
    await redis.close();
    const key = a.newAccount();
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < 5; i++) answers.push((await list(a, key)).data?.videos?.__typename);
    // Served from memory, and still within the credential's budget on this instance.
    expect(answers).toEqual([...Array(4).fill('QueryVideosSuccess'), 'RateLimitedError']);
    expect(callsFor(a, 'searchDB', key)).toBe(4);
    expect(a.gateway.services.transport.governor?.snapshot().store).toBe('redis-unavailable');
  });
});

describe('with Redis unreachable from the start', () => {
  let stack: Stack;
  const logs: string[] = [];
  beforeAll(async () => {
    const gone = await startRedis();
    await gone.close();
    stack = await startStack({
      env: {
        REDIS_URL: gone.url,
        WEBHOOK_SECRET: 'a-secret-shared-by-every-instance',
        MAVI_RATE_LIMITS: JSON.stringify({ searchDB: { perMinute: 3 } }),
        GOVERNOR_MAX_WAIT_MS: '0',
        MAVI_COALESCE: 'false',
      },
      gateway: { logger: createLogger('warn', { write: (line: string) => void logs.push(line) }) },
    });
  });
  afterAll(() => stack.close());

  it('serves requests and warns, without the credential in the log', async () => {
    const key = stack.newAccount();
    const answers: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) answers.push((await list(stack, key)).data?.videos?.__typename);
    expect(answers).toEqual([...Array(3).fill('QueryVideosSuccess'), 'RateLimitedError']);
    expect(callsFor(stack, 'searchDB', key)).toBe(3);
    const warning = logs.find((line) => line.includes('fail open'));
    expect(warning).toBeDefined();
    expect(logs.join('\n')).not.toContain(key);
  });
});

describe('configuration', () => {
  it.each([
    ['not JSON', '{searchDB', /MAVI_RATE_LIMITS must be a JSON object/],
    ['an unknown bucket', '{"search":{"perMinute":1}}', /unknown bucket "search"/],
    [
      'a negative limit',
      '{"searchDB":{"perMinute":-1}}',
      /searchDB\.perMinute must be a positive integer or null; got -1/,
    ],
    ['an unknown window', '{"searchDB":{"perHour":5}}', /may only set perMinute and perDay; got "perHour"/],
  ])('refuses MAVI_RATE_LIMITS with %s', (_name, value, message) => {
    expect(() => loadConfig({ MAVI_RATE_LIMITS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ MAVI_RATE_LIMITS: value })).toThrow(message);
  });

  it('defaults to MAVI published limits and lets one window be lifted', () => {
    const config = loadConfig({ MAVI_RATE_LIMITS: '{"searchDB":{"perDay":null}}' });
    expect(config.governor).toMatchObject({ enabled: true, maxWaitMs: 2000, maxQueue: 50 });
    expect(config.governor.limits.searchDB).toEqual({ perMinute: 200, perDay: null });
    expect(config.governor.limits['subTranscription:AUDIO']).toEqual({ perMinute: 50, perDay: 4000 });
    expect(config.governor.limits.delete).toEqual({ perMinute: null, perDay: null });
    expect(loadConfig({ MAVI_GOVERNOR: 'false' }).governor.enabled).toBe(false);
  });

  it('refuses retry settings that contradict each other', () => {
    expect(() => loadConfig({ MAVI_RETRY_BASE_DELAY_MS: '500', MAVI_RETRY_MAX_DELAY_MS: '100' })).toThrow(
      /MAVI_RETRY_MAX_DELAY_MS \(100\) must not be below MAVI_RETRY_BASE_DELAY_MS \(500\)/,
    );
    expect(() => loadConfig({ MAVI_TIMEOUT_MS: '15000', MAVI_RETRY_MAX_ELAPSED_MS: '1000' })).toThrow(
      /MAVI_RETRY_MAX_ELAPSED_MS \(1000\) must not be below MAVI_TIMEOUT_MS \(15000\)/,
    );
  });
});
