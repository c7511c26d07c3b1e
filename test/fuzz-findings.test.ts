import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  GetTranscriptionDocument,
  SearchVideosDocument,
  UploadVideoDocument,
} from '../operations/__generated__/graphql.js';
import { documentCaches, documentCost } from '../src/document-cache.js';
import { expectType, type LiveStack, type Stack, startLiveStack, startStack } from './helpers.js';

/**
 * What test/fuzz.test.ts found, one reproduction each, through yoga.fetch (or a socket where
 * the protocol needs one).
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('a request without a usable credential', () => {
  it.each([
    ['no Authorization header', null],
    ['a malformed one', 'Bearer two words'],
  ])(
    'gets UnauthorizedError from transcription and searchVideos with %s, not "Unexpected error."',
    async (_name, auth) => {
      const transcription = await stack.gql(GetTranscriptionDocument, { taskNo: 'project_1' }, { auth });
      expect(transcription.errors).toBeUndefined();
      expectType(transcription.data?.transcription, 'UnauthorizedError');
      const search = await stack.gql(SearchVideosDocument, { query: 'a dog' }, { auth });
      expect(search.errors).toBeUndefined();
      expectType(search.data?.searchVideos, 'UnauthorizedError');
    },
  );
});

describe('a document nested deeper than the parser can recurse', () => {
  const deep = (n: number) => ({
    'object literal': `{ videos(filter: ${'{status: '.repeat(n)}PARSE${'}'.repeat(n)}) { __typename } }`,
    'list literal': `{ videos(first: ${'['.repeat(n)}1${']'.repeat(n)}) { __typename } }`,
    'selection set': `${'{ a '.repeat(n)}${'}'.repeat(n)}`,
  });

  it.each(Object.entries(deep(3000)))('is refused with HTTP 400 (%s), not a 500', async (_shape, query) => {
    const res = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('QUERY_TOO_DEEP');
    expect(body.errors[0]?.message).not.toMatch(/call stack/);
  });
});

describe('variables or extensions that are not JSON in a query string', () => {
  const cases = [
    ['variables', 'variables=%7Bbad'],
    ['extensions', 'extensions=_L*%7B'],
  ] as const;

  it.each(cases)('in a GET are refused with HTTP 400 (%s), not a 500', async (_name, param) => {
    const res = await stack.gateway.yoga.fetch(
      `http://gateway.test/graphql?query=${encodeURIComponent('{ __typename }')}&${param}`,
      { headers: { 'graphql-preflight': '1', accept: 'application/graphql-response+json' } },
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]?.message).toMatch(/not valid JSON/);
  });

  it.each(cases)('in a form-encoded POST are refused with HTTP 400 (%s)', async (_name, param) => {
    const res = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'graphql-preflight': '1',
        accept: 'application/graphql-response+json',
      },
      body: `query=${encodeURIComponent('{ __typename }')}&${param}`,
    });
    expect(res.status).toBe(400);
  });
});

describe('a document that does not parse, over WebSocket', () => {
  let live: LiveStack;
  beforeAll(async () => {
    live = await startLiveStack();
  });
  afterAll(() => live.close());

  it.each([
    ['a syntax error', '{'],
    ['too deep to parse', `{ videos(first: ${'['.repeat(3000)}1${']'.repeat(3000)}) { __typename } }`],
  ])('(%s) gets an error message for that operation; the socket stays open', async (_name, query) => {
    const ws = new WebSocket(live.wsUrl, ['graphql-transport-ws']);
    const messages: { type: string; id?: string; payload?: unknown }[] = [];
    let closed: number | null = null;
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    ws.on('close', (code) => {
      closed = code;
    });
    const next = async (type: string) => {
      const deadline = Date.now() + 3000;
      while (!messages.some((m) => m.type === type) && closed === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
      }
      return messages.find((m) => m.type === type);
    };
    try {
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: live.newAccount() } }));
      expect(await next('connection_ack')).toBeDefined();
      ws.send(JSON.stringify({ type: 'subscribe', id: 'bad', payload: { query } }));
      const error = await next('error');
      expect(closed).toBeNull();
      expect(error).toMatchObject({ id: 'bad', payload: [{ message: expect.any(String) }] });
      ws.send(JSON.stringify({ type: 'subscribe', id: 'good', payload: { query: '{ __typename }' } }));
      expect(await next('complete')).toMatchObject({ id: 'good' });
      expect(messages.find((m) => m.type === 'next')).toMatchObject({
        id: 'good',
        payload: { data: { __typename: 'Query' } },
      });
    } finally {
      ws.terminate();
    }
  });
});

describe('parsed documents no client sends twice', () => {
  // In a process: test/fuzz.test.ts ("large distinct documents") saw the heap, after a full
  // garbage collection, keep 186 MiB more after 130 such requests with yoga's own caches.
  const big = (i: number) =>
    `{ ${Array.from({ length: 3300 }, (_, j) => `a${i}_${j}: __typename`).join(' ')} }`;

  it('are costed at what they keep alive: about 2.5 MiB for 10,000 tokens', () => {
    const source = big(0);
    expect(documentCost(source, parse(source))).toBeGreaterThan(2 * 1024 * 1024);
  });

  it('stay within the cache budget, the most recently used kept', () => {
    const { documentCache, errorCache } = documentCaches();
    const sources = Array.from({ length: 40 }, (_, i) => big(i));
    for (const source of sources) documentCache.set(source, parse(source));
    expect(documentCache.calculatedSize).toBeLessThanOrEqual(32 * 1024 * 1024);
    expect(documentCache.size).toBeLessThan(40);
    expect(documentCache.get(sources[39] as string)).toBeDefined();
    expect(documentCache.get(sources[0] as string)).toBeUndefined();
    // A parse error of a body padded to the limit is not kept at all.
    const padded = `{ ${'x'.repeat(1024 * 1024 - 100)}`;
    errorCache.set(padded, new Error('Syntax Error'));
    expect(errorCache.size).toBe(0);
  });
});

describe('broken multipart requests', () => {
  const boundary = 'finding-boundary';
  const part = (name: string, content: string, extra = '') =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${content}\r\n`;
  const file = (name: string, bytes = 100) =>
    part(name, 'v'.repeat(bytes), '; filename="clip.mp4"\r\nContent-Type: video/mp4');
  const end = `--${boundary}--\r\n`;
  const operations = JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } });

  async function post(body: string, signal?: AbortSignal) {
    const res = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'graphql-preflight': '1',
        authorization: stack.newAccount({ seed: false }),
      },
      body,
      ...(signal ? { signal } : {}),
    });
    return {
      status: res.status,
      body: (await res.json()) as { data?: unknown; errors?: { message: string }[] },
    };
  }

  it('a map that is not JSON is refused with HTTP 400, not a 500 "Unexpected error."', async () => {
    const res = await post(part('operations', operations) + part('map', 'not json') + file('0') + end);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/"map" is not valid JSON/);
  });

  it('a second map is refused with HTTP 400; it left the upload waiting forever', async () => {
    const map = '{"0":["variables.file"]}';
    const res = await post(
      part('operations', operations) + part('map', map) + part('map', map) + file('0') + end,
      AbortSignal.timeout(5000),
    );
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/"map" appears twice/);
  });

  it('a body cut inside a file part nobody has opened yet fails that upload; it ended the process', async () => {
    // The part's stream was destroyed with "Unexpected end of form" and no listener: an
    // uncaught 'error' event (this test run would report it as an unhandled error).
    const two = JSON.stringify({
      query:
        'mutation($a: File!, $b: File!) { a: uploadVideo(file: $a) { __typename } b: uploadVideo(file: $b) { __typename ... on Error { message } } }',
      variables: { a: null, b: null },
    });
    const res = await post(
      part('operations', two) +
        part('map', '{"0":["variables.a"],"1":["variables.b"]}') +
        file('0') +
        file('1', 5000).slice(0, 2000),
    );
    expect(res.body.data).toEqual({
      a: { __typename: 'MutationUploadVideoSuccess' },
      b: {
        __typename: 'InvalidParameterError',
        message: expect.stringMatching(/broke off inside the file part "1"/),
      },
    });
  });
});
