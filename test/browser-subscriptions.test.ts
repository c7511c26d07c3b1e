import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListVideosDocument, WatchVideosDocument } from '../operations/__generated__/graphql.js';
import { eventually, type LiveStack, sleep, startLiveStack } from './helpers.js';

/**
 * Subscriptions as browsers take them: graphql-sse's single connection mode (several
 * operations on one event stream, so HTTP/1.1's six connections per origin are no limit), and
 * Apollo Client's HttpLink over the multipart subscription protocol.
 */
type Result = {
  data?: Record<string, { __typename: string } & Record<string, unknown>> | null;
  errors?: unknown;
};
const field = (r: Result | undefined) => Object.values(r?.data ?? {})[0];
const TOKEN = 'x-graphql-event-stream-token';

let stack: LiveStack;
beforeAll(async () => {
  stack = await startLiveStack({ simulator: { parseDelayMs: 300 } });
});
afterAll(() => stack.close());

async function pollers(): Promise<number> {
  const gauge = await stack.gateway.metrics.livePollers.get();
  return gauge.values.reduce((sum, v) => sum + v.value, 0);
}

/** Events of one open single-connection stream, by operation id. */
class Stream {
  readonly events: { event: string; data: { id: string; payload?: Result } }[] = [];
  readonly #controller = new AbortController();
  #done: Promise<void> = Promise.resolve();

  constructor(readonly token: string) {}

  async open(): Promise<Response> {
    const res = await fetch(stack.url, {
      headers: { accept: 'text/event-stream', [TOKEN]: this.token },
      signal: this.#controller.signal,
    });
    const body = res.body;
    if (!body) return res;
    this.#done = (async () => {
      let text = '';
      try {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          text += Buffer.from(chunk).toString('utf8');
          let end = text.indexOf('\n\n');
          while (end !== -1) {
            const message = text.slice(0, end);
            text = text.slice(end + 2);
            const event = /^event: (.*)$/m.exec(message)?.[1];
            const data = /^data: (.*)$/m.exec(message)?.[1];
            if (event && data) this.events.push({ event, data: JSON.parse(data) });
            end = text.indexOf('\n\n');
          }
        }
      } catch {
        // Closed by the test.
      }
    })();
    return res;
  }

  of(id: string) {
    return this.events.filter((e) => e.data.id === id);
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }
}

async function reserve(): Promise<Stream> {
  const res = await fetch(stack.url, { method: 'PUT' });
  expect(res.status).toBe(201);
  return new Stream(await res.text());
}

function operate(
  stream: Stream,
  id: string,
  auth: string,
  query: string,
  variables: Record<string, unknown>,
) {
  return fetch(stack.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      [TOKEN]: stream.token,
      authorization: auth,
    },
    body: JSON.stringify({ query, variables, extensions: { operationId: id } }),
  });
}

