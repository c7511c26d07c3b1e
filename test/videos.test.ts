import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetVideoDocument, ListVideosDocument } from '../operations/__generated__/graphql.js';
import { expectType, type Stack, sleep, startStack } from './helpers.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** An account with `count` videos uploaded one minute apart, newest last. */
function libraryOf(count: number, status: 'PARSE' | 'UNPARSE' | 'FAIL' = 'PARSE') {
  const key = stack.newAccount({ seed: false });
  const start = Date.UTC(2025, 0, 1);
  const videos = Array.from({ length: count }, (_, i) =>
    stack.sim.addVideo(key, {
      videoName: `clip-${i}.mp4`,
      uploadTime: start + i * 60_000,
      status,
      duration: 10 + i,
    }),
  );
  return { key, videos, start };
}

describe('videos', () => {
  it('lists newest first with MAVI strings turned into DateTime and Float', async () => {
    const { key, videos } = libraryOf(3);
    const res = await stack.gql(ListVideosDocument, { first: 10 }, { auth: key });
    const page = expectType(res.data?.videos, 'QueryVideosSuccess').data;
    expect(page.totalCount).toBe(3);
    expect(page.edges.map((e) => e.node.videoNo)).toEqual(videos.map((v) => v.videoNo).reverse());
    const newest = page.edges[0]?.node;
    expect(newest).toMatchObject({
      name: 'clip-2.mp4',
      status: 'PARSE',
      uploadedAt: new Date(Date.UTC(2025, 0, 1) + 2 * 60_000).toISOString(),
      durationSeconds: 12,
    });
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('pages with opaque cursors and makes one searchDB call per page', async () => {
    const { key, videos } = libraryOf(45);
    const seen: string[] = [];
    let after: string | null | undefined;
    let pages = 0;
    stack.sim.resetCalls();
    for (;;) {
      const res = await stack.gql(ListVideosDocument, { first: 20, after }, { auth: key });
      const page = expectType(res.data?.videos, 'QueryVideosSuccess').data;
      pages++;
      expect(page.totalCount).toBe(45);
      seen.push(...page.edges.map((e) => e.node.videoNo));
      expect(page.pageInfo.hasPreviousPage).toBe(pages > 1);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(after).toMatch(/^[A-Za-z0-9_-]+$/);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(videos.map((v) => v.videoNo).reverse());
    const calls = stack.sim.callsTo('searchDB');
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => [c.query.page, c.query.pageSize])).toEqual([
      ['1', '20'],
      ['2', '20'],
      ['3', '20'],
    ]);
  });

  it('keeps later pages stable when videos are uploaded while a client pages', async () => {
    const { key, videos } = libraryOf(10);
    const first = await stack.gql(ListVideosDocument, { first: 4 }, { auth: key });
    const page1 = expectType(first.data?.videos, 'QueryVideosSuccess').data;
    // Two uploads land between the first and second page (newest first would shift offsets).
    await sleep(5);
    stack.sim.addVideo(key, { uploadTime: Date.now() });
    stack.sim.addVideo(key, { uploadTime: Date.now() });
    await sleep(5);
    const second = await stack.gql(
      ListVideosDocument,
      { first: 4, after: page1.pageInfo.endCursor },
      { auth: key },
    );
    const page2 = expectType(second.data?.videos, 'QueryVideosSuccess').data;
    const expected = videos.map((v) => v.videoNo).reverse();
    expect(page1.edges.map((e) => e.node.videoNo)).toEqual(expected.slice(0, 4));
    expect(page2.edges.map((e) => e.node.videoNo)).toEqual(expected.slice(4, 8));
    expect(page2.totalCount).toBe(10);
    // A fresh listing sees the new uploads.
    const fresh = await stack.gql(ListVideosDocument, { first: 4 }, { auth: key });
    expect(expectType(fresh.data?.videos, 'QueryVideosSuccess').data.totalCount).toBe(12);
  });

  it('covers an unaligned range with one page when a larger page size fits it', async () => {
    const { key, videos } = libraryOf(30);
    const res1 = await stack.gql(ListVideosDocument, { first: 3 }, { auth: key });
    const cursor = expectType(res1.data?.videos, 'QueryVideosSuccess').data.pageInfo.endCursor;
    stack.sim.resetCalls();
    const res2 = await stack.gql(ListVideosDocument, { first: 5, after: cursor }, { auth: key });
    const page = expectType(res2.data?.videos, 'QueryVideosSuccess').data;
    expect(page.edges.map((e) => e.node.videoNo)).toEqual(
      videos
        .map((v) => v.videoNo)
        .reverse()
        .slice(3, 8),
    );
    expect(stack.sim.callsTo('searchDB')).toHaveLength(1);
  });

  it('filters by status, sending FAIL for PARSE_ERROR as MAVI documents', async () => {
    const key = stack.newAccount({ seed: false });
    const failed = stack.sim.addVideo(key, { status: 'FAIL' });
    stack.sim.addVideo(key, { status: 'PARSE' });
    stack.sim.resetCalls();
    const res = await stack.gql(ListVideosDocument, { filter: { status: 'PARSE_ERROR' } }, { auth: key });
    const page = expectType(res.data?.videos, 'QueryVideosSuccess').data;
    expect(page.edges.map((e) => [e.node.videoNo, e.node.status])).toEqual([[failed.videoNo, 'PARSE_ERROR']]);
    expect(stack.sim.callsTo('searchDB')[0]?.query.videoStatus).toBe('FAIL');
  });

  it('filters by upload time with inclusive bounds', async () => {
    const { key, videos, start } = libraryOf(5);
    const res = await stack.gql(
      ListVideosDocument,
      {
        filter: {
          uploadedAfter: new Date(start + 60_000).toISOString(),
          uploadedBefore: new Date(start + 3 * 60_000).toISOString(),
        },
      },
      { auth: key },
    );
    const page = expectType(res.data?.videos, 'QueryVideosSuccess').data;
    expect(page.edges.map((e) => e.node.videoNo)).toEqual(
      [videos[3], videos[2], videos[1]].map((v) => v?.videoNo),
    );
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 201 }, 'first'],
    [{ after: 'not-a-cursor' }, 'after'],
    [{ after: Buffer.from('[1,-5,1,"x"]').toString('base64url') }, 'after'],
    [{ filter: { uploadedAfter: '2025-02-01T00:00:00Z', uploadedBefore: '2025-01-01T00:00:00Z' } }, 'filter'],
  ])('refuses %j before calling MAVI', async (variables, field) => {
    stack.sim.resetCalls();
    const res = await stack.gql(ListVideosDocument, variables);
    const error = expectType(res.data?.videos, 'InvalidParameterError');
    expect(error).toMatchObject({ code: '0001', retryable: false, field });
    expect(stack.sim.calls).toHaveLength(0);
  });

  it('refuses a cursor from a listing with another filter', async () => {
    const { key } = libraryOf(5);
    const res1 = await stack.gql(ListVideosDocument, { first: 2 }, { auth: key });
    const cursor = expectType(res1.data?.videos, 'QueryVideosSuccess').data.pageInfo.endCursor;
    const res2 = await stack.gql(
      ListVideosDocument,
      { first: 2, after: cursor, filter: { status: 'PARSE' } },
      { auth: key },
    );
    expect(expectType(res2.data?.videos, 'InvalidParameterError').field).toBe('after');
  });

  it('answers an empty library with an empty connection', async () => {
    const key = stack.newAccount({ seed: false });
    const res = await stack.gql(ListVideosDocument, {}, { auth: key });
    const page = expectType(res.data?.videos, 'QueryVideosSuccess').data;
    expect(page).toMatchObject({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });
});

describe('video(videoNo)', () => {
  it('finds a video of this credential', async () => {
    const { key, videos } = libraryOf(3);
    const target = videos[1];
    const res = await stack.gql(GetVideoDocument, { videoNo: target?.videoNo ?? '' }, { auth: key });
    expect(expectType(res.data?.video, 'QueryVideoSuccess').data).toMatchObject({
      videoNo: target?.videoNo,
      name: 'clip-1.mp4',
    });
  });

  it("answers VideoNotFoundError for another credential's video", async () => {
    const { videos } = libraryOf(1);
    const other = stack.newAccount();
    const videoNo = videos[0]?.videoNo ?? '';
    const res = await stack.gql(GetVideoDocument, { videoNo }, { auth: other });
    expect(expectType(res.data?.video, 'VideoNotFoundError')).toMatchObject({
      videoNo,
      code: 'VIDEO_NOT_FOUND',
      retryable: false,
    });
  });

  it('refuses an empty videoNo before calling MAVI', async () => {
    stack.sim.resetCalls();
    const res = await stack.gql(GetVideoDocument, { videoNo: '' });
    expect(expectType(res.data?.video, 'InvalidParameterError').field).toBe('videoNo');
    expect(stack.sim.calls).toHaveLength(0);
  });
});
