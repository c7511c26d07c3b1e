/**
 * Hot documents run compiled (src/plugins/use-hot-jit.ts): a document starts on graphql-js,
 * is compiled with graphql-jit once it has been executed `threshold` times, and answers the
 * same afterwards, successes, typed errors and GraphQL errors alike.
 */
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetVideoDocument, ListVideosDocument } from '../operations/__generated__/graphql.js';
import { type Stack, startStack } from './helpers.js';

/** useHotJit's default threshold. */
const THRESHOLD = 20;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

/** Runs one document through the gateway's own envelop `times` times, as yoga would. */
async function executeRepeatedly(
  query: string,
  variables: Record<string, unknown>,
  key: string,
  times: number,
) {
  const results: { compiled: boolean; json: string }[] = [];
  for (let i = 0; i < times; i++) {
    const request = new Request('http://gateway.test/graphql', {
      method: 'POST',
      headers: { authorization: key },
    });
    const enveloped = stack.gateway.yoga.getEnveloped({ request, params: { query, variables } } as never);
    const document = enveloped.parse(query);
    expect(enveloped.validate(enveloped.schema, document)).toEqual([]);
    const contextValue = await enveloped.contextFactory();
    const result = (await enveloped.execute({
      schema: enveloped.schema,
      document,
      variableValues: variables,
      contextValue,
    })) as { stringify?: unknown; data?: unknown; errors?: unknown };
    // @envelop/graphql-jit marks what it executed with its serializer.
    results.push({
      compiled: 'stringify' in result,
      json: JSON.stringify({ data: result.data, errors: result.errors }),
    });
  }
  return results;
}

describe('hot documents', () => {
  it('are compiled at the threshold and answer exactly as before', async () => {
    // Parsed videos only: the sample library's pending ones would change status meanwhile.
    const key = stack.newAccount({ seed: false });
    for (let i = 0; i < 6; i++) stack.sim.addVideo(key, { videoName: `jit-${i}.mp4`, duration: 10 + i });
    const results = await executeRepeatedly(print(ListVideosDocument), { first: 5 }, key, THRESHOLD + 3);
    expect(results.map((r) => r.compiled)).toEqual(
      Array.from({ length: THRESHOLD + 3 }, (_, i) => i + 1 >= THRESHOLD),
    );
    // Cursors carry the request's time window; everything else must match.
    const strip = (json: string) => json.replace(/"(cursor|startCursor|endCursor)":"[^"]*"/g, '"$1":""');
    expect(new Set(results.map((r) => strip(r.json))).size).toBe(1);
  });

  it('answer typed errors and GraphQL errors the same compiled', async () => {
    const key = stack.newAccount();
    const missing = await executeRepeatedly(
      print(GetVideoDocument),
      { videoNo: 'mavi_video_404' },
      key,
      THRESHOLD + 2,
    );
    expect(missing.at(-1)?.compiled).toBe(true);
    expect(new Set(missing.map((r) => r.json)).size).toBe(1);
    expect(missing[0]?.json).toContain('VideoNotFoundError');

    const invalid = await executeRepeatedly(print(ListVideosDocument), { first: 0 }, key, THRESHOLD + 2);
    expect(new Set(invalid.map((r) => r.json)).size).toBe(1);
    expect(invalid[0]?.json).toContain('InvalidParameterError');
  });

  it('are never compiled when the document holds several operations', async () => {
    const key = stack.newAccount();
    const query = `${print(GetVideoDocument)}\nquery Other { __typename }`;
    const request = { query, operationName: 'GetVideo', variables: { videoNo: 'mavi_video_1' } };
    for (let i = 0; i < THRESHOLD + 2; i++) {
      const res = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: key },
        body: JSON.stringify(i % 2 === 0 ? request : { ...request, operationName: 'Other', variables: {} }),
      });
      const body = (await res.json()) as { data: Record<string, unknown> };
      // Each call runs the operation it names, never the one compiled for the other.
      expect(Object.keys(body.data)).toEqual(i % 2 === 0 ? ['video'] : ['__typename']);
    }
  });
});
