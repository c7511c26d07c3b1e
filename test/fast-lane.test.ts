import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from '../bench/lib/client.js';
import {
  ChatStreamDocument,
  ListVideosDocument,
  WatchVideosDocument,
} from '../operations/__generated__/graphql.js';
import { YOGA_SSE_PROCESSOR } from '../src/fast-lane.js';
import { createLogger } from '../src/logger.js';
import { type Simulator, startSimulator } from '../src/simulator/index.js';
import { createGateway, eventually, FAST_SIMULATOR, type Gateway, listen, testConfig } from './helpers.js';

/**
 * The fast lane (src/fast-lane.ts) against yoga alone: the same corpus of requests through a
 * gateway with FAST_LANE on and one with it off, over real sockets (the node:http listener)
 * and through yoga.fetch (the in-process entry the other tests use), their answers compared:
 * status, the headers that carry meaning, and the body. Every other HTTP test runs through the
 * lane by default and through yoga alone with `FAST_LANE=false`.
 */

interface Case {
  name: string;
  method?: 'GET' | 'POST' | 'PUT';
  /** Path and query string; default /graphql. */
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whether the lane should serve it itself (the others it hands to yoga, or never takes). */
  lane: boolean;
  /** No credential header (default: the account's key). */
  anonymous?: boolean;
}

const listVideos = text(ListVideosDocument);
const json = (value: unknown) => JSON.stringify(value);
const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const query = (q: string, extra: Record<string, unknown> = {}) => json({ query: q, ...extra });

const MAX_BODY_BYTES = 20_000;

