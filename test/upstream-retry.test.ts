import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  DeleteVideosDocument,
  GetTranscriptionDocument,
  ListVideosDocument,
  ObtainAccessTokenDocument,
  RequestTranscriptionDocument,
  SearchClipsDocument,
  SearchVideosDocument,
  UploadVideoDocument,
} from '../operations/__generated__/graphql.js';
import type { RetryReport } from '../src/mavi/retry.js';
import { backoffMs } from '../src/mavi/retry.js';
import type { MaviEndpoint } from '../src/simulator/types.js';
import { eventually, expectType, type Stack, sleep, startStack } from './helpers.js';

/**
 * Retries of idempotent reads, counted on the simulator: reads come back after transient
 * failures, writes are sent exactly once, and the budget caps retries during an outage.
 */
let stack: Stack;
const retries: RetryReport[] = [];
beforeAll(async () => {
  stack = await startStack({
    env: {
      MAVI_RETRY_MAX_ATTEMPTS: '3',
      MAVI_RETRY_BASE_DELAY_MS: '5',
      MAVI_RETRY_MAX_DELAY_MS: '20',
      MAVI_TIMEOUT_MS: '300',
      MAVI_RETRY_MAX_ELAPSED_MS: '5000',
    },
    gateway: { onUpstreamRetry: (report) => retries.push(report) },
  });
});
afterAll(() => stack.close());

/** Calls the simulator received for this endpoint with this credential. */
const callsFor = (s: Stack, endpoint: MaviEndpoint, key: string) =>
  s.sim.callsTo(endpoint).filter((c) => c.authorization === key).length;

const list = (key: string) => stack.gql(ListVideosDocument, { first: 5 }, { auth: key });

describe('idempotent reads', () => {
  it('succeed after two 503s, and the simulator saw three calls', async () => {
    const key = stack.newAccount();
    stack.sim.injectFault({
      credential: key,
      endpoint: 'searchDB',
      times: 2,
      kind: { type: 'http', status: 503 },
    });
    const res = await list(key);
    expect(res.data?.videos?.__typename).toBe('QueryVideosSuccess');
    expect(callsFor(stack, 'searchDB', key)).toBe(3);
  });

  it.each([
    ['a timeout', { type: 'hang' }],
    ['a reset connection', { type: 'reset' }],
    ['HTTP 502', { type: 'http', status: 502, body: '<html>bad gateway</html>' }],
    ['MAVI 0429 without Retry-After', { type: 'code', code: '0429' }],
  ] as const)('are retried after %s', async (_name, kind) => {
    const key = stack.newAccount();
    stack.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind });
    expect((await list(key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
    expect(callsFor(stack, 'searchDB', key)).toBe(2);
  });

  it('are retried on every read endpoint: searchAI, searchVideoFragment, getTranscription', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'PARSE', description: 'a dog in a park' });
    const fault = (endpoint: MaviEndpoint) =>
      stack.sim.injectFault({ credential: key, endpoint, times: 1, kind: { type: 'http', status: 503 } });

    fault('searchAI');
    const videos = await stack.gql(SearchVideosDocument, { query: 'dog' }, { auth: key });
    expect(videos.data?.searchVideos?.__typename).toBe('QuerySearchVideosSuccess');
    fault('searchVideoFragment');
    const clips = await stack.gql(
      SearchClipsDocument,
      { query: 'dog', videoNos: [video.videoNo] },
      { auth: key },
    );
    expect(clips.data?.searchClips?.__typename).toBe('QuerySearchClipsSuccess');
    const task = await stack.gql(
      RequestTranscriptionDocument,
      { videoNo: video.videoNo, type: 'AUDIO' },
      { auth: key },
    );
    const taskNo = expectType(task.data?.requestTranscription, 'MutationRequestTranscriptionSuccess').data
      .taskNo;
    fault('getTranscription');
    const transcription = await stack.gql(GetTranscriptionDocument, { taskNo }, { auth: key });
    expect(transcription.data?.transcription?.__typename).toBe('QueryTranscriptionSuccess');

    expect(callsFor(stack, 'searchAI', key)).toBe(2);
    expect(callsFor(stack, 'searchVideoFragment', key)).toBe(2);
    expect(callsFor(stack, 'getTranscription', key)).toBe(2);
  });

  it('give up after the maximum number of attempts with the last failure', async () => {
    const key = stack.newAccount();
    stack.sim.injectFault({
      credential: key,
      endpoint: 'searchDB',
      times: 5,
      kind: { type: 'http', status: 503 },
    });
    const error = expectType((await list(key)).data?.videos, 'UpstreamError');
    expect(error).toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', httpStatus: 503, retryable: true });
    expect(callsFor(stack, 'searchDB', key)).toBe(3);
  });

  it.each([
    ['0401', { type: 'code', code: '0401' }, 'UnauthorizedError'],
    ['HTTP 404', { type: 'http', status: 404, body: 'not found' }, 'UpstreamError'],
    ['a malformed body', { type: 'body', body: 'wrong-types' }, 'UpstreamError'],
  ] as const)('are not retried after %s', async (_name, kind, typename) => {
    const key = stack.newAccount();
    stack.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind });
    expectType((await list(key)).data?.videos, typename);
    expect(callsFor(stack, 'searchDB', key)).toBe(1);
  });
});

