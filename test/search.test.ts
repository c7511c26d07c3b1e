import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchClipsDocument, SearchVideosDocument } from '../operations/__generated__/graphql.js';
import { expectType, type Stack, startStack } from './helpers.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

function petLibrary() {
  const key = stack.newAccount({ seed: false });
  const dog = stack.sim.addVideo(key, {
    videoName: 'dog.mp4',
    status: 'PARSE',
    duration: 42.5,
    description: 'a dog in a park',
    scenes: [
      { start: 0, end: 12.5, text: 'a brown dog fetches a red ball in the park' },
      { start: 12.5, end: 30, text: 'the dog drinks water' },
    ],
  });
  const city = stack.sim.addVideo(key, {
    videoName: 'city.mp4',
    status: 'PARSE',
    duration: 60,
    description: 'city traffic at night',
    scenes: [{ start: 0, end: 60, text: 'cars and buses in city traffic at night' }],
  });
  return { key, dog, city };
}

describe('searchVideos', () => {
  it('returns matching videos via searchAI, filling fields MAVI leaves out from searchDB', async () => {
    const { key, dog } = petLibrary();
    stack.sim.resetCalls();
    const res = await stack.gql(SearchVideosDocument, { query: 'dog fetches ball' }, { auth: key });
    const videos = expectType(res.data?.searchVideos, 'QuerySearchVideosSuccess').data;
    expect(videos.map((v) => v.videoNo)).toEqual([dog.videoNo]);
    expect(videos[0]).toMatchObject({ name: 'dog.mp4', status: 'PARSE', durationSeconds: 42.5 });
    expect(stack.sim.callsTo('searchAI')[0]?.body).toEqual({ searchValue: 'dog fetches ball' });
  });

  it('returns an empty list when nothing matches', async () => {
    const { key } = petLibrary();
    const res = await stack.gql(SearchVideosDocument, { query: 'submarine' }, { auth: key });
    expect(expectType(res.data?.searchVideos, 'QuerySearchVideosSuccess').data).toEqual([]);
  });
});

describe('searchClips', () => {
  it('returns clips with their times as numbers, best first', async () => {
    const { key, dog, city } = petLibrary();
    const res = await stack.gql(
      SearchClipsDocument,
      { query: 'dog ball park', videoNos: [dog.videoNo, city.videoNo] },
      { auth: key },
    );
    const clips = expectType(res.data?.searchClips, 'QuerySearchClipsSuccess').data;
    expect(clips.length).toBeGreaterThan(0);
    expect(clips[0]).toMatchObject({
      startSeconds: 0,
      endSeconds: 12.5,
      video: { videoNo: dog.videoNo, name: 'dog.mp4' },
    });
    expect(typeof clips[0]?.score).toBe('number');
    const scores = clips.map((c) => c.score ?? 0);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it.each([
    [{ query: '', videoNos: ['mavi_video_1'] }, 'query'],
    [{ query: 'dog', videoNos: [] }, 'videoNos'],
    [{ query: 'dog', videoNos: ['a', 'a'] }, 'videoNos[1]'],
  ])('refuses %j before calling MAVI', async (variables, field) => {
    stack.sim.resetCalls();
    const res = await stack.gql(SearchClipsDocument, variables);
    expect(expectType(res.data?.searchClips, 'InvalidParameterError').field).toBe(field);
    expect(stack.sim.calls).toHaveLength(0);
  });
});
