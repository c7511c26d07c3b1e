import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  ChatStreamDocument,
  ListVideosDocument,
  UploadVideoDocument,
} from '../operations/__generated__/graphql.js';
import { createLogger } from '../src/logger.js';
import type { FaultKind, MaviEndpoint } from '../src/simulator/types.js';
import { createGateway, expectType, listen, type Stack, startStack, testConfig } from './helpers.js';

/**
 * The fault-injection matrix, completing errors.test.ts: every fault the simulator can make,
 * on a read, on the writes (chat, upload) and on a subscription's source (chatStream); each
 * ends as its typed error in an HTTP 200 answer, and the next request succeeds. With retries
 * on, a single transient fault on a read is absorbed and a persistent one still ends typed;
 * writes are sent exactly once whatever happens.
 */

type Expected = { typename: string; code: string; httpStatus?: number };

/** Every fault, what the client must receive for it, and whether the retry loop may absorb it. */
const FAULTS: [name: string, kind: FaultKind, expected: Expected, transient: boolean][] = [
  ['MAVI 0001', { type: 'code', code: '0001' }, { typename: 'InvalidParameterError', code: '0001' }, false],
  ['MAVI 0401', { type: 'code', code: '0401' }, { typename: 'UnauthorizedError', code: '0401' }, false],
  ['MAVI 0403', { type: 'code', code: '0403' }, { typename: 'AccountDisabledError', code: '0403' }, false],
  ['MAVI 0409', { type: 'code', code: '0409' }, { typename: 'DuplicateRequestError', code: '0409' }, false],
  ['MAVI 0429', { type: 'code', code: '0429' }, { typename: 'RateLimitedError', code: '0429' }, true],
  [
    'an unknown MAVI code',
    { type: 'code', code: '0777', msg: 'something new' },
    { typename: 'UpstreamError', code: 'UPSTREAM_UNKNOWN_CODE' },
    false,
  ],
  [
    'HTTP 500',
    { type: 'http', status: 500, body: 'Internal Server Error' },
    { typename: 'UpstreamError', code: 'UPSTREAM_HTTP_ERROR', httpStatus: 500 },
    true,
  ],
  [
    'HTTP 502 with a proxy page',
    {
      type: 'http',
      status: 502,
      body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
      headers: { 'content-type': 'text/html' },
    },
    { typename: 'UpstreamError', code: 'UPSTREAM_HTTP_ERROR', httpStatus: 502 },
    true,
  ],
  [
    'HTTP 503',
    { type: 'http', status: 503 },
    { typename: 'UpstreamError', code: 'UPSTREAM_HTTP_ERROR', httpStatus: 503 },
    true,
  ],
  [
    'HTTP 504 with a JSON body',
    { type: 'http', status: 504, body: '{"message":"Endpoint request timed out"}' },
    { typename: 'UpstreamError', code: 'UPSTREAM_HTTP_ERROR', httpStatus: 504 },
    true,
  ],
  ['a timeout', { type: 'hang' }, { typename: 'UpstreamError', code: 'UPSTREAM_TIMEOUT' }, true],
  [
    'a connection reset mid-body',
    { type: 'reset' },
    { typename: 'UpstreamError', code: 'UPSTREAM_UNREACHABLE' },
    true,
  ],
  [
    'an HTML body',
    { type: 'body', body: 'html' },
    { typename: 'UpstreamError', code: 'UPSTREAM_BAD_RESPONSE', httpStatus: 200 },
    false,
  ],
  [
    'truncated JSON',
    { type: 'body', body: 'truncated' },
    { typename: 'UpstreamError', code: 'UPSTREAM_BAD_RESPONSE', httpStatus: 200 },
    false,
  ],
  [
    'an empty body',
    { type: 'body', body: 'empty' },
    { typename: 'UpstreamError', code: 'UPSTREAM_BAD_RESPONSE', httpStatus: 200 },
    false,
  ],
  [
    'fields of the wrong type',
    { type: 'body', body: 'wrong-types' },
    { typename: 'UpstreamError', code: 'UPSTREAM_BAD_RESPONSE', httpStatus: 200 },
    false,
  ],
];
const TRANSIENT = FAULTS.filter(([, , , transient]) => transient);
const PERMANENT = FAULTS.filter(([, , , transient]) => !transient);