/**
 * Every HTTP status against every kind of body: the status decides first (a status standing
 * for a MAVI code is that error; any other non-2xx is UPSTREAM_HTTP_ERROR, retryable for 5xx),
 * only a 2xx body is read as MAVI's answer, and `retryable` is exactly what the loop does.
 */
describe('status x body', () => {
  let matrix: Stack;
  beforeAll(async () => {
    matrix = await startStack({
      env: {
        MAVI_RETRY_MAX_ATTEMPTS: '3',
        MAVI_RETRY_BASE_DELAY_MS: '1',
        MAVI_RETRY_MAX_DELAY_MS: '2',
        // No budget this table can spend: each row sees the loop's own decision.
        MAVI_RETRY_BUDGET_FLOOR: '100000',
      },
    });
  });
  afterAll(() => matrix.close());

  const BODIES = [
    ['an empty body', '', null],
    ['an HTML page', '<html><body><h1>Service Unavailable</h1></body></html>', null],
    ['JSON without a code', '{"message":"Endpoint request timed out"}', null],
    ['code 0000', '{"code":"0000","msg":"success","data":{"total":0,"videoData":[]}}', '0000'],
    ['code 0401', '{"code":"0401","msg":"Authorization invalid"}', '0401'],
    ['code 0429', '{"code":"0429","msg":"Request has exceeded the limit."}', '0429'],
    ['code 0503', '{"code":"0503","msg":"busy"}', '0503'],
  ] as const;
  const STATUSES = [200, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504] as const;
  const MAVI_ERRORS: Record<number, [string, string, boolean]> = {
    401: ['UnauthorizedError', '0401', false],
    403: ['AccountDisabledError', '0403', false],
    409: ['DuplicateRequestError', '0409', false],
    429: ['RateLimitedError', '0429', true],
  };

  /** What the client must get, and how many calls MAVI must see (3: every attempt). */
  function expected(status: number, code: string | null) {
    const mavi = MAVI_ERRORS[status];
    if (mavi) {
      const [typename, maviCode, retryable] = mavi;
      return { typename, fields: { code: maviCode, retryable }, calls: retryable ? 3 : 1 };
    }
    if (status !== 200) {
      const retryable = status >= 500;
      return {
        typename: 'UpstreamError',
        fields: { code: 'UPSTREAM_HTTP_ERROR', httpStatus: status, upstreamCode: code, retryable },
        calls: retryable ? 3 : 1,
      };
    }
    switch (code) {
      case null:
        return {
          typename: 'UpstreamError',
          fields: { code: 'UPSTREAM_BAD_RESPONSE', httpStatus: 200, retryable: false },
          calls: 1,
        };
      case '0000':
        return { typename: 'QueryVideosSuccess', fields: {}, calls: 1 };
      case '0401':
        return { typename: 'UnauthorizedError', fields: { code: '0401', retryable: false }, calls: 1 };
      case '0429':
        return { typename: 'RateLimitedError', fields: { code: '0429', retryable: true }, calls: 3 };
      default:
        return {
          typename: 'UpstreamError',
          fields: { code: 'UPSTREAM_UNKNOWN_CODE', httpStatus: 200, upstreamCode: code, retryable: false },
          calls: 1,
        };
    }
  }

  const rows = STATUSES.flatMap((status) =>
    BODIES.map(([name, body, code]) => [status, name, body, code] as const),
  );
  it.each(rows)('HTTP %i with %s', async (status, _name, body, code) => {
    const want = expected(status, code);
    const key = matrix.newAccount();
    const clear = matrix.sim.injectFault({
      credential: key,
      endpoint: 'searchDB',
      kind: { type: 'http', status, body, headers: { 'content-type': 'application/json' } },
    });
    try {
      const res = await matrix.gql(
        '{ videos(first: 5) { __typename ... on Error { code message retryable } ... on UpstreamError { httpStatus upstreamCode } } }',
        undefined,
        { auth: key },
      );
      expect(res.status).toBe(200);
      expect(res.errors).toBeUndefined();
      const videos = (res.data as { videos: Record<string, unknown> }).videos;
      expect(videos).toMatchObject({ __typename: want.typename, ...want.fields });
      // Of a body that is not the answer's own envelope, nothing reaches the client but its code.
      expect(String(videos.message ?? '')).not.toMatch(/busy|Service Unavailable|timed out/i);
      expect(callsFor(matrix, 'searchDB', key)).toBe(want.calls);
    } finally {
      clear();
    }
  });
});

