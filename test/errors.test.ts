import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeleteVideosDocument,
  GetVideoDocument,
  ListVideosDocument,
  SearchVideosDocument,
} from '../operations/__generated__/graphql.js';
import { createLogger } from '../src/logger.js';
import { FAILURES } from '../src/mavi/errors.js';
import { startSimulator } from '../src/simulator/index.js';
import { createGateway, expectType, type Stack, startStack, testConfig } from './helpers.js';

/** Every error type, each reached through a real answer of the simulator. */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { MAVI_TIMEOUT_MS: '300' } });
});
afterAll(() => stack.close());

const list = (auth?: string | null) =>
  stack.gql(ListVideosDocument, { first: 5 }, auth === undefined ? {} : { auth });

describe('MAVI response codes', () => {
  it.each([
    ['0001', 'InvalidParameterError', false],
    ['0401', 'UnauthorizedError', false],
    ['0403', 'AccountDisabledError', false],
    ['0409', 'DuplicateRequestError', false],
    ['0429', 'RateLimitedError', true],
  ] as const)('code %s becomes %s (retryable %s)', async (code, typename, retryable) => {
    const key = stack.newAccount();
    stack.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind: { type: 'code', code } });
    const res = await list(key);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    const error = expectType(res.data?.videos, typename);
    expect(error).toMatchObject({ code, retryable });
    expect(error.message.length).toBeGreaterThan(5);
    // The next request succeeds.
    expect((await list(key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
  });

  it('keeps the code table in one place', () => {
    expect(FAILURES.RATE_LIMITED).toMatchObject({ code: '0429', retryable: true });
    expect(FAILURES.UNAUTHORIZED).toMatchObject({ code: '0401', retryable: false });
  });

  it('answers 0401 for a credential MAVI does not know', async () => {
    const res = await list('not-a-real-key');
    expect(expectType(res.data?.videos, 'UnauthorizedError').code).toBe('0401');
    expect(stack.sim.calls.at(-1)?.authorization).toBe('not-a-real-key');
  });

  it('answers 0403 for a disabled account', async () => {
    const key = stack.newAccount();
    stack.sim.disableAccount(key);
    expect(expectType((await list(key)).data?.videos, 'AccountDisabledError').code).toBe('0403');
  });

  it('answers 0409 when deleting a video twice', async () => {
    const key = stack.newAccount();
    const video = stack.sim.addVideo(key);
    const first = await stack.gql(DeleteVideosDocument, { videoNos: [video.videoNo] }, { auth: key });
    expect(expectType(first.data?.deleteVideos, 'MutationDeleteVideosSuccess').data.deletedVideoNos).toEqual([
      video.videoNo,
    ]);
    const second = await stack.gql(DeleteVideosDocument, { videoNos: [video.videoNo] }, { auth: key });
    expect(expectType(second.data?.deleteVideos, 'DuplicateRequestError').code).toBe('0409');
  });

  it('answers 0429 with retryAfterSeconds from Retry-After when MAVI gives one', async () => {
    const key = stack.newAccount();
    stack.sim.injectFault({
      credential: key,
      times: 1,
      kind: {
        type: 'http',
        status: 429,
        body: '{"code":"0429","msg":"Request has exceeded the limit."}',
        headers: { 'retry-after': '7' },
      },
    });
    const error = expectType((await list(key)).data?.videos, 'RateLimitedError');
    expect(error).toMatchObject({ code: '0429', retryAfterSeconds: 7, retryable: true });
  });

  it('reports a code this gateway does not know as UpstreamError with upstreamCode', async () => {
    const key = stack.newAccount();
    stack.sim.injectFault({
      credential: key,
      times: 1,
      kind: { type: 'code', code: '0002', msg: 'something new' },
    });
    const error = expectType((await list(key)).data?.videos, 'UpstreamError');
    expect(error).toMatchObject({
      code: 'UPSTREAM_UNKNOWN_CODE',
      upstreamCode: '0002',
      httpStatus: 200,
      retryable: false,
    });
  });
});

describe('upstream faults', () => {
  it.each([
    [{ type: 'http', status: 503 }, 'UPSTREAM_HTTP_ERROR', 503, true],
    [{ type: 'http', status: 500, body: 'Internal Server Error' }, 'UPSTREAM_HTTP_ERROR', 500, true],
    [{ type: 'http', status: 404, body: 'not found' }, 'UPSTREAM_HTTP_ERROR', 404, false],
    [{ type: 'body', body: 'html' }, 'UPSTREAM_BAD_RESPONSE', 200, true],
    [{ type: 'body', body: 'truncated' }, 'UPSTREAM_BAD_RESPONSE', 200, true],
    [{ type: 'body', body: 'empty' }, 'UPSTREAM_BAD_RESPONSE', 200, true],
    [{ type: 'body', body: 'garbage' }, 'UPSTREAM_BAD_RESPONSE', 200, true],
    [{ type: 'body', body: 'not-envelope' }, 'UPSTREAM_BAD_RESPONSE', 200, true],
    [{ type: 'body', body: 'wrong-types' }, 'UPSTREAM_BAD_RESPONSE', 200, true],
    [{ type: 'hang' }, 'UPSTREAM_TIMEOUT', null, true],
    [{ type: 'reset' }, 'UPSTREAM_UNREACHABLE', 200, true],
  ] as const)('%j becomes UpstreamError %s', async (kind, code, httpStatus, retryable) => {
    const key = stack.newAccount();
    stack.sim.injectFault({ credential: key, endpoint: 'searchDB', times: 1, kind });
    const res = await list(key);
    expect(res.status).toBe(200);
    const error = expectType(res.data?.videos, 'UpstreamError');
    expect(error).toMatchObject({ code, retryable });
    if (httpStatus !== null) expect(error.httpStatus).toBe(httpStatus);
    // Nothing of the upstream body reaches the client.
    expect(error.message).not.toMatch(/<html|Internal Server Error|not found/i);
    expect((await list(key)).data?.videos?.__typename).toBe('QueryVideosSuccess');
  });

  it('reports an unreachable MAVI as UpstreamError', async () => {
    const sim = await startSimulator();
    const url = sim.url;
    await sim.close();
    const gateway = createGateway({ config: testConfig(), maviBaseUrl: url, logger: createLogger('silent') });
    const res = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'sk-00000000000000000000000000000000' },
      body: JSON.stringify({ query: '{ videos { ... on Error { __typename code retryable } } }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: { videos: { __typename: 'UpstreamError', code: 'UPSTREAM_UNREACHABLE', retryable: true } },
    });
  });
});