describe('graphql-sse single connection mode', () => {
  it("runs several operations on one stream, each with its own credential, one's events never on another's", async () => {
    const owner = stack.newAccount({ seed: false });
    const intruder = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(owner, { status: 'UNPARSE', videoName: 'mine.mp4' });
    const stream = await reserve();
    const opened = await stream.open();
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toMatch(/text\/event-stream/);

    const watch = print(WatchVideosDocument);
    expect((await operate(stream, 'owner', owner, watch, { videoNos: [video.videoNo] })).status).toBe(202);
    expect((await operate(stream, 'intruder', intruder, watch, { videoNos: [video.videoNo] })).status).toBe(
      202,
    );
    expect((await operate(stream, 'list', intruder, print(ListVideosDocument), { first: 1 })).status).toBe(
      202,
    );

    // Ownership is checked before any event: the intruder's operation ends with the typed error.
    await eventually(() => (stream.of('intruder').some((e) => e.event === 'complete') ? true : undefined));
    expect(stream.of('intruder').map((e) => [e.event, field(e.data.payload)?.__typename])).toEqual([
      ['next', 'VideoNotFoundError'],
      ['complete', undefined],
    ]);
    await eventually(() => (stream.of('list').some((e) => e.event === 'complete') ? true : undefined));
    expect(field(stream.of('list')[0]?.data.payload)).toMatchObject({ __typename: 'QueryVideosSuccess' });

    await sleep(100);
    stack.sim.setVideoStatus(owner, video.videoNo, 'PARSE');
    await eventually(() => (stream.of('owner').some((e) => e.event === 'complete') ? true : undefined));
    expect(stream.of('owner').map((e) => [e.event, field(e.data.payload)])).toEqual([
      [
        'next',
        {
          __typename: 'SubscriptionVideoStatusChangedSuccess',
          data: expect.objectContaining({
            previousStatus: 'UNPARSE',
            video: expect.objectContaining({ status: 'PARSE' }),
          }),
        },
      ],
      ['complete', undefined],
    ]);
    // The intruder's operations saw nothing of the owner's video.
    expect(JSON.stringify(stream.of('intruder'))).not.toContain('mine.mp4');
    expect(JSON.stringify(stream.of('list'))).not.toContain('mine.mp4');
    await stream.close();
  });

  it('DELETE stops an operation at once: its poller is released', async () => {
    const key = stack.newAccount({ seed: false });
    const stream = await reserve();
    await stream.open();
    const before = await pollers();
    expect((await operate(stream, 'w', key, print(WatchVideosDocument), { videoNos: null })).status).toBe(
      202,
    );
    await eventually(async () => ((await pollers()) > before ? true : undefined));
    const stop = await fetch(`${stack.url}?operationId=w`, {
      method: 'DELETE',
      headers: { [TOKEN]: stream.token },
    });
    expect(stop.status).toBe(200);
    await eventually(async () => ((await pollers()) === before ? true : undefined), 1000);
    await eventually(() => (stream.of('w').some((e) => e.event === 'complete') ? true : undefined));
    await stream.close();
  });

  it('closing the stream stops its operations', async () => {
    const key = stack.newAccount({ seed: false });
    const stream = await reserve();
    await stream.open();
    const before = await pollers();
    await operate(stream, 'w', key, print(WatchVideosDocument), { videoNos: null });
    await eventually(async () => ((await pollers()) > before ? true : undefined));
    await stream.close();
    await eventually(async () => ((await pollers()) === before ? true : undefined), 1000);
  });

  it('the graphql-sse client in single connection mode: two subscriptions, one event stream', async () => {
    const key = stack.newAccount({ seed: false });
    const a = stack.sim.addVideo(key, { status: 'UNPARSE' });
    const b = stack.sim.addVideo(key, { status: 'UNPARSE' });
    const requests: string[] = [];
    const client = createSseClient({
      url: stack.url,
      singleConnection: true,
      headers: { authorization: key },
      retryAttempts: 0,
      fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
        requests.push(`${init?.method ?? 'GET'} ${(init?.headers as Record<string, string>)?.accept ?? ''}`);
        return fetch(input, init);
      },
    });
    const collect = async (videoNo: string) => {
      const out: Result[] = [];
      for await (const result of client.iterate({
        query: print(WatchVideosDocument),
        variables: { videoNos: [videoNo] },
      })) {
        out.push(result as Result);
      }
      return out;
    };
    const [first, second] = [collect(a.videoNo), collect(b.videoNo)];
    await eventually(async () => ((await pollers()) > 0 ? true : undefined));
    await sleep(100);
    stack.sim.setVideoStatus(key, a.videoNo, 'PARSE');
    stack.sim.setVideoStatus(key, b.videoNo, 'FAIL');
    const [ra, rb] = await Promise.all([first, second]);
    expect(
      ra.map((r) => (field(r)?.data as { video?: { status: string } } | undefined)?.video?.status),
    ).toEqual(['PARSE']);
    expect(
      rb.map((r) => (field(r)?.data as { video?: { status: string } } | undefined)?.video?.status),
    ).toEqual(['PARSE_ERROR']);
    // One reservation, one stream, the operations as POSTs.
    expect(requests.filter((r) => r.startsWith('PUT'))).toHaveLength(1);
    expect(requests.filter((r) => r.startsWith('GET'))).toHaveLength(1);
    expect(requests.filter((r) => r.startsWith('POST'))).toHaveLength(2);
    client.dispose();
  });

  it('answers protocol mistakes as graphql-sse does, and leaves distinct-connection SSE to yoga', async () => {
    const unknown = await fetch(stack.url, {
      headers: { accept: 'text/event-stream', [TOKEN]: 'no-such-token' },
    });
    // An unknown token opens a distinct-connection stream only with a query; without one, graphql-sse refuses it.
    expect(unknown.status).toBe(400);
    await unknown.text();
    const stream = await reserve();
    expect((await reserve()).token).not.toBe(stream.token);
    await stream.open();
    const again = await fetch(stack.url, { headers: { accept: 'text/event-stream', [TOKEN]: stream.token } });
    expect(again.status).toBe(409);
    await again.text();
    const noId = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN]: stream.token },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(noId.status).toBe(400);
    await noId.text();
    await stream.close();
    // Distinct connections, as before: a GET with the query and no token.
    const distinct = await fetch(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(await distinct.text()).toMatch(/"__typename":"Query"/);
  });

  it('drops a reservation whose stream does not open in time, with the operations sent to it', async () => {
    const short = await startLiveStack({ gateway: { sseReservationTtlMs: 150 } });
    try {
      const put = await fetch(short.url, { method: 'PUT' });
      const token = await put.text();
      const before = (await short.gateway.metrics.livePollers.get()).values.reduce((n, v) => n + v.value, 0);
      const op = await fetch(short.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TOKEN]: token,
          authorization: short.newAccount({ seed: false }),
        },
        body: JSON.stringify({
          query: print(WatchVideosDocument),
          variables: { videoNos: null },
          extensions: { operationId: 'w' },
        }),
      });
      expect(op.status).toBe(202);
      await sleep(400);
      const late = await fetch(short.url, { headers: { accept: 'text/event-stream', [TOKEN]: token } });
      // Gone: graphql-sse now takes the GET for a distinct-connection request without a query.
      expect(late.status).toBe(400);
      await late.text();
      await eventually(async () =>
        (await short.gateway.metrics.livePollers.get()).values.reduce((n, v) => n + v.value, 0) === before
          ? true
          : undefined,
      );
    } finally {
      await short.close();
    }
  });

  it('ends open streams when the gateway begins to shut down, after their operations complete', async () => {
    const s = await startLiveStack();
    try {
      const key = s.newAccount({ seed: false });
      const put = await fetch(s.url, { method: 'PUT' });
      const token = await put.text();
      const res = await fetch(s.url, { headers: { accept: 'text/event-stream', [TOKEN]: token } });
      const text = res.text();
      await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN]: token, authorization: key },
        body: JSON.stringify({
          query: print(WatchVideosDocument),
          variables: { videoNos: null },
          extensions: { operationId: 'w' },
        }),
      });
      await eventually(async () =>
        (await s.gateway.metrics.livePollers.get()).values.some((v) => v.value > 0) ? true : undefined,
      );
      s.gateway.beginShutdown();
      // The stream ends by itself, the operation's completion on it.
      expect(await text).toMatch(/event: complete\ndata: \{"id":"w"\}/);
    } finally {
      await s.close();
    }
  });

  it('refuses an operation body over MAX_BODY_BYTES', async () => {
    const stream = await reserve();
    await stream.open();
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN]: stream.token },
      body: JSON.stringify({
        query: `{ __typename } #${'x'.repeat(2 * 1024 * 1024)}`,
        extensions: { operationId: 'big' },
      }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/larger than 1048576 bytes/);
    await stream.close();
  });
});