describe('Retry-After', () => {
  const limited = (retryAfter: string) =>
    ({
      type: 'http',
      status: 429,
      body: '{"code":"0429","msg":"Request has exceeded the limit."}',
      headers: { 'retry-after': retryAfter },
    }) as const;

  it('is waited out when it fits the time limit, then the read is retried', async () => {
    const key = stack.newAccount();
    stack.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind: limited('1') });
    const seen = retries.length;
    expect((await list(key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
    expect(callsFor(stack, 'searchDB', key)).toBe(2);
    expect(retries.slice(seen)).toContainEqual(
      expect.objectContaining({ endpoint: 'searchDB', failure: '0429', decision: 'retry', delayMs: 1000 }),
    );
  });

  it('longer than the time limit returns the 0429 at once, with its retryAfterSeconds', async () => {
    const key = stack.newAccount();
    stack.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind: limited('60') });
    const error = expectType((await list(key)).data?.videos, 'RateLimitedError');
    expect(error).toMatchObject({ code: '0429', retryAfterSeconds: 60 });
    expect(callsFor(stack, 'searchDB', key)).toBe(1);
  });
});

describe('writes and token calls', () => {
  const outage = (key: string, endpoint: MaviEndpoint) =>
    stack.sim.injectFault({ credential: key, endpoint, times: 3, kind: { type: 'http', status: 503 } });

  it('upload is sent exactly once', async () => {
    const key = stack.newAccount({ seed: false });
    outage(key, 'upload');
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new File([Buffer.alloc(2000, 1)], 'clip.mp4', { type: 'video/mp4' }));
    const res = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { authorization: key, 'graphql-preflight': '1' },
      body: form,
    });
    const body = (await res.json()) as { data?: { uploadVideo?: { __typename: string } } };
    expect(body.data?.uploadVideo?.__typename).toBe('UpstreamError');
    expect(callsFor(stack, 'upload', key)).toBe(1);
  });

  it('delete, chat and subTranscription are sent exactly once', async () => {
    const key = stack.newAccount({ seed: false });
    const video = stack.sim.addVideo(key, { status: 'PARSE' });
    for (const endpoint of ['delete', 'chat', 'subTranscription'] as const) outage(key, endpoint);

    const deleted = await stack.gql(DeleteVideosDocument, { videoNos: [video.videoNo] }, { auth: key });
    // Nothing deleted: the failure is the whole answer.
    expect(deleted.data?.deleteVideos?.__typename).toBe('UpstreamError');
    const chat = await stack.gql(
      ChatDocument,
      { input: { videoNos: [video.videoNo], message: 'What happens?' } },
      { auth: key },
    );
    expect(chat.data?.chat?.__typename).toBe('UpstreamError');
    const task = await stack.gql(
      RequestTranscriptionDocument,
      { videoNo: video.videoNo, type: 'VIDEO' },
      { auth: key },
    );
    expect(task.data?.requestTranscription?.__typename).toBe('UpstreamError');

    expect(callsFor(stack, 'delete', key)).toBe(1);
    expect(callsFor(stack, 'chat', key)).toBe(1);
    expect(callsFor(stack, 'subTranscription', key)).toBe(1);
  });

  it('getAccessToken is sent exactly once', async () => {
    const key = stack.newAccount({ seed: false });
    const { clientId, code } = stack.sim.issueAuthCode(key);
    stack.sim.injectFault({ endpoint: 'getAccessToken', times: 3, kind: { type: 'http', status: 503 } });
    const before = stack.sim.callsTo('getAccessToken').length;
    const res = await stack.gql(ObtainAccessTokenDocument, { clientId, code }, { auth: null });
    expect(res.data?.obtainAccessToken?.__typename).toBe('UpstreamError');
    expect(stack.sim.callsTo('getAccessToken').length - before).toBe(1);
    stack.sim.clearFaults();
  });
});

