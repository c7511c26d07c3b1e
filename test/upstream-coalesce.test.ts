import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListVideosDocument } from '../operations/__generated__/graphql.js';
import type { MaviEndpoint } from '../src/simulator/types.js';
import { eventually, metric, type Stack, startStack } from './helpers.js';

/**
 * Identical in-flight reads of one credential share one MAVI call, counted on the simulator.
 * A `delay` fault keeps the first call in flight while the others arrive.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { MAVI_RATE_LIMITS: JSON.stringify({ searchAI: { perMinute: 1 } }), GOVERNOR_MAX_WAIT_MS: '0' },
  });
});
afterAll(() => stack.close());

const callsFor = (endpoint: MaviEndpoint, key: string) =>
  stack.sim.callsTo(endpoint).filter((c) => c.authorization === key);

const QUERY =
  '{ searchVideos(query: "dog") { __typename ... on QuerySearchVideosSuccess { data { videoNo } } } }';

/** searchVideos through the gateway, with an abort signal. */
async function search(
  key: string,
  signal?: AbortSignal,
): Promise<{ __typename: string; data?: unknown } | 'aborted'> {
  try {
    const res = await stack.gql<{ searchVideos: { __typename: string; data?: unknown } }, never>(
      QUERY,
      undefined,
      { auth: key, ...(signal ? { signal } : {}) },
    );
    return res.data?.searchVideos ?? 'aborted';
  } catch {
    return 'aborted';
  }
}

/** A library with dog videos, and the first searchAI call held in flight for `ms`. */
function slowAccount(ms = 1000) {
  const key = stack.newAccount({ seed: false });
  stack.sim.addVideo(key, { status: 'PARSE', description: 'a dog runs in the park' });
  stack.sim.addVideo(key, { status: 'PARSE', description: 'a dog sleeps' });
  stack.sim.injectFault({ credential: key, endpoint: 'searchAI', times: 1, kind: { type: 'delay', ms } });
  return key;
}

/** searchAI reads that joined one in flight, as /metrics counts them. */
const coalesced = () =>
  metric(stack.gateway, 'mavi_gateway_upstream_coalesced_total', { endpoint: 'searchAI' });

/** Waits until `n` more readers than at `before` have joined the call in flight. */
const joined = (before: number, n: number) =>
  eventually(async () => ((await coalesced()) === before + n ? true : undefined));

/** Waits until the simulator holds the first call, so the next requests find it in flight. */
const inFlight = (key: string) =>
  eventually(() => (callsFor('searchAI', key).length === 1 ? true : undefined));

describe('identical concurrent reads', () => {
  it('make one upstream call, and every caller gets the answer', async () => {
    const key = slowAccount();
    const before = await coalesced();
    const first = search(key);
    await inFlight(key);
    const results = await Promise.all([first, ...Array.from({ length: 4 }, () => search(key))]);
    expect(callsFor('searchAI', key)).toHaveLength(1);
    expect(await coalesced()).toBe(before + 4);
    expect(results.map((r) => (r === 'aborted' ? r : r.__typename))).toEqual(
      Array(5).fill('QuerySearchVideosSuccess'),
    );
    const answers = results.map((r) => (r === 'aborted' ? null : r.data));
    expect(answers[0]).toHaveLength(2);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it('take one quota token: the shared call fits a budget of one', async () => {
    // searchAI allows 1 a minute in this stack: five separate calls would be refused four times.
    const key = slowAccount();
    const results = await Promise.all(Array.from({ length: 5 }, () => search(key)));
    expect(results.map((r) => (r === 'aborted' ? r : r.__typename))).toEqual(
      Array(5).fill('QuerySearchVideosSuccess'),
    );
    expect(callsFor('searchAI', key)).toHaveLength(1);
  });

  it('are never shared across credentials', async () => {
    const alice = slowAccount();
    const bob = slowAccount();
    const results = await Promise.all([search(alice), search(bob), search(alice), search(bob)]);
    expect(results.every((r) => r !== 'aborted' && r.__typename === 'QuerySearchVideosSuccess')).toBe(true);
    expect(callsFor('searchAI', alice)).toHaveLength(1);
    expect(callsFor('searchAI', bob)).toHaveLength(1);
  });

  it('are not a cache: the same read after the first settled goes upstream again', async () => {
    const key = stack.newAccount();
    const shared = () =>
      metric(stack.gateway, 'mavi_gateway_upstream_coalesced_total', { endpoint: 'searchDB' });
    const before = await shared();
    for (let i = 0; i < 2; i++) {
      const res = await stack.gql(ListVideosDocument, { first: 5 }, { auth: key });
      expect(res.data?.videos?.__typename).toBe('QueryVideosSuccess');
    }
    expect(callsFor('searchDB', key)).toHaveLength(2);
    expect(await shared()).toBe(before);
  });
});

describe('a caller that aborts', () => {
  it('does not break the others: the shared call goes on and they get the answer', async () => {
    const key = slowAccount();
    const before = await coalesced();
    const leaving = new AbortController();
    const first = search(key, leaving.signal);
    await inFlight(key);
    const others = [search(key), search(key)];
    await joined(before, 2);
    leaving.abort();
    expect(await first).toBe('aborted');
    const results = await Promise.all(others);
    expect(results.map((r) => (r === 'aborted' ? r : r.__typename))).toEqual([
      'QuerySearchVideosSuccess',
      'QuerySearchVideosSuccess',
    ]);
    const [call] = callsFor('searchAI', key);
    expect(callsFor('searchAI', key)).toHaveLength(1);
    expect(call?.aborted).toBe(false);
  });

  it('when every caller has aborted, the upstream request is aborted', async () => {
    const key = slowAccount(5000);
    const before = await coalesced();
    const controllers = [new AbortController(), new AbortController()];
    const first = search(key, controllers[0]?.signal);
    await inFlight(key);
    const second = search(key, controllers[1]?.signal);
    await joined(before, 1);
    for (const c of controllers) c.abort();
    expect(await Promise.all([first, second])).toEqual(['aborted', 'aborted']);
    const call = await eventually(() => callsFor('searchAI', key).find((c) => c.aborted));
    expect(call.aborted).toBe(true);
    // The aborted call is gone, not there to be joined: the same read is a new call, which
    // this credential's quota (1 a minute, spent) refuses without calling MAVI.
    expect(await search(key)).toMatchObject({ __typename: 'RateLimitedError' });
    expect(callsFor('searchAI', key)).toHaveLength(1);
    expect(await coalesced()).toBe(before + 1);
  });
});
