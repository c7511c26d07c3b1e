import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { Client, fetchExchange } from '@urql/core';
import { print } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LibraryWithDeferredSearchDocument,
  ListVideosDeferredClipsDocument,
} from '../operations/__generated__/graphql.js';
import { createLogger } from '../src/logger.js';
import { useMaskIncrementalErrors } from '../src/plugins/use-mask-incremental-errors.js';
import { type Stack, startStack } from './helpers.js';

/**
 * @defer and @stream as Apollo Client and urql consume them (multipart/mixed), and the
 * gateway's other plugins with the incremental executor.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** `count` parsed videos of a new account, each with a scene about a dog. */
function library(target: Stack, count: number) {
  const key = target.newAccount({ seed: false });
  const start = Date.UTC(2025, 2, 1);
  const videos = Array.from({ length: count }, (_, i) =>
    target.sim.addVideo(key, {
      videoName: `pet-${i}.mp4`,
      uploadTime: start + i * 1000,
      status: 'PARSE',
      duration: 30,
      scenes: [{ start: 0, end: 10, text: `a dog number ${i} chases a ball` }],
    }),
  );
  return { key, videos: videos.map((v) => v.videoNo) };
}

const MULTIPART = 'multipart/mixed;deferSpec=20220824, application/json';

/** The parts of a multipart/mixed answer, parsed. */
async function parts(res: Response): Promise<Record<string, unknown>[]> {
  const boundary = /boundary="?([^";]+)"?/.exec(res.headers.get('content-type') ?? '')?.[1] ?? '-';
  const text = await res.text();
  return text
    .split(`--${boundary}`)
    .map((part) => part.slice(part.indexOf('\r\n\r\n') + 4).trim())
    .filter((body) => body.startsWith('{'))
    .map((body) => JSON.parse(body));
}

function post(
  target: Stack,
  query: string,
  variables: Record<string, unknown>,
  key: string,
  accept = MULTIPART,
) {
  return target.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: key },
    body: JSON.stringify({ query, variables }),
  });
}

const fragmentBatches = (target: Stack) =>
  target.sim
    .callsTo('searchVideoFragment')
    .map((c) => (c.body as { videoNos: string[] }).videoNos.length)
    .sort((a, b) => b - a);

