import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteVideosDocument } from '../operations/__generated__/graphql.js';
import { expectType, type Stack, startStack } from './helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

function library(count: number) {
  const key = stack.newAccount({ seed: false });
  const videos = Array.from({ length: count }, () => stack.sim.addVideo(key).videoNo);
  return { key, videos };
}

describe('deleteVideos', () => {
  it('sends MAVI bare JSON arrays of at most 500, one chunk after another', async () => {
    const { key, videos } = library(1200);
    stack.sim.resetCalls();
    const res = await stack.gql(DeleteVideosDocument, { videoNos: videos }, { auth: key });
    const payload = expectType(res.data?.deleteVideos, 'MutationDeleteVideosSuccess').data;
    expect(payload).toEqual({ deletedVideoNos: videos, notDeletedVideoNos: [], failure: null });
    const calls = stack.sim.callsTo('delete');
    expect(calls.map((c) => c.method)).toEqual(['DELETE', 'DELETE', 'DELETE']);
    expect(calls.map((c) => (Array.isArray(c.body) ? c.body.length : 'not an array'))).toEqual([
      500, 500, 200,
    ]);
    expect(calls.flatMap((c) => c.body as string[])).toEqual(videos);
    expect(stack.sim.account(key)?.videos.size).toBe(0);
  });

  it('reports what was deleted and why the rest was not when a later chunk fails', async () => {
    const { key, videos } = library(700);
    // MAVI refuses a chunk naming a video that is already gone (0409): put one in the second chunk.
    const gone = videos[650] as string;
    await stack.gql(DeleteVideosDocument, { videoNos: [gone] }, { auth: key });
    stack.sim.resetCalls();
    const res = await stack.gql(DeleteVideosDocument, { videoNos: videos }, { auth: key });
    const payload = expectType(res.data?.deleteVideos, 'MutationDeleteVideosSuccess').data;
    expect(payload.deletedVideoNos).toEqual(videos.slice(0, 500));
    expect(payload.notDeletedVideoNos).toEqual(videos.slice(500));
    expect(payload.failure).toMatchObject({ __typename: 'DuplicateRequestError', code: '0409' });
    expect(stack.sim.callsTo('delete')).toHaveLength(2);
    expect(stack.sim.account(key)?.videos.size).toBe(199);
  });

  it('answers the failure itself when nothing could be deleted', async () => {
    const { key, videos } = library(3);
    stack.sim.injectFault({
      credential: key,
      endpoint: 'delete',
      times: 1,
      kind: { type: 'code', code: '0403' },
    });
    const res = await stack.gql(DeleteVideosDocument, { videoNos: videos }, { auth: key });
    expect(expectType(res.data?.deleteVideos, 'AccountDisabledError').code).toBe('0403');
    expect(stack.sim.account(key)?.videos.size).toBe(3);
  });
});
