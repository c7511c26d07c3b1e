import { type DocumentNode, print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  ChatDocument,
  ChatStreamDocument,
  RequestTranscriptionDocument,
  TranscriptionProgressDocument,
  UploadVideoDocument,
  WatchVideosDocument,
} from '../operations/__generated__/graphql.js';
import { CallbackSigner } from '../src/live/callbacks.js';
import { Credential } from '../src/mavi/credential.js';
import { eventually, type LiveStack, sleep, startLiveStack, take } from './helpers.js';

/**
 * Subscriptions through the real graphql-sse and graphql-ws clients against the gateway on a
 * loopback socket, fed by the simulator's callbacks and by polling.
 */
type Result = {
  data?: Record<string, { __typename: string } & Record<string, unknown>> | null;
  errors?: unknown;
};

/** Known to the tests, so they can sign callback URLs as the gateway would. */
const WEBHOOK_SECRET = 'live-test-webhook-secret-0123';

let stack: LiveStack;
beforeAll(async () => {
  // Parsing takes long enough for a subscriber to be in place; polls are rare unless a test wants them.
  stack = await startLiveStack({
    simulator: { parseDelayMs: 300, transcriptionDelayMs: 200, chatChunkDelayMs: 5 },
    env: { WEBHOOK_SECRET },
  });
});
afterAll(() => stack.close());

function sse(auth: string | null) {
  return createSseClient({
    url: stack.url,
    headers: auth === null ? {} : { authorization: auth },
    retryAttempts: 0,
  });
}

function ws(auth: string | null) {
  return createWsClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: auth === null ? {} : { authorization: auth },
    retryAttempts: 0,
    lazy: true,
  });
}

function subscribe(
  client: ReturnType<typeof sse> | ReturnType<typeof ws>,
  document: DocumentNode,
  variables: Record<string, unknown>,
): AsyncIterableIterator<Result> {
  return (client as ReturnType<typeof sse>).iterate({
    query: print(document),
    variables,
  }) as AsyncIterableIterator<Result>;
}

const field = (r: Result | undefined) => Object.values(r?.data ?? {})[0];

async function uploadThroughGateway(auth: string, filename: string): Promise<string> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new File([Buffer.alloc(4096, 1)], filename, { type: 'video/mp4' }));
  const res = await fetch(stack.url, {
    method: 'POST',
    headers: { authorization: auth, 'graphql-preflight': '1' },
    body: form,
  });
  const body = (await res.json()) as {
    data: { uploadVideo: { __typename: string; data: { videoNo: string } } };
  };
  expect(body.data.uploadVideo.__typename).toBe('MutationUploadVideoSuccess');
  return body.data.uploadVideo.data.videoNo;
}

/**
 * Starts a subscription (the clients connect on the first read) and waits until the gateway
 * has a poller for it, so the subscriber is in place. Returns the pending first event and the rest.
 */
/** Shared pollers on the gateway now, as its metrics report them. */
async function pollers(): Promise<number> {
  const gauge = await stack.gateway.metrics.livePollers.get();
  return gauge.values.reduce((sum, v) => sum + v.value, 0);
}

async function subscribed(iterator: AsyncIterableIterator<Result>) {
  const before = await pollers();
  const first = iterator.next();
  await eventually(async () => ((await pollers()) > before ? true : undefined));
  const rest = (async function* () {
    const head = await first;
    if (head.done) return;
    yield head.value;
    yield* { [Symbol.asyncIterator]: () => iterator };
  })();
  return Object.assign(rest, {
    return: () => iterator.return?.() ?? Promise.resolve({ done: true, value: undefined }),
  });
}