describe("Apollo Client's HttpLink subscriptions (multipart subscription protocol)", () => {
  it('delivers a status change and completes', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'UNPARSE', videoName: 'apollo.mp4' });
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new HttpLink({ uri: stack.url, headers: { authorization: key } }),
    });
    const received: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client
        .subscribe({
          query: WatchVideosDocument,
          variables: { videoNos: [video.videoNo] },
          fetchPolicy: 'no-cache',
        })
        .subscribe({ next: (r) => received.push(r.data), error: reject, complete: resolve });
    });
    await eventually(async () => ((await pollers()) > 0 ? true : undefined));
    await sleep(100);
    stack.sim.setVideoStatus(key, video.videoNo, 'PARSE');
    await done;
    expect(received).toEqual([
      {
        videoStatusChanged: expect.objectContaining({
          __typename: 'SubscriptionVideoStatusChangedSuccess',
          data: expect.objectContaining({
            previousStatus: 'UNPARSE',
            video: expect.objectContaining({ videoNo: video.videoNo, status: 'PARSE', name: 'apollo.mp4' }),
          }),
        }),
      },
    ]);
  });

  it('speaks the protocol: a heartbeat part at once, payload parts, the closing boundary', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'PARSE' });
    const res = await fetch(stack.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;boundary="graphql";subscriptionSpec=1.0,application/json',
        authorization: key,
      },
      body: JSON.stringify({ query: print(WatchVideosDocument), variables: { videoNos: [video.videoNo] } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'multipart/mixed; boundary="graphql"; subscriptionSpec="1.0"',
    );
    const text = await res.text();
    expect(text.startsWith('\r\n--graphql\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{}')).toBe(
      true,
    );
    expect(text.endsWith('\r\n--graphql--\r\n')).toBe(true);
    // Already final: the subscription completes at once, with no event.
    expect(text).not.toContain('"payload"');
  });
});
