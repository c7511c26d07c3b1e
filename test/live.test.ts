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
import { eventually, type LiveStack, sleep, startLiveStack, take } from './helpers.js';

/**
 * Subscriptions through the real graphql-sse and graphql-ws clients against the gateway on a
 * loopback socket, fed by the simulator's callbacks and by polling.
 */
type Result = {
  data?: Record<string, { __typename: string } & Record<string, unknown>> | null;
  errors?: unknown;
};

let stack: LiveStack;
beforeAll(async () => {
  // Parsing takes long enough for a subscriber to be in place; polls are rare unless a test wants them.
  stack = await startLiveStack({
    simulator: { parseDelayMs: 300, transcriptionDelayMs: 200, chatChunkDelayMs: 5 },
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
async function subscribed(iterator: AsyncIterableIterator<Result>) {
  const pollers = stack.gateway.services.live?.pollerCount ?? 0;
  const first = iterator.next();
  await eventually(() => ((stack.gateway.services.live?.pollerCount ?? 0) > pollers ? true : undefined));
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
    await eventually(() => (stack.gateway.services.live?.pollerCount === 1 ? true : undefined));
    await sleep(100);
    expect(stack.gateway.services.live?.pollerCount).toBe(1);
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
    await eventually(() => (stack.gateway.services.live?.pollerCount === 0 ? true : undefined));
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
    await eventually(() => (stack.gateway.services.live?.pollerCount === 0 ? true : undefined));
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
      await eventually(() => ((stack.gateway.services.live?.pollerCount ?? 0) > 0 ? true : undefined));
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
  async function callbackUrl(key: string): Promise<string> {
    await uploadThroughGateway(key, 'any.mp4');
    const url = new URL(stack.sim.callsTo('upload').at(-1)?.url ?? '', 'http://x');
    return url.searchParams.get('callBackUri') ?? '';
  }

  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses a missing or wrong token and a malformed body, publishing nothing; a repeat publishes nothing new', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'UNPARSE' });
    const url = await callbackUrl(key);
    expect(url).toMatch(/\/webhooks\/mavi\/upload\/[0-9a-f]{32}\/[A-Za-z0-9_-]+$/);
    const events = await subscribed(subscribe(sse(key), WatchVideosDocument, { videoNos: [video.videoNo] }));
    await sleep(100);

    const wrong = url.replace(/[^/]+$/, 'A'.repeat(43));
    expect((await post(wrong, { videoNo: video.videoNo, clientId: 'c', status: 'FAIL' })).status).toBe(401);
    expect(
      (await post(url.replace(/\/[^/]+$/, ''), { videoNo: video.videoNo, clientId: 'c', status: 'FAIL' }))
        .status,
    ).toBe(404);
    expect((await post(url, { videoNo: video.videoNo, status: 'FAIL' })).status).toBe(400);
    expect((await post(url, { videoNo: video.videoNo, clientId: 'c', status: 'DONE' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', body: 'not json' })).status).toBe(400);
    // A token for uploads is not one for transcriptions.
    expect((await post(url.replace('/upload/', '/transcription/'), {})).status).toBe(401);

    const first = await post(url, { videoNo: video.videoNo, clientId: 'c', status: 'PARSE' });
    expect(await first.json()).toEqual({ ok: true, published: true });
    const again = await post(url, { videoNo: video.videoNo, clientId: 'c', status: 'PARSE' });
    expect(await again.json()).toEqual({ ok: true, published: false });

    const received = await take(events, 10);
    expect(
      received.map((r) => (field(r) as unknown as { data: { video: { status: string } } }).data.video.status),
    ).toEqual(['PARSE']);
  });

  it("never delivers one account's callback to another account's subscribers", async () => {
    const alice = stack.newAccount({ seed: false });
    const bob = stack.newAccount({ seed: false });
    const aliceUrl = await callbackUrl(alice);
    const bobVideo = stack.sim.addVideo(bob, { status: 'UNPARSE' });
    const aliceVideo = stack.sim.addVideo(alice, { status: 'UNPARSE' });
    const bobEvents = await subscribed(subscribe(sse(bob), WatchVideosDocument, { videoNos: null }));
    await sleep(150);
    // Alice's callback even names Bob's video: it is published on Alice's topic only.
    await post(aliceUrl, { videoNo: bobVideo.videoNo, clientId: 'c', status: 'PARSE' });
    await post(aliceUrl, { videoNo: aliceVideo.videoNo, clientId: 'c', status: 'PARSE' });
    stack.sim.setVideoStatus(bob, bobVideo.videoNo, 'FAIL');
    const [first] = await take(bobEvents, 1);
    expect(field(first)).toMatchObject({
      data: { video: { videoNo: bobVideo.videoNo, status: 'PARSE_ERROR' } },
    });
    await bobEvents.return?.();
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
    const before = stack.gateway.services.live?.pollerCount ?? 0;
    const first = subscribe(sse(key), TranscriptionProgressDocument, { taskNo });
    const second = subscribe(sse(key), TranscriptionProgressDocument, { taskNo });
    const both = Promise.all([take(first, 10), take(second, 10)]);
    await eventually(() => ((stack.gateway.services.live?.pollerCount ?? 0) > before ? true : undefined));
    expect(stack.gateway.services.live?.pollerCount).toBe(before + 1);

    const send = (url: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await send(callback.replace(/[^/]+$/, 'B'.repeat(43)), {})).status).toBe(401);
    expect((await send(callback, { taskNo })).status).toBe(400);

    const [a, b] = await both;
    for (const events of [a, b]) {
      const states = events?.map((r) => (field(r) as unknown as { data: { status: string } }).data.status);
      expect(states?.at(-1)).toBe('FINISH');
    }
  });
});