describe('videoStatusChanged', () => {
  it('delivers the upload callback over SSE, with previousStatus, then completes', async () => {
    const key = stack.newAccount({ seed: false });
    const videoNo = await uploadThroughGateway(key, 'holiday.mp4');
    const upload = stack.sim.callsTo('upload').at(-1);
    expect(upload?.url).toContain('callBackUri=');
    const events = subscribe(sse(key), WatchVideosDocument, { videoNos: [videoNo] });
    const received = await take(events, 10);
    expect(received.map(field)).toEqual([
      {
        __typename: 'SubscriptionVideoStatusChangedSuccess',
        data: {
          previousStatus: 'UNPARSE',
          video: expect.objectContaining({ videoNo, status: 'PARSE', name: 'holiday.mp4' }),
        },
      },
    ]);
    // The simulator's callbacks reached the gateway and were accepted.
    const callbacks = stack.sim.callbacks.filter((c) => (c.body as { videoNo?: string }).videoNo === videoNo);
    expect(callbacks.map((c) => [(c.body as { status: string }).status, c.status])).toEqual([
      ['UNPARSE', 200],
      ['PARSE', 200],
    ]);
  });

  it('maps a failed parse (FAIL) to PARSE_ERROR over WebSocket', async () => {
    const key = stack.newAccount({ seed: false });
    const videoNo = await uploadThroughGateway(key, 'will-fail.mp4');
    const client = ws(key);
    try {
      const received = await take(subscribe(client, WatchVideosDocument, { videoNos: [videoNo] }), 10);
      expect(
        received.map(
          (r) => (field(r) as unknown as { data?: { video: { status: string } } }).data?.video.status,
        ),
      ).toEqual(['PARSE_ERROR']);
    } finally {
      await client.dispose();
    }
  });

  it('falls back to polling for videos uploaded elsewhere, with one poller per credential', async () => {
    const key = stack.newAccount({ seed: false });
    const a = stack.sim.addVideo(key, { status: 'UNPARSE' });
    const b = stack.sim.addVideo(key, { status: 'UNPARSE' });
    const clients = [sse(key), sse(key), sse(key)];
    const streams = [
      subscribe(clients[0] as never, WatchVideosDocument, { videoNos: [a.videoNo] }),
      subscribe(clients[1] as never, WatchVideosDocument, { videoNos: [b.videoNo] }),
      subscribe(clients[2] as never, WatchVideosDocument, { videoNos: [a.videoNo, b.videoNo] }),
    ];
    const pending = streams.map((s) => take(s, 10));
    await eventually(async () => ((await pollers()) === 1 ? true : undefined));
    await sleep(100);
    expect(await pollers()).toBe(1);
    stack.sim.setVideoStatus(key, a.videoNo, 'PARSE');
    stack.sim.setVideoStatus(key, b.videoNo, 'FAIL');
    const [onlyA, onlyB, both] = await Promise.all(pending);
    expect(
      onlyA?.map((r) => (field(r) as unknown as { data: { video: { videoNo: string } } }).data.video.videoNo),
    ).toEqual([a.videoNo]);
    expect(
      onlyB?.map((r) => (field(r) as unknown as { data: { previousStatus: string } }).data.previousStatus),
    ).toEqual(['UNPARSE']);
    expect(both).toHaveLength(2);
    // Everyone completed: the poller stops.
    await eventually(async () => ((await pollers()) === 0 ? true : undefined));
  });

  it('backs off while nothing changes and stops polling when nothing is watched', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'UNPARSE' });
    stack.sim.resetCalls();
    const client = sse(key);
    const events = await subscribed(subscribe(client, WatchVideosDocument, { videoNos: [video.videoNo] }));
    await eventually(() => (pollsOf(key).length >= 6 ? true : undefined), 5000);
    const times = pollsOf(key).map((c) => c.at);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    // 50 ms growing ×1.5 towards 400 ms: later gaps are longer than the first ones.
    expect((gaps.at(-1) as number) > (gaps[0] as number) * 2).toBe(true);
    await events.return();
    await eventually(async () => ((await pollers()) === 0 ? true : undefined));
    const after = pollsOf(key).length;
    await sleep(900);
    expect(pollsOf(key).length).toBe(after);
  });

  it('watches every video of the credential when videoNos is null, and does not complete', async () => {
    const key = stack.newAccount({ seed: false });
    const events = await subscribed(subscribe(sse(key), WatchVideosDocument, { videoNos: null }));
    await sleep(150);
    const video = stack.sim.addVideo(key, { status: 'UNPARSE', videoName: 'new.mp4' });
    const [appeared] = await take(events, 1);
    expect(field(appeared)).toMatchObject({
      data: { previousStatus: null, video: { videoNo: video.videoNo, status: 'UNPARSE' } },
    });
    stack.sim.setVideoStatus(key, video.videoNo, 'PARSE');
    const [parsed] = await take(events, 1);
    expect(field(parsed)).toMatchObject({
      data: { previousStatus: 'UNPARSE', video: { status: 'PARSE', name: 'new.mp4' } },
    });
    await events.return?.();
  });

  it("refuses another credential's video before any event", async () => {
    const owner = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(owner, { status: 'UNPARSE' });
    const intruder = stack.newAccount({ seed: false });
    const received = await take(
      subscribe(sse(intruder), WatchVideosDocument, { videoNos: [video.videoNo] }),
      10,
    );
    expect(received.map(field)).toEqual([
      expect.objectContaining({ __typename: 'VideoNotFoundError', videoNo: video.videoNo }),
    ]);
  });

  it('completes at once when every named video is already final', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'PARSE' });
    expect(await take(subscribe(sse(key), WatchVideosDocument, { videoNos: [video.videoNo] }), 10)).toEqual(
      [],
    );
  });

  it('takes the credential from the WebSocket upgrade request when there are no connectionParams', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'UNPARSE' });
    class WebSocketWithAuth extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { authorization: key } });
      }
    }
    const client = createWsClient({
      url: stack.wsUrl,
      webSocketImpl: WebSocketWithAuth,
      retryAttempts: 0,
      lazy: true,
    });
    try {
      const events = subscribe(client, WatchVideosDocument, { videoNos: [video.videoNo] });
      const pending = take(events, 10);
      await eventually(async () => ((await pollers()) > 0 ? true : undefined));
      stack.sim.setVideoStatus(key, video.videoNo, 'PARSE');
      expect((await pending).map((r) => field(r)?.__typename)).toEqual([
        'SubscriptionVideoStatusChangedSuccess',
      ]);
    } finally {
      await client.dispose();
    }
  });

  it.each(['sse', 'ws'] as const)(
    'answers UnauthorizedError then completes without a credential (%s)',
    async (transport) => {
      const client = transport === 'sse' ? sse(null) : ws(null);
      try {
        const received = await take(subscribe(client, WatchVideosDocument, { videoNos: null }), 10);
        expect(received.map(field)).toEqual([
          expect.objectContaining({ __typename: 'UnauthorizedError', code: '0401' }),
        ]);
      } finally {
        if ('dispose' in client) await client.dispose();
      }
    },
  );

  it('keeps transient polling failures from clients, and ends with 0403 when the account is disabled', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'UNPARSE' });
    const events = await subscribed(subscribe(sse(key), WatchVideosDocument, { videoNos: [video.videoNo] }));
    stack.sim.injectFault({
      credential: key,
      endpoint: 'searchDB',
      times: 3,
      kind: { type: 'http', status: 503 },
    });
    await eventually(() =>
      stack.sim.callsTo('searchDB').filter((c) => c.httpStatus === 503 && c.authorization === key).length >= 3
        ? true
        : undefined,
    );
    stack.sim.disableAccount(key);
    const received = await take(events, 10);
    expect(received.map(field)).toEqual([
      expect.objectContaining({ __typename: 'AccountDisabledError', code: '0403' }),
    ]);
  });
});