describe('@defer', () => {
  it('Apollo Client: the list first, then every deferred Video.clips, still one searchVideoFragment call per 50 videos', async () => {
    const { key, videos } = library(stack, 120);
    stack.sim.resetCalls();
    const contentTypes: string[] = [];
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      incrementalHandler: new Defer20220824Handler(),
      link: new HttpLink({
        uri: 'http://gateway.test/graphql',
        headers: { authorization: key },
        fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
          const res = await stack.gateway.yoga.fetch(new Request(input, init));
          contentTypes.push(res.headers.get('content-type') ?? '');
          return res;
        }) as typeof fetch,
      }),
    });
    const seen: { edges: number; withClips: number }[] = [];
    const final = await new Promise<unknown>((resolve, reject) => {
      const subscription = client
        .watchQuery({
          query: ListVideosDeferredClipsDocument,
          variables: { first: 120, query: 'dog' },
          fetchPolicy: 'no-cache',
        })
        .subscribe({
          next: (result) => {
            const videosField = result.data?.videos;
            if (videosField?.__typename !== 'QueryVideosSuccess') return;
            const edges = videosField.data?.edges ?? [];
            seen.push({
              edges: edges.length,
              withClips: edges.filter((e) => e?.node && 'clips' in e.node && e.node.clips).length,
            });
            if (!result.dataState || result.dataState === 'complete') {
              subscription.unsubscribe();
              resolve(result.data);
            }
          },
          error: reject,
        });
    });
    expect(contentTypes[0]).toMatch(/^multipart\/mixed/);
    // The list came before its clips.
    expect(seen[0]).toEqual({ edges: 120, withClips: 0 });
    expect(seen.at(-1)).toEqual({ edges: 120, withClips: 120 });
    const edges = (
      final as { videos: { data: { edges: { node: { videoNo: string; clips: { __typename: string } } }[] } } }
    ).videos.data.edges;
    for (const { node } of edges) expect(node.clips.__typename).toBe('VideoClipsSuccess');
    expect(fragmentBatches(stack)).toEqual([50, 50, 20]);
    const sent = stack.sim
      .callsTo('searchVideoFragment')
      .flatMap((c) => (c.body as { videoNos: string[] }).videoNos);
    expect(new Set(sent)).toEqual(new Set(videos));
  });

  it('urql: deferred clips and a deferred, streamed searchVideos arrive as patches of one result', async () => {
    const { key } = library(stack, 3);
    const client = new Client({
      url: 'http://gateway.test/graphql',
      exchanges: [fetchExchange],
      fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
        stack.gateway.yoga.fetch(new Request(input, init))) as typeof fetch,
      fetchOptions: { headers: { authorization: key } },
      preferGetMethod: false,
      requestPolicy: 'network-only',
    });
    const results: { hasNext: boolean; data: unknown }[] = [];
    await new Promise<void>((resolve) => {
      client.query(LibraryWithDeferredSearchDocument, { first: 3, query: 'dog' }).subscribe((result) => {
        results.push({ hasNext: result.hasNext, data: result.data });
        if (!result.hasNext) resolve();
      });
    });
    expect(results.length).toBeGreaterThan(1);
    expect((results[0]?.data as { searchVideos?: unknown } | undefined)?.searchVideos).toBeUndefined();
    const last = results.at(-1)?.data as {
      videos: { data: { totalCount: number } };
      searchVideos: { __typename: string; data: { videoNo: string }[] };
    };
    expect(last.videos.data.totalCount).toBe(3);
    expect(last.searchVideos.__typename).toBe('QuerySearchVideosSuccess');
    expect(last.searchVideos.data.length).toBeGreaterThan(0);
  });

  it('on the wire: the initial part without the deferred fields, then incremental parts', async () => {
    const { key } = library(stack, 2);
    const res = await post(stack, print(ListVideosDeferredClipsDocument), { first: 2, query: 'dog' }, key);
    expect(res.status).toBe(200);
    const [initial, ...rest] = await parts(res);
    expect(initial).toMatchObject({ hasNext: true });
    expect(JSON.stringify(initial)).not.toContain('"clips"');
    expect(rest.at(-1)).toMatchObject({ hasNext: false });
    expect(rest.flatMap((p) => (p.incremental as unknown[]) ?? [])).toHaveLength(2);
  });

  it('a client that accepts only JSON gets the whole answer at once', async () => {
    const { key } = library(stack, 2);
    const res = await post(
      stack,
      print(ListVideosDeferredClipsDocument),
      { first: 2, query: 'dog' },
      key,
      'application/json',
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      data: { videos: { data: { edges: { node: { clips: { __typename: string } } }[] } } };
    };
    expect(body.data.videos.data.edges.map((e) => e.node.clips.__typename)).toEqual([
      'VideoClipsSuccess',
      'VideoClipsSuccess',
    ]);
  });

  it('typed errors of the result unions arrive inside deferred fragments', async () => {
    const { key } = library(stack, 2);
    stack.sim.injectFault({
      credential: key,
      endpoint: 'searchVideoFragment',
      times: 1,
      kind: { type: 'http', status: 503 },
    });
    const res = await post(stack, print(ListVideosDeferredClipsDocument), { first: 2, query: 'dog' }, key);
    const incremental = (await parts(res)).flatMap(
      (p) => (p.incremental as { data: { clips: { __typename: string; code?: string } } }[]) ?? [],
    );
    expect(incremental.map((i) => i.data.clips)).toEqual([
      expect.objectContaining({ __typename: 'UpstreamError', code: 'UPSTREAM_HTTP_ERROR' }),
      expect.objectContaining({ __typename: 'UpstreamError', code: 'UPSTREAM_HTTP_ERROR' }),
    ]);
    stack.sim.clearFaults();
  });
});