const corpus: Case[] = [
  {
    name: 'ListVideos',
    body: json({ query: listVideos, variables: { first: 3 }, operationName: 'ListVideos' }),
    lane: true,
  },
  {
    name: 'ListVideos, application/json',
    headers: { accept: 'application/json' },
    body: json({ query: listVideos, variables: { first: 2 } }),
    lane: true,
  },
  {
    name: 'no Accept',
    headers: { accept: '' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'Accept */*',
    headers: { accept: '*/*' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'Accept in order json, graphql-response',
    headers: { accept: `application/json, ${GRAPHQL_RESPONSE}` },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'Accept with q and charset',
    headers: { accept: `${GRAPHQL_RESPONSE};charset=utf-8, application/json;q=0.9` },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'Accept a charset that is not utf-8',
    headers: { accept: 'application/json; charset=latin1' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'Accept text/plain: 406',
    headers: { accept: 'text/plain' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'Accept text/event-stream (SSE, distinct connection)',
    headers: { accept: 'text/event-stream' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'Accept multipart/mixed',
    headers: { accept: 'multipart/mixed' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'content type with charset',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'no credential: a typed error',
    anonymous: true,
    body: query('{ videos(first: 1) { __typename ... on Error { code message } } }'),
    lane: true,
  },
  {
    name: 'a bad credential',
    headers: { authorization: 'sk-not-a-key' },
    body: query('{ videos(first: 1) { __typename ... on Error { code message } } }'),
    lane: true,
  },
  { name: 'a validation error', body: query('{ videos(first: 1) { nope } }'), lane: true },
  {
    name: 'a validation error, application/json',
    headers: { accept: 'application/json' },
    body: query('{ videos(first: 1) { nope } }'),
    lane: true,
  },
  { name: 'a syntax error', body: query('{ videos(first: 1) { '), lane: true },
  {
    name: 'a syntax error, application/json',
    headers: { accept: 'application/json' },
    body: query('{ videos('),
    lane: true,
  },
  {
    name: 'a variable of the wrong type',
    body: json({ query: listVideos, variables: { first: 'many' } }),
    lane: true,
  },
  {
    name: 'a variable over its bound',
    body: json({ query: listVideos, variables: { first: 1_000_000 } }),
    lane: true,
  },
  { name: 'an unknown operation name', body: json({ query: listVideos, operationName: 'Nope' }), lane: true },
  {
    name: 'two operations, no name',
    body: query('query A { videos(first: 1) { __typename } } query B { videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'too deep',
    body: query(
      `{ videos(first: 1) { ${'... on QueryVideosSuccess { data { edges { node { clips(query: "x") { ... on VideoClipsSuccess { data { video { '.repeat(4)} videoNo ${'} } } } } } } }'.repeat(4)} } }`,
    ),
    lane: true,
  },
  {
    name: 'too many aliases',
    body: query(
      `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: videos(first: 1) { __typename }`).join(' ')} }`,
    ),
    lane: true,
  },
  {
    name: 'a mutation',
    body: query('mutation { deleteVideos(videoNos: ["mavi_video_000000000000000001"]) { __typename } }'),
    lane: true,
  },
  {
    name: 'a subscription over POST, application/json',
    headers: { accept: 'application/json' },
    body: query('subscription { videoStatusChanged { __typename } }'),
    lane: true,
  },
  {
    name: '@defer, multipart/mixed',
    headers: { accept: 'multipart/mixed' },
    body: query(
      '{ videos(first: 1) { __typename ... @defer { ... on QueryVideosSuccess { data { totalCount } } } } }',
    ),
    lane: true,
  },
  {
    name: '@defer, application/json',
    headers: { accept: 'application/json' },
    body: query(
      '{ videos(first: 1) { __typename ... @defer { ... on QueryVideosSuccess { data { totalCount } } } } }',
    ),
    lane: true,
  },
  { name: 'introspection', body: query('{ __schema { queryType { name } } }'), lane: true },
  {
    name: 'variables null, operationName null',
    body: json({ query: '{ videos(first: 1) { __typename } }', variables: null, operationName: null }),
    lane: true,
  },
  {
    name: 'CORS: a listed origin',
    headers: { origin: 'https://app.example' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'CORS: an unlisted origin',
    headers: { origin: 'https://evil.example' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: true,
  },
  {
    name: 'CORS: a listed origin, an error',
    headers: { origin: 'https://app.example' },
    body: query('{ nope }'),
    lane: true,
  },
  // Handed to yoga, or never taken.
  { name: 'not JSON', body: '{"query": ', lane: false },
  { name: 'a JSON string', body: '"{ videos { __typename } }"', lane: false },
  { name: 'JSON null', body: 'null', lane: false },
  { name: 'no query', body: '{}', lane: false },
  { name: 'a query that is not a string', body: json({ query: 42 }), lane: false },
  {
    name: 'variables that are not an object',
    body: json({ query: listVideos, variables: [1] }),
    lane: false,
  },
  { name: 'an unknown parameter', body: json({ query: listVideos, nope: 1 }), lane: false },
  {
    name: 'a batch',
    body: json([{ query: '{ videos(first: 1) { __typename } }' }, { query: '{ nope }' }]),
    lane: false,
  },
  {
    name: 'APQ: a hash alone',
    body: json({ extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
    lane: false,
  },
  {
    name: 'APQ: a query and its hash',
    body: json({
      query: '{ videos(first: 1) { __typename } }',
      extensions: {
        persistedQuery: {
          version: 1,
          sha256Hash: createHash('sha256').update('{ videos(first: 1) { __typename } }').digest('hex'),
        },
      },
    }),
    lane: false,
  },
  { name: 'a documentId', body: json({ documentId: `sha256:${'b'.repeat(64)}` }), lane: false },
  {
    name: 'over the body limit',
    body: query(`{ videos(first: 1) { __typename } } ${'#'.repeat(MAX_BODY_BYTES)}`),
    lane: false,
  },
  {
    name: 'text/plain: CSRF',
    headers: { 'content-type': 'text/plain' },
    anonymous: true,
    body: query('{ videos(first: 1) { __typename } }'),
    lane: false,
  },
  {
    name: 'form-encoded',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'query=%7B%20videos(first%3A%201)%20%7B%20__typename%20%7D%20%7D',
    lane: false,
  },
  {
    name: 'a query string',
    path: '/graphql?x=1',
    body: query('{ videos(first: 1) { __typename } }'),
    lane: false,
  },
  {
    name: 'GET',
    method: 'GET',
    path: '/graphql?query=%7B%20videos(first%3A%201)%20%7B%20__typename%20%7D%20%7D',
    lane: false,
  },
  {
    name: 'GET without a credential: CSRF',
    method: 'GET',
    anonymous: true,
    path: '/graphql?query=%7B%20videos(first%3A%201)%20%7B%20__typename%20%7D%20%7D',
    lane: false,
  },
  { name: 'another path', path: '/nope', body: query('{ videos(first: 1) { __typename } }'), lane: false },
  { name: 'PUT (graphql-sse reservation)', method: 'PUT', lane: false },
  {
    name: 'a stream token',
    headers: { 'x-graphql-event-stream-token': 'nope' },
    body: query('{ videos(first: 1) { __typename } }'),
    lane: false,
  },
];

/** Headers whose values differ between two answers by nature, not meaning. */
const TRANSIENT = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/** Cursors hold the time of the listing's first read, and durations vary: neither is meaning. */
function normalise(body: string): string {
  return body
    .replace(/"(cursor|startCursor|endCursor)":"[^"]*"/g, '"$1":"<cursor>"')
    .replace(/"durationMs":[\d.]+/g, '"durationMs":0');
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function read(response: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // Names are case-insensitive; yoga's in-process Headers keep the case they were set in.
    if (!TRANSIENT.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  });
  return { status: response.status, headers, body: normalise(await response.text()) };
}

let sim: Simulator;
let key: string;
const gateways: Record<'lane' | 'yoga', Gateway> = {} as never;
const sockets: Record<'lane' | 'yoga', Awaited<ReturnType<typeof listen>>> = {} as never;

beforeAll(async () => {
  sim = await startSimulator(FAST_SIMULATOR);
  key = sim.createAccount({ seed: true }).apiKey;
  for (const name of ['lane', 'yoga'] as const) {
    gateways[name] = createGateway({
      config: testConfig({
        FAST_LANE: name === 'lane' ? 'true' : 'false',
        MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        CORS_ORIGINS: 'https://app.example,https://other.example',
        APQ: 'true',
      }),
      maviBaseUrl: sim.url,
      logger: createLogger('silent'),
    });
    sockets[name] = await listen(gateways[name].yoga as never);
  }
  // The seeded library holds one video that turns from UNPARSE to PARSE after the parse delay:
  // compare answers only once it has, or the two gateways would read two different libraries.
  await eventually(async () => {
    const res = await gateways.yoga.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: key },
      body: query(
        '{ videos(first: 50) { ... on QueryVideosSuccess { data { edges { node { status } } } } } }',
      ),
    });
    return (await res.text()).includes('UNPARSE') ? undefined : true;
  });
});
afterAll(async () => {
  for (const name of ['lane', 'yoga'] as const) {
    await sockets[name]?.close();
    await gateways[name]?.close();
  }
  await sim?.close();
});

function init(c: Case): RequestInit {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: GRAPHQL_RESPONSE,
    ...(c.anonymous ? {} : { authorization: key }),
    ...c.headers,
  };
  for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
  return { method: c.method ?? 'POST', headers, ...(c.body === undefined ? {} : { body: c.body }) };
}

describe('the fast lane answers as yoga does', () => {
  it.each(corpus.map((c) => [c.name, c] as const))('over a socket: %s', async (_name, c) => {
    const path = c.path ?? '/graphql';
    const before = { ...gateways.lane.lane };
    const lane = await read(await fetch(`${sockets.lane.url}${path}`, init(c)));
    const served = gateways.lane.lane.served - before.served;
    const yoga = await read(await fetch(`${sockets.yoga.url}${path}`, init(c)));
    expect(lane).toEqual(yoga);
    expect(lane.status).toBeLessThan(500);
    expect(served, c.lane ? 'served by the lane' : 'left to yoga').toBe(c.lane ? 1 : 0);
    expect(gateways.yoga.lane).toEqual({ served: 0, handedOver: 0 });
  });

  it.each(corpus.map((c) => [c.name, c] as const))('through yoga.fetch: %s', async (_name, c) => {
    const url = `http://gateway.test${c.path ?? '/graphql'}`;
    const before = { ...gateways.lane.lane };
    const lane = await read(await gateways.lane.yoga.fetch(url, init(c)));
    const served = gateways.lane.lane.served - before.served;
    const yoga = await read(await gateways.yoga.yoga.fetch(url, init(c)));
    expect(lane).toEqual(yoga);
    expect(served, c.lane ? 'served by the lane' : 'left to yoga').toBe(c.lane ? 1 : 0);
  });

  it('leaves every onRequest plugin its own request: the inventory src/fast-lane.ts states', () => {
    // A new onRequest plugin changes this count: decide whether the lane must leave its
    // requests to yoga (src/fast-lane.ts, `onLane`), then update the count.
    const plugins = (gateways.lane.yoga as unknown as { plugins: ({ onRequest?: unknown } | null)[] })
      .plugins;
    expect(plugins.filter((p) => typeof p?.onRequest === 'function').length).toBe(8);
  });
});

/** Yoga's keep-alive comments come on a timer (300 ms under NODE_ENV=test): not meaning either. */
const withoutPings = (body: string) => body.replaceAll(':\n\n', '');

describe('subscriptions over SSE: the lane writes the event stream as yoga does', () => {
  let parsed: string;
  beforeAll(async () => {
    const res = await gateways.yoga.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: key },
      body: query(
        '{ videos(first: 50) { ... on QueryVideosSuccess { data { edges { node { videoNo status } } } } } }',
      ),
    });
    const edges = (
      (await res.json()) as {
        data: { videos: { data: { edges: { node: { videoNo: string; status: string } }[] } } };
      }
    ).data.videos.data.edges;
    parsed = edges.find((e) => e.node.status === 'PARSE')?.node.videoNo as string;
    expect(parsed).toBeTruthy();
  });

  const sse = (body: string, extra: Record<string, string> = {}): Case => ({
    name: '',
    headers: { accept: 'text/event-stream', ...extra },
    body,
    lane: true,
  });
  const cases: [string, () => Case, { events: number }][] = [
    [
      'chatStream: every delta, then complete',
      () =>
        sse(
          json({
            query: text(ChatStreamDocument),
            variables: { input: { videoNos: [parsed], message: 'What happens?' } },
          }),
        ),
      { events: 2 },
    ],
    [
      'videoStatusChanged of a finished video: completes at once',
      () => sse(json({ query: text(WatchVideosDocument), variables: { videoNos: [parsed] } })),
      { events: 0 },
    ],
    [
      'videoStatusChanged of an unknown video: a typed error, then complete',
      () =>
        sse(json({ query: text(WatchVideosDocument), variables: { videoNos: ['VI000000000000000000'] } })),
      { events: 1 },
    ],
    [
      'no credential: a typed error, then complete',
      () => ({
        ...sse(json({ query: text(WatchVideosDocument), variables: { videoNos: [parsed] } })),
        anonymous: true,
      }),
      { events: 1 },
    ],
    [
      'invalid chat input: a typed error, then complete',
      () => sse(query('subscription { chatStream(input: { videoNos: [], message: "" }) { __typename } }')),
      { events: 1 },
    ],
    [
      "a validation error asked for as SSE: yoga's own answer",
      () => sse(query('subscription { videoStatusChanged { nope } }')),
      { events: 1 },
    ],
  ];

  it.each(cases)('%s', async (_name, make, expected) => {
    const c = make();
    const before = { ...gateways.lane.lane };
    const laneRes = await fetch(`${sockets.lane.url}/graphql`, init(c));
    const lane = await read(laneRes);
    const served = gateways.lane.lane.served - before.served;
    const yoga = await read(await fetch(`${sockets.yoga.url}/graphql`, init(c)));
    expect(lane.body.startsWith(':\n\n'), 'a ping first, as yoga sends').toBe(true);
    expect({ ...lane, body: withoutPings(lane.body) }).toEqual({ ...yoga, body: withoutPings(yoga.body) });
    expect(lane.body).toContain('event: complete');
    expect(lane.body.split('event: next').length - 1).toBeGreaterThanOrEqual(expected.events);
    if (expected.events === 0) expect(lane.body).not.toContain('event: next');
    expect(served, 'served by the lane').toBe(1);
  });

  it('ends the subscription when the client goes away, and pings while it waits', async () => {
    const open = async () =>
      (await gateways.lane.metrics.subscriptionsActive.get()).values.find(
        (v) => v.labels.operation === 'videoStatusChanged',
      )?.value ?? 0;
    const before = await open();
    const controller = new AbortController();
    // Every video of the credential: the subscription stays open until the client leaves.
    const res = await fetch(`${sockets.lane.url}/graphql`, {
      ...init(sse(json({ query: text(WatchVideosDocument), variables: { videoNos: null } }))),
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    // The first ping at once, the next after the interval (300 ms under NODE_ENV=test).
    expect(decoder.decode((await reader.read()).value)).toBe(':\n\n');
    expect(decoder.decode((await reader.read()).value)).toBe(':\n\n');
    await eventually(async () => ((await open()) === before + 1 ? true : undefined));
    controller.abort();
    await reader.cancel().catch(() => {});
    await eventually(async () => ((await open()) === before ? true : undefined));
  });
});

it("recognises yoga's SSE processor by the name the lane looks for", async () => {
  const { getSSEProcessor } = await import('graphql-yoga');
  expect(getSSEProcessor().name).toBe(YOGA_SSE_PROCESSOR);
});
