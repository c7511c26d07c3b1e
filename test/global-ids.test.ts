import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CachedLibraryDocument,
  type CachedLibraryQuery,
  DeleteCachedVideosDocument,
  VideoNodeDocument,
  VideoNodesDocument,
  ViewerLibraryDocument,
  type ViewerLibraryQuery,
} from '../operations/__generated__/graphql.js';
import { expectType, type GraphQLResponse, type Stack, startStack } from './helpers.js';

/**
 * Global object identification (Node, node, nodes, Video.id) and the Relay-ready library
 * connection (viewer.videos) through HTTP, counting the simulator's searchDB calls.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

function library(count: number) {
  const key = stack.newAccount({ seed: false });
  const start = Date.UTC(2025, 0, 1);
  const videoNos = Array.from(
    { length: count },
    (_, i) =>
      stack.sim.addVideo(key, { videoName: `v-${i}.mp4`, uploadTime: start + i * 1000, status: 'PARSE' })
        .videoNo,
  );
  return { key, videoNos };
}

async function idsOf(key: string, first: number): Promise<Map<string, string>> {
  const res = await stack.gql(CachedLibraryDocument, { first }, { auth: key });
  const { data } = expectType(res.data?.videos, 'QueryVideosSuccess');
  return new Map(data.edges.map((e) => [e.node.videoNo, e.node.id]));
}

describe('Video.id and node', () => {
  it('is opaque and the same in every answer, and node(id) refetches the video', async () => {
    const { key, videoNos } = library(3);
    const first = await idsOf(key, 3);
    const again = await idsOf(key, 3);
    expect(again).toEqual(first);
    const id = first.get(videoNos[1]!)!;
    expect(id).not.toContain(videoNos[1]);
    const res = await stack.gql(VideoNodeDocument, { id }, { auth: key });
    expect(res.errors).toBeUndefined();
    expect(res.data?.node).toMatchObject({ __typename: 'Video', id, videoNo: videoNos[1], status: 'PARSE' });
  });

  it('nodes: any number of ids in one searchDB scan, in order, null for what this credential cannot see', async () => {
    const { key, videoNos } = library(250);
    const ids = await idsOf(key, 200);
    const other = library(1);
    const otherId = (await idsOf(other.key, 1)).get(other.videoNos[0]!)!;
    const wanted = [...ids.values()].slice(0, 120);
    const repeated = wanted[5]!;
    stack.sim.resetCalls();
    const res = await stack.gql(
      VideoNodesDocument,
      {
        ids: [
          ...wanted,
          otherId,
          'not-a-global-id',
          Buffer.from('Transcription:x').toString('base64'),
          repeated,
        ],
      },
      { auth: key },
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data?.nodes ?? [];
    expect(nodes.slice(0, 120).map((n) => n?.id)).toEqual(wanted);
    // Another account's video, a malformed id, a Transcription's id: null, no error.
    expect(nodes.slice(120, 123)).toEqual([null, null, null]);
    expect(nodes[123]?.id).toBe(repeated);
    // The other account's video forces the whole library to be scanned: 2 pages of 200, once.
    expect(stack.sim.callsTo('searchDB')).toHaveLength(2);
    expect(videoNos).toHaveLength(250);
  });

  it('node and nodes without a credential: a GraphQL error carrying the error table', async () => {
    const id = Buffer.from('Video:mavi_video_1').toString('base64');
    const res = await stack.gql(VideoNodeDocument, { id }, { auth: null });
    expect(res.data?.node).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: '0401',
      retryable: false,
      type: 'UnauthorizedError',
    });
    // Nothing to look up: no credential is needed to say so.
    const none = await stack.gql(VideoNodesDocument, { ids: ['garbage'] }, { auth: null });
    expect(none.errors).toBeUndefined();
    expect(none.data?.nodes).toEqual([null]);
  });

  it('deleteVideos answers the global ids of what it deleted', async () => {
    const { key, videoNos } = library(2);
    const ids = await idsOf(key, 2);
    const res = await stack.gql(DeleteCachedVideosDocument, { videoNos }, { auth: key });
    const { data } = expectType(res.data?.deleteVideos, 'MutationDeleteVideosSuccess');
    expect(data.deletedIds).toEqual(videoNos.map((no) => ids.get(no)));
    const gone = await stack.gql(VideoNodesDocument, { ids: data.deletedIds }, { auth: key });
    expect(gone.data?.nodes).toEqual([null, null]);
  });
});

describe('viewer.videos', () => {
  it('pages as videos does: the same videos, totals and pages', async () => {
    const { key } = library(45);
    let after = null as string | null;
    const seen: string[] = [];
    for (;;) {
      const [viaViewer, viaVideos]: [
        GraphQLResponse<ViewerLibraryQuery>,
        GraphQLResponse<CachedLibraryQuery>,
      ] = await Promise.all([
        stack.gql(ViewerLibraryDocument, { first: 20, after }, { auth: key }),
        stack.gql(CachedLibraryDocument, { first: 20, after }, { auth: key }),
      ]);
      expect(viaViewer.errors).toBeUndefined();
      const connection = viaViewer.data?.viewer?.videos;
      const listed = expectType(viaVideos.data?.videos, 'QueryVideosSuccess').data;
      // Cursors hold the listing window, which the first page of each request closes at its own now.
      const uncursored = (c: typeof listed | undefined) => ({
        totalCount: c?.totalCount,
        hasNextPage: c?.pageInfo.hasNextPage,
        nodes: c?.edges.map((e) => e.node),
      });
      expect(uncursored(connection)).toEqual(uncursored(listed));
      seen.push(...(connection?.edges ?? []).map((e) => e.node.videoNo));
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor ?? null;
    }
    expect(new Set(seen).size).toBe(45);
  });

  it.each([
    [
      'no credential',
      () => ({ vars: { first: 5 }, auth: null }),
      { code: '0401', retryable: false, type: 'UnauthorizedError' },
    ],
    [
      'first out of range',
      () => ({ vars: { first: 0 }, auth: undefined }),
      { code: '0001', retryable: false, type: 'InvalidParameterError', field: 'first' },
    ],
    [
      'a cursor from elsewhere',
      () => ({ vars: { first: 5, after: 'bm9wZQ' }, auth: undefined }),
      { code: '0001', retryable: false, type: 'InvalidParameterError', field: 'after' },
    ],
  ] as const)('%s: viewer is null and the error carries the table', async (_, input, extensions) => {
    const { vars, auth } = input();
    const res = await stack.gql(ViewerLibraryDocument, vars, auth === undefined ? {} : { auth });
    expect(res.status).toBe(200);
    expect(res.data?.viewer).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions).toEqual(extensions);
    expect(res.errors?.[0]?.message).not.toBe('Unexpected error.');
  });

  it.each([
    [
      'MAVI 0429',
      { type: 'code', code: '0429' } as const,
      { code: '0429', retryable: true, type: 'RateLimitedError' },
      'RateLimitedError',
    ],
    [
      'HTTP 503',
      { type: 'http', status: 503 } as const,
      { code: 'UPSTREAM_HTTP_ERROR', retryable: true, type: 'UpstreamError', httpStatus: 503 },
      'UpstreamError',
    ],
  ])(
    '%s: a GraphQL error on viewer, the same member as ever on videos',
    async (_, kind, extensions, member) => {
      const { key } = library(1);
      stack.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind });
      const res = await stack.gql(ViewerLibraryDocument, { first: 5 }, { auth: key });
      expect(res.data?.viewer).toBeNull();
      expect(res.errors?.[0]?.extensions).toMatchObject(extensions);
      expect((res.errors?.[0] as { path?: unknown } | undefined)?.path).toEqual(['viewer', 'videos']);
      stack.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind });
      const union = await stack.gql(CachedLibraryDocument, { first: 5 }, { auth: key });
      expect(union.errors).toBeUndefined();
      const { type, ...fields } = extensions;
      expect(type).toBe(member);
      expect(union.data?.videos).toMatchObject({ __typename: member, ...fields });
    },
  );
});
