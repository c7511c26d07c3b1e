import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListVideosWithClipsDocument, SearchClipsDocument } from '../operations/__generated__/graphql.js';
import { expectType, type Stack, startStack } from './helpers.js';

/**
 * Batching, proven by counting the calls the simulator receives: every field of one request
 * that needs MAVI reaches it through a per-request DataLoader.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** `count` parsed videos, each with one scene about a dog and one about a cat. */
function library(count: number) {
  const key = stack.newAccount({ seed: false });
  const start = Date.UTC(2025, 2, 1);
  const videos = Array.from({ length: count }, (_, i) =>
    stack.sim.addVideo(key, {
      videoName: `pet-${i}.mp4`,
      uploadTime: start + i * 1000,
      status: 'PARSE',
      duration: 30,
      description: 'pets at home',
      scenes: [
        { start: 0, end: 10, text: `a dog number ${i} chases a ball` },
        { start: 10, end: 20, text: 'a cat sleeps on the sofa' },
      ],
    }),
  );
  return { key, videos: videos.map((v) => v.videoNo) };
}

function videoLookups(videoNos: string[]): string {
  const fields = videoNos.map(
    (no, i) =>
      `v${i}: video(videoNo: "${no}") { __typename ... on QueryVideoSuccess { data { videoNo name } } }`,
  );
  return `query Lookups { ${fields.join('\n')} }`;
}

describe('Video.clips', () => {
  it('sends every Video.clips of one request with the same query as one searchVideoFragment call per 50 videos', async () => {
    const { key, videos } = library(120);
    stack.sim.resetCalls();
    const res = await stack.gql(ListVideosWithClipsDocument, { first: 120, query: 'dog' }, { auth: key });
    const edges = expectType(res.data?.videos, 'QueryVideosSuccess').data.edges;
    expect(edges).toHaveLength(120);
    for (const { node } of edges) {
      const clips = expectType(node.clips, 'VideoClipsSuccess').data;
      // Each video gets back exactly its own clips.
      expect(clips.length).toBeGreaterThan(0);
      for (const clip of clips) expect(clip.video.videoNo).toBe(node.videoNo);
    }
    const calls = stack.sim.callsTo('searchVideoFragment');
    expect(
      calls.map((c) => (c.body as { videoNos: string[] }).videoNos.length).sort((a, b) => b - a),
    ).toEqual([50, 50, 20]);
    const sent = calls.flatMap((c) => (c.body as { videoNos: string[] }).videoNos);
    expect(new Set(sent)).toEqual(new Set(videos));
    expect(stack.sim.callsTo('searchDB')).toHaveLength(1);
  });

  it('shares the batch between searchClips and Video.clips of the same query, and splits searchClips past 50', async () => {
    const { key, videos } = library(70);
    stack.sim.resetCalls();
    const res = await stack.gql(SearchClipsDocument, { query: 'dog', videoNos: videos }, { auth: key });
    const clips = expectType(res.data?.searchClips, 'QuerySearchClipsSuccess').data;
    expect(new Set(clips.map((c) => c.video.videoNo))).toEqual(new Set(videos));
    // Merged across the two calls, best score first.
    const scores = clips.map((c) => c.score ?? 0);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(stack.sim.callsTo('searchVideoFragment')).toHaveLength(2);
  });

  it('keeps different queries in different batches', async () => {
    const { key } = library(10);
    stack.sim.resetCalls();
    const res = await stack.gql(
      `query { videos(first: 10) { ... on QueryVideosSuccess { data { edges { node {
        dogs: clips(query: "dog") { __typename }
        cats: clips(query: "cat") { __typename }
        again: clips(query: "dog") { __typename }
      } } } } } }`,
      undefined,
      { auth: key },
    );
    expect(res.errors).toBeUndefined();
    const queries = stack.sim
      .callsTo('searchVideoFragment')
      .map((c) => (c.body as { searchValue: string }).searchValue);
    expect(queries.sort()).toEqual(['cat', 'dog']);
  });
});

