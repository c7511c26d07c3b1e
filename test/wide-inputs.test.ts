import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  DeleteVideosDocument,
  ListVideosDocument,
  SearchClipsDocument,
  WatchVideosDocument,
} from '../operations/__generated__/graphql.js';
import { type Stack, startStack } from './helpers.js';

/**
 * Wide objects and long lists in every input type, as an unauthenticated caller can send them
 * within the body limit. graphql-js prints the whole offending value into each variable error,
 * and the cost limit asked for every error: 4,000 unknown fields of a VideoFilter took 5.7-6.8 s
 * of CPU (10,000: about 35 s and 2.5 GB) and answered 2.5 MB. Each case here must answer a
 * bounded body, quickly, and call MAVI for none of the invalid ones.
 */

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** `n` fields that no input type has. */
function wide(n: number, value: (i: number) => unknown = (i) => i): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) o[`v${i}`] = value(i);
  return o;
}

const list = <T>(n: number, item: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => item(i));

interface Case {
  name: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Invalid: every one must be refused by variable coercion, before any resolver or MAVI call. */
function invalidCases(n: number): Case[] {
  const chat = print(ChatDocument);
  return [
    {
      name: 'VideoFilter with unknown fields',
      query: print(ListVideosDocument),
      variables: { filter: wide(n) },
    },
    {
      name: 'VideoFilter.status given a wide object',
      query: print(ListVideosDocument),
      variables: { filter: { status: wide(n) } },
    },
    {
      name: 'VideoFilter.uploadedAfter given a wide object',
      query: print(ListVideosDocument),
      variables: { filter: { uploadedAfter: wide(n) } },
    },
    {
      name: 'ChatInput with unknown fields',
      query: chat,
      variables: { input: { videoNos: ['mavi_video_1'], message: 'hi', ...wide(n) } },
    },
    {
      name: 'ChatTurnInput items with unknown fields',
      query: chat,
      variables: {
        input: {
          videoNos: ['mavi_video_1'],
          message: 'hi',
          history: list(Math.ceil(n / 100), () => ({ user: 'u', assistant: 'a', ...wide(100) })),
        },
      },
    },
    {
      name: 'ChatInput.videoNos as a long list of objects',
      query: chat,
      variables: { input: { videoNos: list(n, () => ({ a: 1 })), message: 'hi' } },
    },
    {
      name: '[ID!]! of wide objects',
      query: print(DeleteVideosDocument),
      variables: { videoNos: list(Math.ceil(n / 50), () => wide(50)) },
    },
    {
      name: '[ID!]! with nulls',
      query: print(SearchClipsDocument),
      variables: { query: 'dog', videoNos: list(n, () => null) },
    },
    {
      name: 'an ID given a wide object',
      query: print(WatchVideosDocument),
      variables: { videoNos: [wide(n)] },
    },
    {
      name: 'String! given a long list',
      query: print(SearchClipsDocument),
      variables: { query: list(n, (i) => i), videoNos: ['mavi_video_1'] },
    },
    {
      name: 'Int given a wide object',
      query: print(ListVideosDocument),
      variables: { first: wide(n) },
    },
  ];
}

async function send(c: Case, auth: string | null): Promise<{ ms: number; bytes: number; status: number }> {
  const started = performance.now();
  const response = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(auth ? { authorization: auth } : {}),
    },
    body: JSON.stringify({ query: c.query, variables: c.variables }),
  });
  const text = await response.text();
  return { ms: performance.now() - started, bytes: Buffer.byteLength(text), status: response.status };
}

describe('wide objects and long lists in variables', () => {
  for (const n of [1_000, 10_000]) {
    it.each(invalidCases(n).map((c) => [c.name, c] as const))(
      `answers %s (${n}) with a bounded error, quickly, without calling MAVI`,
      async (_name, c) => {
        const before = stack.sim.calls.length;
        for (const auth of [null, stack.newAccount({ seed: false })]) {
          const result = await send(c, auth);
          expect(result.status).toBe(400);
          // Ten errors of a few hundred bytes, whatever the size of the input.
          expect(result.bytes).toBeLessThan(8 * 1024);
          // Linear in the input: milliseconds (it was seconds, growing with the square).
          expect(result.ms).toBeLessThan(1000);
        }
        expect(stack.sim.calls.length).toBe(before);
      },
    );
  }

  it('ignores unknown variables, however many, as GraphQL says', async () => {
    const result = await send(
      { name: 'unknown', query: print(ListVideosDocument), variables: wide(10_000) },
      null,
    );
    expect(result.status).toBe(200);
    expect(result.bytes).toBeLessThan(8 * 1024);
    expect(result.ms).toBeLessThan(1000);
  });

  it('bounds what each message quotes of the value', async () => {
    const response = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: print(ListVideosDocument), variables: { filter: wide(5000) } }),
    });
    const body = (await response.json()) as { errors: { message: string }[] };
    expect(body.errors).toHaveLength(11);
    expect(body.errors[0]?.message).toBe(
      'Variable "$filter" got invalid value an object with 5000 fields; Field "v0" is not defined by type "VideoFilter".',
    );
    expect(body.errors.at(-1)?.message).toMatch(/only the first 10 are reported/);
    for (const error of body.errors) expect(error.message.length).toBeLessThan(400);
  });

  it('still reports a small mistake as graphql-js words it, with the path', async () => {
    const response = await stack.gql(ListVideosDocument, { filter: { status: 'DONE' as never } });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.message).toBe(
      'Variable "$filter" got invalid value "DONE" at "filter.status"; Value "DONE" does not exist in "VideoStatus" enum.',
    );
  });

  it('serves long valid lists within the limits without holding the loop', async () => {
    // A 500-video watch list (its maximum) and a 5,000-video delete (ten chunks) of unknown videos.
    const key = stack.newAccount({ seed: false });
    const valid: Case[] = [
      {
        name: 'watch 500',
        query: print(WatchVideosDocument),
        variables: { videoNos: list(501, (i) => `mavi_video_${i}`) },
      },
      {
        name: 'search clips in 5000',
        query: print(SearchClipsDocument),
        variables: { query: 'dog', videoNos: list(5000, (i) => `mavi_video_${i}`) },
      },
    ];
    for (const c of valid) {
      const result = await send(c, key);
      expect(result.bytes).toBeLessThan(64 * 1024);
      expect(result.ms).toBeLessThan(2000);
    }
  });
});
