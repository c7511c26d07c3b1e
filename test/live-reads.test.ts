import { print } from 'graphql';
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadVideoDocument, WatchVideosDocument } from '../operations/__generated__/graphql.js';
import { eventually, type LiveStack, sleep, startLiveStack, take } from './helpers.js';

/**
 * What an event costs upstream. A callback carries only a status: each subscriber used to read
 * its video afresh from searchDB for every event (10,000 events, 10,000 scans). Now a status
 * change of a video whose other fields the subscription already knows needs no read, and what
 * must be read (the length MAVI knows once a video is parsed, or anything of a video a
 * `videoNos: null` subscription never saw) is read with the other events of the credential
 * arriving together, in one scan.
 */

let stack: LiveStack;
beforeAll(async () => {
  // Parsing never ends on its own here: the tests send MAVI's PARSE callbacks themselves.
  stack = await startLiveStack({ simulator: { parseDelayMs: 3_600_000 } });
});
afterAll(() => stack.close());

async function upload(key: string, name: string): Promise<{ videoNo: string; callback: string }> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new File([Buffer.alloc(2048, 1)], name, { type: 'video/mp4' }));
  const res = await fetch(stack.url, {
    method: 'POST',
    headers: { authorization: key, 'graphql-preflight': '1' },
    body: form,
  });
  const body = (await res.json()) as { data: { uploadVideo: { data: { videoNo: string } } } };
  const videoNo = body.data.uploadVideo.data.videoNo;
  const call = stack.sim.callsTo('upload').at(-1);
  const callback = new URL(call?.url ?? '', 'http://x').searchParams.get('callBackUri') ?? '';
  return { videoNo, callback };
}

function watch(key: string, query: string, videoNos: string[] | null) {
  const client = createClient({ url: stack.url, headers: { authorization: key }, retryAttempts: 0 });
  return client.iterate({ query, variables: { videoNos } }) as AsyncIterableIterator<{
    data: { videoStatusChanged: { data: { video: Record<string, unknown> } } };
  }>;
}

const STATUS_ONLY = /* GraphQL */ `
  subscription ($videoNos: [ID!]) {
    videoStatusChanged(videoNos: $videoNos) {
      ... on SubscriptionVideoStatusChangedSuccess { data { video { videoNo name status } } }
    }
  }
`;

/** Unfiltered searchDB calls (video lookups; status polls ask for UNPARSE) of this credential. */
const scans = (key: string) =>
  stack.sim.callsTo('searchDB').filter((c) => c.authorization === key && c.query.videoStatus === undefined);

async function subscribers(n: number): Promise<void> {
  await eventually(async () => {
    const gauge = await stack.gateway.metrics.subscriptionsActive.get();
    const open = gauge.values.find((v) => v.labels.operation === 'videoStatusChanged')?.value ?? 0;
    return open >= n ? true : undefined;
  });
}

const parse = (callback: string, videoNo: string) =>
  fetch(callback, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ videoNo, clientId: 'c', status: 'PARSE' }),
  });

describe('reads an event needs', () => {
  it('needs none for a status change of a video whose other fields the subscription knows', async () => {
    const key = stack.newAccount({ seed: false });
    const videos = [await upload(key, 'a.mp4'), await upload(key, 'b.mp4'), await upload(key, 'c.mp4')];
    const streams = videos.map((v) => watch(key, STATUS_ONLY, [v.videoNo]));
    const pending = streams.map((s) => take(s, 5));
    await subscribers(3);
    await sleep(100);
    const before = scans(key).length;
    await Promise.all(videos.map((v) => parse(v.callback, v.videoNo)));
    const received = await Promise.all(pending);
    expect(received.map((events) => events.map((e) => e.data.videoStatusChanged.data.video))).toEqual(
      videos.map((v, i) => [{ videoNo: v.videoNo, name: ['a.mp4', 'b.mp4', 'c.mp4'][i], status: 'PARSE' }]),
    );
    expect(scans(key).length - before).toBe(0);
  });

  it('shares one scan between the events of one credential arriving together', async () => {
    const key = stack.newAccount({ seed: false });
    const videos: { videoNo: string; callback: string }[] = [];
    for (let i = 0; i < 5; i++) videos.push(await upload(key, `v${i}.mp4`));
    // Each selects durationSeconds, which MAVI knows only once the video is parsed.
    const streams = videos.map((v) => watch(key, print(WatchVideosDocument), [v.videoNo]));
    const pending = streams.map((s) => take(s, 5));
    await subscribers(5);
    await sleep(100);
    const before = scans(key).length;
    await Promise.all(videos.map((v) => parse(v.callback, v.videoNo)));
    const received = await Promise.all(pending);
    for (const events of received) {
      expect(events).toHaveLength(1);
      expect(events[0]?.data.videoStatusChanged.data.video).toMatchObject({ status: 'PARSE' });
    }
    // Five events, one read (it was one per event).
    expect(scans(key).length - before).toBe(1);
  });
});