describe('video(videoNo)', () => {
  it('turns 200 lookups into one searchDB scan at page size 200', async () => {
    const { key, videos } = library(200);
    stack.sim.resetCalls();
    const res = await stack.gql(videoLookups(videos), undefined, { auth: key });
    expect(res.errors).toBeUndefined();
    const data = res.data as Record<string, { __typename: string; data: { videoNo: string } }>;
    videos.forEach((no, i) => {
      expect(data[`v${i}`]).toMatchObject({ __typename: 'QueryVideoSuccess', data: { videoNo: no } });
    });
    const calls = stack.sim.callsTo('searchDB');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.query).toMatchObject({ page: '1', pageSize: '200' });
  });

  it('stops scanning as soon as every video is found', async () => {
    const { key, videos } = library(650);
    // Newest first at 200 a page: index 649 is on page 1, index 400 on page 2, index 0 on page 4.
    const wanted = [videos[649], videos[400]].filter((v): v is string => v !== undefined);
    stack.sim.resetCalls();
    const res = await stack.gql(videoLookups(wanted), undefined, { auth: key });
    expect(res.errors).toBeUndefined();
    expect(stack.sim.callsTo('searchDB').map((c) => c.query.page)).toEqual(['1', '2']);
  });

  it('reads the whole listing once for a missing video, then answers VideoNotFoundError', async () => {
    const { key, videos } = library(250);
    stack.sim.resetCalls();
    const res = await stack.gql(videoLookups([videos[0] ?? '', 'mavi_video_000000000000000000']), undefined, {
      auth: key,
    });
    const data = res.data as Record<string, { __typename: string }>;
    expect(data.v0?.__typename).toBe('QueryVideoSuccess');
    expect(data.v1?.__typename).toBe('VideoNotFoundError');
    expect(stack.sim.callsTo('searchDB')).toHaveLength(2);
  });

  it('needs no scan for videos the request already listed', async () => {
    const { key, videos } = library(5);
    stack.sim.resetCalls();
    const res = await stack.gql(
      `query { videos(first: 5) { __typename } one: video(videoNo: "${videos[0]}") { __typename } }`,
      undefined,
      { auth: key },
    );
    expect(res.errors).toBeUndefined();
    // The listing page and the lookup scan are both searchDB, but neither is repeated.
    const pages = stack.sim.callsTo('searchDB').map((c) => `${c.query.page}/${c.query.pageSize}`);
    expect(new Set(pages).size).toBe(pages.length);
  });
});

describe('identical reads', () => {
  it('are made once per request', async () => {
    const { key } = library(3);
    stack.sim.resetCalls();
    const res = await stack.gql(
      `query {
        a: searchVideos(query: "dog") { __typename }
        b: searchVideos(query: "dog") { __typename }
        c: searchVideos(query: "cat") { __typename }
        l1: videos(first: 3) { __typename }
        l2: videos(first: 3) { __typename }
      }`,
      undefined,
      { auth: key },
    );
    expect(res.errors).toBeUndefined();
    expect(stack.sim.callsTo('searchAI')).toHaveLength(2);
    expect(stack.sim.callsTo('searchDB')).toHaveLength(1);
  });
});

describe('credential isolation', () => {
  it('gives two credentials interleaved in the same batch window only their own videos', async () => {
    const alice = library(30);
    const bob = library(30);
    const both = [...alice.videos.slice(0, 10), ...bob.videos.slice(0, 10)];
    stack.sim.resetCalls();
    const [forAlice, forBob] = await Promise.all([
      stack.gql(videoLookups(both), undefined, { auth: alice.key }),
      stack.gql(videoLookups(both), undefined, { auth: bob.key }),
    ]);
    const typenames = (res: typeof forAlice) =>
      Object.values(res.data as Record<string, { __typename: string }>).map((v) => v.__typename);
    const found = Array(10).fill('QueryVideoSuccess');
    const missing = Array(10).fill('VideoNotFoundError');
    expect(typenames(forAlice)).toEqual([...found, ...missing]);
    expect(typenames(forBob)).toEqual([...missing, ...found]);
    // Each credential's scan went upstream with that credential only.
    const auths = stack.sim.callsTo('searchDB').map((c) => c.authorization);
    expect(new Set(auths)).toEqual(new Set([alice.key, bob.key]));
  });

  it('never serves one credential a read cached for another in the same tick', async () => {
    const alice = library(3);
    const bob = library(4);
    const [a, b] = await Promise.all([
      stack.gql('{ videos { ... on QueryVideosSuccess { data { totalCount } } } }', undefined, {
        auth: alice.key,
      }),
      stack.gql('{ videos { ... on QueryVideosSuccess { data { totalCount } } } }', undefined, {
        auth: bob.key,
      }),
    ]);
    expect(a.data).toEqual({ videos: { data: { totalCount: 3 } } });
    expect(b.data).toEqual({ videos: { data: { totalCount: 4 } } });
  });
});