describe('auth passthrough', () => {
  it('answers UnauthorizedError without calling MAVI when there is no Authorization header', async () => {
    stack.sim.resetCalls();
    const res = await list(null);
    expect(expectType(res.data?.videos, 'UnauthorizedError')).toMatchObject({
      code: '0401',
      retryable: false,
    });
    expect(stack.sim.calls).toHaveLength(0);
  });

  it('refuses a malformed Authorization header without calling MAVI', async () => {
    stack.sim.resetCalls();
    const res = await list('Bearer two words');
    expect(expectType(res.data?.videos, 'UnauthorizedError').message).toMatch(/malformed/);
    expect(stack.sim.calls).toHaveLength(0);
  });

  it('sends "Bearer <token>" to MAVI as the raw token', async () => {
    const key = stack.newAccount();
    stack.sim.resetCalls();
    const res = await list(`Bearer ${key}`);
    expect(res.data?.videos?.__typename).toBe('QueryVideosSuccess');
    expect(stack.sim.calls.map((c) => c.authorization)).toEqual([key]);
  });
});

describe('unexpected failures', () => {
  it('are masked: no stack, no upstream body, no credential, and never HTTP 500', async () => {
    const sim = await startSimulator();
    const key = sim.createAccount().apiKey;
    const gateway = createGateway({
      config: testConfig(),
      maviBaseUrl: sim.url,
      logger: createLogger('silent'),
      onUpstreamAttempt: () => {
        throw new Error(`bug while handling ${key}: ${'<html>upstream body</html>'}`);
      },
    });
    try {
      const res = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: key },
        body: JSON.stringify({ query: '{ videos { __typename } }' }),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain(key);
      expect(text).not.toContain('upstream body');
      expect(text).not.toMatch(/at .*\.ts:\d+/);
      expect(JSON.parse(text).errors[0].message).toBe('Unexpected error.');
    } finally {
      await sim.close();
    }
  });
});

describe('bad input is refused before MAVI is called', () => {
  it.each([
    [SearchVideosDocument, { query: '   ' }, 'query'],
    [SearchVideosDocument, { query: 'x'.repeat(5000) }, 'query'],
    [GetVideoDocument, { videoNo: 'has space' }, 'videoNo'],
    [DeleteVideosDocument, { videoNos: [] }, 'videoNos'],
    [DeleteVideosDocument, { videoNos: ['a', 'b', 'a'] }, 'videoNos[2]'],
  ] as const)('%#: %j', async (document, variables, field) => {
    stack.sim.resetCalls();
    const res = await stack.gql(document as typeof SearchVideosDocument, variables as never);
    const value = Object.values(res.data ?? {})[0] as { __typename: string; field: string };
    expect(value).toMatchObject({ __typename: 'InvalidParameterError', field });
    expect(stack.sim.calls).toHaveLength(0);
  });
});