describe('the other plugins with the incremental executor', () => {
  it('the cost limit counts deferred fields and refuses before MAVI is called', async () => {
    const s = await startStack({ env: { MAX_QUERY_COST: '1000' } });
    try {
      const { key } = library(s, 2);
      s.sim.resetCalls();
      const res = await post(s, print(ListVideosDeferredClipsDocument), { first: 100, query: 'dog' }, key);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]?.extensions.code).toBe('QUERY_TOO_COSTLY');
      expect(s.sim.calls).toHaveLength(0);
    } finally {
      await s.close();
    }
  });

  it('the directive limit counts @defer and @stream', async () => {
    const s = await startStack({ env: { MAX_QUERY_DIRECTIVES: '1' } });
    try {
      const res = await post(
        s,
        print(LibraryWithDeferredSearchDocument),
        { first: 1, query: 'dog' },
        s.newAccount(),
      );
      expect(res.status).toBe(400);
      expect(
        ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
      ).toBe('TOO_MANY_DIRECTIVES');
    } finally {
      await s.close();
    }
  });

  it('the variable check refuses bad variables of a deferred document', async () => {
    const res = await post(
      stack,
      print(ListVideosDeferredClipsDocument),
      { first: 'many', query: 'dog' },
      stack.newAccount(),
    );
    expect(res.status).toBe(400);
    expect(
      ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code,
    ).toBe('BAD_USER_INPUT');
  });

  it('graphql-jit never compiles a deferred document: past the threshold it is still incremental', async () => {
    const { key } = library(stack, 2);
    for (let i = 0; i < 25; i++) {
      const res = await post(stack, print(ListVideosDeferredClipsDocument), { first: 2, query: 'dog' }, key);
      const all = await parts(res);
      expect(all.length).toBeGreaterThan(1);
      expect(all[0]).toMatchObject({ hasNext: true });
    }
  });

  it('unexpected errors inside deferred fragments are masked, as top-level ones are', async () => {
    // No MAVI fault makes a gateway resolver throw an untyped error (they all become typed
    // errors), so the plugin is shown on a schema whose deferred field does.
    const schema = createSchema({
      typeDefs: 'type Query { ok: String, boom: String }',
      resolvers: {
        Query: {
          ok: () => 'ok',
          boom: () => {
            throw new Error('upstream said: key sk-0123456789abcdef is disabled');
          },
        },
      },
    });
    const answer = async (plugins: Parameters<typeof createYoga>[0]['plugins']) => {
      const yoga = createYoga({ schema, maskedErrors: { isDev: false }, logging: false, plugins });
      const res = await yoga.fetch('http://x/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: MULTIPART },
        body: JSON.stringify({ query: '{ ok ... @defer { boom } }' }),
      });
      return res.text();
    };
    // What yoga alone does: the deferred error keeps its message.
    expect(await answer([useDeferStream()])).toContain('sk-0123456789abcdef');
    const masked = await answer([
      useDeferStream(),
      useMaskIncrementalErrors({ logger: createLogger('silent') }),
    ]);
    expect(masked).not.toContain('sk-0123456789abcdef');
    expect(masked).toContain('"message":"Unexpected error."');
    expect(masked).toContain('"ok":"ok"');
  });

  it('telemetry counts an incremental answer as a stream', async () => {
    const { key } = library(stack, 1);
    const count = async () =>
      (await stack.gateway.metrics.operations.get()).values.find(
        (v) => v.labels.operation_type === 'query' && v.labels.outcome === 'stream',
      )?.value ?? 0;
    const before = await count();
    await (await post(stack, print(ListVideosDeferredClipsDocument), { first: 1, query: 'dog' }, key)).text();
    expect(await count()).toBe(before + 1);
  });
});