function pollsOf(key: string) {
  return stack.sim
    .callsTo('searchDB')
    .filter((c) => c.authorization === key && c.query.videoStatus === 'UNPARSE');
}

describe('upload callbacks', () => {
  /** The callback URL the gateway handed MAVI with the account's last upload. */
  function lastCallbackUrl(): string {
    const url = new URL(stack.sim.callsTo('upload').at(-1)?.url ?? '', 'http://x');
    return url.searchParams.get('callBackUri') ?? '';
  }

  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const statuses = (received: Result[]) =>
    received.map((r) => {
      const data = (
        field(r) as unknown as {
          data: { previousStatus: string; video: { videoNo: string; status: string } };
        }
      ).data;
      return `${data.video.videoNo}: ${data.previousStatus}→${data.video.status}`;
    });

  it('refuses a missing or wrong token and a malformed body, publishing nothing; a repeat publishes nothing new', async () => {
    const key = stack.newAccount({ seed: false });
    const videoNo = await uploadThroughGateway(key, 'any.mp4');
    const url = lastCallbackUrl();
    expect(url).toMatch(/\/webhooks\/mavi\/upload\/[0-9a-f]{32}\/[A-Za-z0-9_-]{22}\/[A-Za-z0-9_-]{43}$/);
    const events = await subscribed(subscribe(sse(key), WatchVideosDocument, { videoNos: [videoNo] }));
    await sleep(50);

    const wrong = url.replace(/[^/]+$/, 'A'.repeat(43));
    expect((await post(wrong, { videoNo, clientId: 'c', status: 'FAIL' })).status).toBe(401);
    // Another nonce under the same token: the token signs the nonce too.
    const otherNonce = url.replace(/\/[A-Za-z0-9_-]{22}\//, `/${'n'.repeat(22)}/`);
    expect((await post(otherNonce, { videoNo, clientId: 'c', status: 'FAIL' })).status).toBe(401);
    expect((await post(url.replace(/\/[^/]+$/, ''), { videoNo, clientId: 'c', status: 'FAIL' })).status).toBe(
      404,
    );
    expect((await post(url, { videoNo, status: 'FAIL' })).status).toBe(400);
    expect((await post(url, { videoNo, clientId: 'c', status: 'DONE' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: 'not json' })).status).toBe(400);
    // A token for uploads is not one for transcriptions.
    expect((await post(url.replace('/upload/', '/transcription/'), {})).status).toBe(401);

    // The simulator's own PARSE callback, after its parse delay.
    const received = await take(events, 10);
    expect(statuses(received)).toEqual([`${videoNo}: UNPARSE→PARSE`]);
    const again = await post(url, { videoNo, clientId: 'c', status: 'PARSE' });
    expect(await again.json()).toEqual({ ok: true, published: false });
  });

  it("publishes a callback only for the video its URL was issued for, never another of the account's or a made-up one", async () => {
    const bob = stack.newAccount({ seed: false });
    const alice = stack.newAccount({ seed: false });
    const aliceVideo = stack.sim.addVideo(alice, { status: 'UNPARSE' });
    const bobOther = stack.sim.addVideo(bob, { status: 'UNPARSE' });
    const bobVideo = await uploadThroughGateway(bob, 'bob.mp4');
    const bobUrl = lastCallbackUrl();
    const everything = await subscribed(subscribe(sse(bob), WatchVideosDocument, { videoNos: null }));
    const aliceEvents = await subscribed(subscribe(sse(alice), WatchVideosDocument, { videoNos: null }));
    await sleep(50);

    // Bob's valid URL, naming Alice's video, another of his own, and one nobody has.
    for (const forged of [aliceVideo.videoNo, bobOther.videoNo, 'mavi_video_999999999999999999']) {
      const res = await post(bobUrl, { videoNo: forged, clientId: 'c', status: 'PARSE' });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: 'This callback URL was issued for another video.' });
    }
    // What MAVI itself reports still arrives: the simulator's PARSE for Bob's upload.
    const [first] = await take(everything, 1);
    expect(statuses([first as Result])).toEqual([`${bobVideo}: UNPARSE→PARSE`]);
    // Nothing about the forged videos reached either account's subscribers meanwhile.
    stack.sim.setVideoStatus(alice, aliceVideo.videoNo, 'FAIL');
    const [alices] = await take(aliceEvents, 1);
    expect(statuses([alices as Result])).toEqual([`${aliceVideo.videoNo}: UNPARSE→PARSE_ERROR`]);
    await everything.return?.();
    await aliceEvents.return?.();
  });

  it('never moves a video back from a final status, whatever order callbacks come in', async () => {
    const key = stack.newAccount({ seed: false });
    const videoNo = await uploadThroughGateway(key, 'late.mp4');
    const url = lastCallbackUrl();
    const events = await subscribed(subscribe(sse(key), WatchVideosDocument, { videoNos: null }));
    const [parsed] = await take(events, 1);
    expect(statuses([parsed as Result])).toEqual([`${videoNo}: UNPARSE→PARSE`]);
    // MAVI resends an old UNPARSE, then PARSE again, then FAIL: nothing moves, nothing is sent.
    for (const status of ['UNPARSE', 'PARSE', 'FAIL', 'UNPARSE']) {
      const res = await post(url, { videoNo, clientId: 'c', status });
      expect(await res.json()).toEqual({ ok: true, published: false });
    }
    // The next event this subscriber sees is about another video, not a step back.
    const next = stack.sim.addVideo(key, { status: 'UNPARSE' });
    await sleep(120);
    stack.sim.setVideoStatus(key, next.videoNo, 'PARSE');
    const [after] = await take(events, 1);
    expect(statuses([after as Result])[0]).toMatch(new RegExp(`^${next.videoNo}: `));
    await events.return?.();
  });

  it('refuses a signed URL the gateway never issued, at once', async () => {
    const key = stack.newAccount({ seed: false });
    const { credential } = Credential.parse(key);
    const nonce = 'x'.repeat(22);
    const signer = new CallbackSigner(WEBHOOK_SECRET);
    const url = `${stack.url.replace('/graphql', '')}/webhooks/mavi/upload/${credential?.id}/${nonce}/${signer.sign('upload', credential?.id ?? '', nonce)}`;
    const started = Date.now();
    const res = await post(url, { videoNo: 'mavi_video_1', clientId: 'c', status: 'PARSE' });
    expect(res.status).toBe(410);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('chatStream', () => {
  function parsed(key: string) {
    return stack.sim.addVideo(key, {
      status: 'PARSE',
      description: 'a chef cooks pasta in a small kitchen',
      scenes: [{ start: 0, end: 30, text: 'a chef boils pasta and grates cheese over it' }],
    });
  }

  it.each(['sse', 'ws'] as const)(
    'relays every chunk as it arrives, adding up to the whole answer (%s)',
    async (transport) => {
      const key = stack.newAccount({ seed: false });
      const video = parsed(key);
      const input = { videoNos: [video.videoNo], message: 'What is the chef cooking?' };
      const client = transport === 'sse' ? sse(key) : ws(key);
      try {
        const chunks = await take(subscribe(client, ChatStreamDocument, { input }), 1000);
        const deltas = chunks.map((r) => (field(r) as unknown as { data: { delta: string } }).data.delta);
        expect(deltas.length).toBeGreaterThan(2);
        const whole = await fetch(stack.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: key },
          body: JSON.stringify({ query: print(ChatDocument), variables: { input } }),
        }).then((r) => r.json() as Promise<{ data: { chat: { data: { message: string } } } }>);
        expect(deltas.join('')).toBe(whole.data.chat.data.message);
      } finally {
        if ('dispose' in client) await client.dispose();
      }
    },
  );

  it('ends with the typed error when MAVI fails mid-stream', async () => {
    const key = stack.newAccount({ seed: false });
    const video = parsed(key);
    stack.sim.injectFault({
      credential: key,
      endpoint: 'chat',
      times: 1,
      kind: { type: 'stream-error', code: '0429', afterChunks: 2 },
    });
    const received = await take(
      subscribe(sse(key), ChatStreamDocument, {
        input: { videoNos: [video.videoNo], message: 'What happens?' },
      }),
      100,
    );
    expect(received.map((r) => field(r)?.__typename)).toEqual([
      'SubscriptionChatStreamSuccess',
      'SubscriptionChatStreamSuccess',
      'RateLimitedError',
    ]);
  });

  it('aborts the upstream request when the client goes away', async () => {
    const slow = await startLiveStack({ simulator: { chatChunkDelayMs: 100 } });
    try {
      const key = slow.newAccount({ seed: false });
      const video = slow.sim.addVideo(key, {
        status: 'PARSE',
        scenes: [{ start: 0, end: 9, text: 'a long story about a dog' }],
      });
      const client = createSseClient({ url: slow.url, headers: { authorization: key }, retryAttempts: 0 });
      const events = client.iterate({
        query: print(ChatStreamDocument),
        variables: { input: { videoNos: [video.videoNo], message: 'Tell me everything about the dog' } },
      });
      await events.next();
      await events.return?.();
      const call = await eventually(() => {
        const c = slow.sim.callsTo('chat')[0];
        return c?.done ? c : undefined;
      });
      expect(call.aborted).toBe(true);
    } finally {
      await slow.close();
    }
  });
});

describe('transcriptionProgress', () => {
  async function requestTranscription(
    key: string,
    videoNo: string,
    type: 'AUDIO' | 'VIDEO',
  ): Promise<string> {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: key },
      body: JSON.stringify({ query: print(RequestTranscriptionDocument), variables: { videoNo, type } }),
    });
    const body = (await response.json()) as { data: { requestTranscription: { data: { taskNo: string } } } };
    return body.data.requestTranscription.data.taskNo;
  }

  it('sends the current state, then the finished transcription from the callback or the poller, then completes', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, {
      status: 'PARSE',
      scenes: [
        { start: 0, end: 3, text: 'hello there' },
        { start: 3, end: 6, text: 'general greetings' },
      ],
    });
    const taskNo = await requestTranscription(key, video.videoNo, 'VIDEO');
    expect(JSON.stringify(stack.sim.callsTo('subTranscription').at(-1)?.body)).toContain(
      '/webhooks/mavi/transcription/',
    );

    const received = await take(subscribe(sse(key), TranscriptionProgressDocument, { taskNo }), 10);
    const states = received.map(
      (r) => (field(r) as unknown as { data: { status: string; segments: unknown[] } }).data,
    );
    expect(states[0]?.status).toBe('UNFINISHED');
    expect(states.at(-1)?.status).toBe('FINISH');
    expect(states.at(-1)?.segments.length).toBeGreaterThan(0);
    await eventually(() =>
      stack.sim.callbacks.some((c) => (c.body as { taskNo?: string }).taskNo === taskNo && c.status === 200)
        ? true
        : undefined,
    );
  });

  it('shares one poller between subscribers of a task, and checks the callback token and body', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'PARSE', scenes: [{ start: 0, end: 2, text: 'hi' }] });
    const taskNo = await requestTranscription(key, video.videoNo, 'AUDIO');
    const callback = String(
      (stack.sim.callsTo('subTranscription').at(-1)?.body as { callBackURI?: string } | undefined)
        ?.callBackURI,
    );
    const before = await pollers();
    const first = subscribe(sse(key), TranscriptionProgressDocument, { taskNo });
    const second = subscribe(sse(key), TranscriptionProgressDocument, { taskNo });
    const both = Promise.all([take(first, 10), take(second, 10)]);
    await eventually(async () => ((await pollers()) > before ? true : undefined));
    expect(await pollers()).toBe(before + 1);

    const send = (url: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await send(callback.replace(/[^/]+$/, 'B'.repeat(43)), {})).status).toBe(401);
    expect((await send(callback, { taskNo })).status).toBe(400);
    // The URL reports on its own task only.
    const other = {
      taskNo: 'project_1',
      videoNo: video.videoNo,
      type: 'AUDIO',
      status: 'FINISH',
      transcriptions: [],
    };
    const forged = await send(callback, other);
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual({ error: 'This callback URL was issued for another task.' });

    const [a, b] = await both;
    for (const events of [a, b]) {
      const states = events?.map((r) => (field(r) as unknown as { data: { status: string } }).data.status);
      expect(states?.at(-1)).toBe('FINISH');
    }
    // A late UNFINISHED for the finished task changes nothing.
    const stale = { taskNo, videoNo: video.videoNo, type: 'AUDIO', status: 'UNFINISHED', transcriptions: [] };
    expect(await (await send(callback, stale)).json()).toEqual({ ok: true, published: false });
  });
});