/** Retries off (the harness default): every fault shows as it is. */
let plain: Stack;
/** Retries on, quick, and with a budget no test here can spend. */
let retrying: Stack;
beforeAll(async () => {
  [plain, retrying] = await Promise.all([
    startStack({ env: { MAVI_TIMEOUT_MS: '300' } }),
    startStack({
      env: {
        MAVI_RETRY_MAX_ATTEMPTS: '3',
        MAVI_RETRY_BASE_DELAY_MS: '5',
        MAVI_RETRY_MAX_DELAY_MS: '20',
        MAVI_RETRY_MAX_ELAPSED_MS: '5000',
        // The default floor (10 retries per 10 s) would run out within this file.
        MAVI_RETRY_BUDGET_FLOOR: '10000',
        MAVI_TIMEOUT_MS: '300',
        MAVI_CHAT_TIMEOUT_MS: '1000',
        MAVI_UPLOAD_TIMEOUT_MS: '1000',
      },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([plain?.close(), retrying?.close()]);
});

const callsFor = (s: Stack, endpoint: MaviEndpoint, key: string) =>
  s.sim.callsTo(endpoint).filter((c) => c.authorization === key).length;

function expectError(value: { __typename?: string } | null | undefined, expected: Expected) {
  const error = expectType(value, expected.typename) as {
    code?: string;
    message?: string;
    httpStatus?: number | null;
  };
  expect(error.code).toBe(expected.code);
  if (expected.httpStatus !== undefined) expect(error.httpStatus).toBe(expected.httpStatus);
  // Nothing of the upstream body reaches the client.
  expect(error.message).not.toMatch(/<html|nginx|Internal Server Error|Endpoint request timed out/i);
}

const list = (s: Stack, key: string) => s.gql(ListVideosDocument, { first: 5 }, { auth: key });

describe('reads, retries off', () => {
  it.each(FAULTS)(
    '%s becomes its typed error, and the next request succeeds',
    async (_name, kind, expected) => {
      const key = plain.newAccount();
      plain.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind });
      const res = await list(plain, key);
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      expectError(res.data?.videos, expected);
      expect(callsFor(plain, 'searchDB', key)).toBe(1);
      expect((await list(plain, key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
    },
  );
});

describe('reads, retries on', () => {
  it.each(TRANSIENT)('absorb a single %s: the client gets data', async (_name, kind) => {
    const key = retrying.newAccount();
    retrying.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind });
    const res = await list(retrying, key);
    expect(res.status).toBe(200);
    expect(res.data?.videos?.__typename).toBe('QueryVideosSuccess');
    expect(callsFor(retrying, 'searchDB', key)).toBe(2);
  });

  it.each(TRANSIENT)(
    'end a persistent %s as its typed error after every attempt, and recover when it clears',
    async (_name, kind, expected) => {
      const key = retrying.newAccount();
      const clear = retrying.sim.injectFault({ credential: key, endpoint: 'searchDB', kind });
      try {
        const res = await list(retrying, key);
        expect(res.status).toBe(200);
        expect(res.errors).toBeUndefined();
        expectError(res.data?.videos, expected);
        expect(callsFor(retrying, 'searchDB', key)).toBe(3);
      } finally {
        clear();
      }
      expect((await list(retrying, key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
    },
  );

  // A refusal, or a body MAVI sent whole but wrong, would come back the same (src/mavi/retry.ts).
  it.each(PERMANENT)('do not retry %s: one call, its typed error', async (_name, kind, expected) => {
    const key = retrying.newAccount();
    retrying.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind });
    const res = await list(retrying, key);
    expect(res.status).toBe(200);
    expectError(res.data?.videos, expected);
    expect(callsFor(retrying, 'searchDB', key)).toBe(1);
    expect((await list(retrying, key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
  });
});

function parsedVideo(s: Stack, key: string): string {
  return s.sim.addVideo(key, {
    status: 'PARSE',
    description: 'a chef cooks pasta',
    scenes: [{ start: 0, end: 20, text: 'a chef boils pasta and grates cheese' }],
  }).videoNo;
}

describe('the chat mutation, retries on', () => {
  const chat = (key: string, videoNo: string) =>
    retrying.gql(ChatDocument, { input: { videoNos: [videoNo], message: 'What happens?' } }, { auth: key });

  it.each(FAULTS)(
    '%s: its typed error, exactly one upstream call, then the next chat succeeds',
    async (_name, kind, expected) => {
      const key = retrying.newAccount({ seed: false });
      const videoNo = parsedVideo(retrying, key);
      retrying.sim.injectFault({ credential: key, endpoint: 'chat', times: 1, kind });
      const res = await chat(key, videoNo);
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      expectError(res.data?.chat, expected);
      expect(callsFor(retrying, 'chat', key)).toBe(1);
      expect((await chat(key, videoNo)).data?.chat?.__typename).toBe('MutationChatSuccess');
      expect(callsFor(retrying, 'chat', key)).toBe(2);
    },
  );
});

describe('the uploadVideo mutation, retries on', () => {
  async function upload(key: string) {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new File([Buffer.alloc(64 * 1024, 3)], 'clip.mp4', { type: 'video/mp4' }));
    const res = await retrying.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { authorization: key, 'graphql-preflight': '1' },
      body: form,
    });
    const body = (await res.json()) as {
      data?: { uploadVideo?: { __typename: string } };
      errors?: unknown;
    };
    return { status: res.status, ...body };
  }

  it.each(FAULTS)(
    '%s: its typed error, exactly one upstream call, then the next upload succeeds',
    async (_name, kind, expected) => {
      const key = retrying.newAccount({ seed: false });
      retrying.sim.injectFault({ credential: key, endpoint: 'upload', times: 1, kind });
      const res = await upload(key);
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      expectError(res.data?.uploadVideo, expected);
      expect(callsFor(retrying, 'upload', key)).toBe(1);
      expect((await upload(key)).data?.uploadVideo?.__typename).toBe('MutationUploadVideoSuccess');
      expect(callsFor(retrying, 'upload', key)).toBe(2);
    },
  );
});

/** Runs chatStream over SSE through yoga.fetch and returns its events once it completes. */
async function streamChat(gateway: Stack['gateway'], key: string, videoNo: string) {
  const res = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: key },
    body: JSON.stringify({
      query: print(ChatStreamDocument),
      variables: { input: { videoNos: [videoNo], message: 'What happens?' } },
    }),
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.startsWith('event: next'))
    .map((block) => {
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('\n');
      return JSON.parse(data) as {
        data?: { chatStream?: { __typename: string; code?: string } };
        errors?: unknown;
      };
    });
  return { status: res.status, events, completed: text.includes('event: complete') };
}

describe('the chatStream subscription source, retries on', () => {
  const stream = (key: string, videoNo: string) => streamChat(retrying.gateway, key, videoNo);

  it.each(FAULTS)(
    '%s: one event with its typed error, then the stream completes; one upstream call',
    async (_name, kind, expected) => {
      const key = retrying.newAccount({ seed: false });
      const videoNo = parsedVideo(retrying, key);
      retrying.sim.injectFault({ credential: key, endpoint: 'chat', times: 1, kind });
      const res = await stream(key, videoNo);
      expect(res.status).toBe(200);
      expect(res.completed).toBe(true);
      expect(res.events).toHaveLength(1);
      expect(res.events[0]?.errors).toBeUndefined();
      expectError(res.events[0]?.data?.chatStream, expected);
      expect(callsFor(retrying, 'chat', key)).toBe(1);

      const next = await stream(key, videoNo);
      expect(next.events.length).toBeGreaterThan(1);
      expect(new Set(next.events.map((e) => e.data?.chatStream?.__typename))).toEqual(
        new Set(['SubscriptionChatStreamSuccess']),
      );
    },
  );

  it('a 0429 mid-stream after good chunks ends the stream with RateLimitedError', async () => {
    const key = retrying.newAccount({ seed: false });
    const videoNo = parsedVideo(retrying, key);
    retrying.sim.injectFault({
      credential: key,
      endpoint: 'chat',
      times: 1,
      kind: { type: 'stream-error', code: '0429', afterChunks: 2 },
    });
    const res = await stream(key, videoNo);
    expect(res.events.map((e) => e.data?.chatStream?.__typename)).toEqual([
      'SubscriptionChatStreamSuccess',
      'SubscriptionChatStreamSuccess',
      'RateLimitedError',
    ]);
    expect(res.completed).toBe(true);
    expect(callsFor(retrying, 'chat', key)).toBe(1);
  });
});

describe('a chat stream cut off after some chunks', () => {
  // The simulator's reset fault cuts only whole answers; this stub streams two chunks and
  // then destroys the socket, as a dropped connection to MAVI would.
  it('ends with UpstreamError UPSTREAM_UNREACHABLE, not an unexpected error', async () => {
    const chunk = (msg: string) =>
      `data:${JSON.stringify({ code: '0000', msg: 'success', data: { msg } })}\n\n`;
    const upstream = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('A chef '));
      res.write(chunk('boils pasta'), () => setTimeout(() => res.destroy(), 20));
    });
    const gateway = createGateway({
      config: testConfig(),
      maviBaseUrl: upstream.url,
      logger: createLogger('silent'),
    });
    try {
      const res = await streamChat(gateway, `sk-${'ab'.repeat(16)}`, 'mavi_video_1');
      expect(res.status).toBe(200);
      expect(res.completed).toBe(true);
      expect(res.events.map((e) => e.errors)).toEqual([undefined, undefined, undefined]);
      expect(res.events.map((e) => e.data?.chatStream?.__typename)).toEqual([
        'SubscriptionChatStreamSuccess',
        'SubscriptionChatStreamSuccess',
        'UpstreamError',
      ]);
      expect(res.events[2]?.data?.chatStream?.code).toBe('UPSTREAM_UNREACHABLE');
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});