describe('a caller that goes away', () => {
  it('stops the retry loop: no attempt after the abort', async () => {
    const key = stack.newAccount();
    stack.sim.injectFault({
      credential: key,
      endpoint: 'searchDB',
      times: 5,
      kind: { type: 'http', status: 429, body: '{"code":"0429"}', headers: { 'retry-after': '1' } },
    });
    const controller = new AbortController();
    const pending = stack
      .gql('{ videos { __typename } }', undefined, { auth: key, signal: controller.signal })
      .catch(() => 'aborted');
    await eventually(() => (callsFor(stack, 'searchDB', key) === 1 ? true : undefined));
    controller.abort();
    await pending;
    // Past the Retry-After the loop was waiting out: a live loop would have called again.
    await sleep(1500);
    expect(callsFor(stack, 'searchDB', key)).toBe(1);
  });
});

describe('the retry budget', () => {
  let outage: Stack;
  beforeAll(async () => {
    outage = await startStack({
      env: {
        MAVI_RETRY_MAX_ATTEMPTS: '3',
        MAVI_RETRY_BASE_DELAY_MS: '1',
        MAVI_RETRY_MAX_DELAY_MS: '2',
        MAVI_RETRY_BUDGET_PERCENT: '10',
        MAVI_RETRY_BUDGET_FLOOR: '2',
        MAVI_RETRY_BUDGET_WINDOW_MS: '60000',
      },
    });
  });
  afterAll(() => outage.close());

  it('stops retries during a sustained outage: 20 reads make 24 calls, not 60', async () => {
    const key = outage.newAccount();
    outage.sim.injectFault({ credential: key, endpoint: 'searchDB', kind: { type: 'http', status: 503 } });
    for (let i = 0; i < 20; i++) {
      const res = await outage.gql(ListVideosDocument, { first: 5 }, { auth: key });
      expect(expectType(res.data?.videos, 'UpstreamError').httpStatus).toBe(503);
    }
    // Floor 2 plus 10% of 20 requests: 4 retries in the window.
    expect(callsFor(outage, 'searchDB', key)).toBe(24);
  });
});

describe('backoff', () => {
  it('is full jitter below min(cap, base × 2^(n-1))', () => {
    for (let n = 1; n <= 8; n++) {
      const ceiling = Math.min(2000, 100 * 2 ** (n - 1));
      for (let i = 0; i < 50; i++) {
        const delay = backoffMs(n, { baseDelayMs: 100, maxDelayMs: 2000 });
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });
});
