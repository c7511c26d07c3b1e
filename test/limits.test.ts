import { type DocumentNode, getOperationAST, Kind, parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as operations from '../operations/__generated__/graphql.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { graphiqlTabs } from '../src/graphiql.js';
import { operationCost } from '../src/plugins/use-cost-limit.js';
import { COST, VIDEO_CLIPS_COST, VIDEO_LOOKUP_COST } from '../src/schema/cost.js';
import { schema } from '../src/schema/index.js';
import { type Stack, startStack } from './helpers.js';

/**
 * Query limits: depth, aliases, directives, tokens, cost, batch size and body size. Every
 * refusal is a 400 with a message naming the rule and the numbers, and reaches no resolver,
 * so the simulator records no call.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

interface Body {
  data?: unknown;
  errors?: {
    message: string;
    extensions?: { code?: string; limit?: { maximum: number; actual?: number } };
  }[];
}

async function post(
  body: unknown,
  opts: { headers?: Record<string, string>; target?: Stack } = {},
): Promise<{ status: number; body: Body | Body[] }> {
  const target = opts.target ?? stack;
  const res = await target.gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: target.newAccount(),
      ...opts.headers,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

/** Sends `query`, expects a refusal with `code` and `message`, and no upstream call. */
async function expectRefused(query: string, code: string, message: string | RegExp, target = stack) {
  target.sim.resetCalls();
  const res = await post({ query }, { target });
  expect(res.status).toBe(400);
  const body = res.body as Body;
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors?.[0]?.extensions?.code).toBe(code);
  if (typeof message === 'string') expect(body.errors?.[0]?.message).toBe(message);
  else expect(body.errors?.[0]?.message).toMatch(message);
  expect(target.sim.calls).toHaveLength(0);
  return body.errors?.[0];
}

const LIMIT_CODES = [
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_DIRECTIVES',
  'TOO_MANY_TOKENS',
  'QUERY_TOO_COSTLY',
  'BATCH_TOO_LARGE',
];

const VIDEO_NOS = Array.from({ length: 50 }, (_, i) => `mavi_video_${String(i).padStart(18, '0')}`);

/** The largest variables each operation takes in ordinary use. */
const MAX_VARIABLES: Record<string, Record<string, unknown>> = {
  ListVideos: { first: 200 },
  ListVideosWithClips: { first: 200, query: 'dog' },
  ListVideosDeferredClips: { first: 200, query: 'dog' },
  LibraryWithDeferredSearch: { first: 200, query: 'dog' },
  GetVideo: { videoNo: 'mavi_video_1' },
  SearchVideos: { query: 'dog' },
  SearchClips: { query: 'dog', videoNos: VIDEO_NOS },
  UploadVideo: { file: new File([new Uint8Array(8)], 'a.mp4', { type: 'video/mp4' }) },
  DeleteVideos: { videoNos: VIDEO_NOS },
  Chat: { input: { videoNos: VIDEO_NOS, message: 'what happens?', history: [] } },
  ChatStream: { input: { videoNos: VIDEO_NOS, message: 'what happens?', history: [] } },
  RequestTranscription: { videoNo: 'mavi_video_1', type: 'VIDEO' },
  GetTranscription: { taskNo: 'task_1' },
  TranscriptionProgress: { taskNo: 'task_1' },
  WatchVideos: { videoNos: VIDEO_NOS },
  ObtainAccessToken: { clientId: 'c', code: 'x' },
  RefreshAccessToken: { refreshToken: 'r' },
  CachedLibrary: { first: 200 },
  ViewerLibrary: { first: 200 },
  CachedVideoByNo: { videoNo: 'mavi_video_1' },
  VideoNode: { id: 'VmlkZW86bWF2aV92aWRlb18x' },
  // A page's worth of refetches: one searchDB scan, priced like 200 video lookups.
  VideoNodes: {
    ids: Array.from({ length: 200 }, (_, i) => Buffer.from(`Video:mavi_video_${i}`).toString('base64')),
  },
  UploadCachedVideo: { file: new File([new Uint8Array(8)], 'a.mp4', { type: 'video/mp4' }) },
  DeleteCachedVideos: { videoNos: VIDEO_NOS },
  WatchCachedVideos: { videoNos: VIDEO_NOS },
};

const documents: [string, DocumentNode][] = [
  ...Object.entries(operations)
    .filter(([name]) => name.endsWith('Document'))
    .map(([name, doc]) => [name.replace(/Document$/, ''), doc as DocumentNode] as [string, DocumentNode]),
  ...graphiqlTabs({ Authorization: 'x' }).map(
    (tab, i) => [`GraphiQL tab ${i + 1}`, parse(tab.query)] as [string, DocumentNode],
  ),
];

describe('defaults', () => {
  it('are the documented ones', () => {
    expect(stack.config.limits).toEqual({
      depth: 10,
      aliases: 200,
      directives: 50,
      tokens: 10_000,
      cost: 1_000_000,
      batchOperations: 10,
      bodyBytes: 1024 * 1024,
    });
  });

  it.each(documents.map(([name]) => [name]))(
    'let %s through every shape limit and the cost limit',
    (name) => {
      const doc = documents.find(([n]) => n === name)?.[1] as DocumentNode;
      // The gateway's own parse and validate: tokens, depth, aliases, directives (and introspection).
      const enveloped = stack.gateway.yoga.getEnveloped({
        request: new Request('http://gateway.test/graphql', { method: 'POST' }),
      } as never);
      const parsed = enveloped.parse(print(doc));
      expect(enveloped.validate(enveloped.schema, parsed)).toEqual([]);
      const operation = getOperationAST(doc);
      const cost = operationCost({
        // The served schema: it has @defer and @stream (useDeferStream adds them).
        schema: enveloped.schema,
        document: doc,
        variableValues: MAX_VARIABLES[operation?.name?.value ?? ''] ?? { first: 5 },
        contextValue: {},
      });
      expect(cost).not.toBeNull();
      expect(cost).toBeLessThanOrEqual(stack.config.limits.cost);
    },
  );

  it('let 200 aliased video lookups through (they share one searchDB scan)', () => {
    const fields = VIDEO_NOS.concat(VIDEO_NOS, VIDEO_NOS, VIDEO_NOS).map(
      (no, i) =>
        `v${i}: video(videoNo: "${no}${i}") { __typename ... on QueryVideoSuccess { data { videoNo name } } }`,
    );
    const doc = `query Lookups { ${fields.join('\n')} }`;
    const enveloped = stack.gateway.yoga.getEnveloped({} as never);
    const parsed = enveloped.parse(doc);
    expect(enveloped.validate(enveloped.schema, parsed)).toEqual([]);
    expect(operationCost({ schema, document: parsed, contextValue: {} })).toBe(200 * (VIDEO_LOOKUP_COST + 4));
  });
});

describe('cost', () => {
  const cost = (query: string, variableValues: Record<string, unknown> = {}) =>
    operationCost({ schema, document: parse(query), variableValues, contextValue: {} });

  it('charges a MAVI call at its share of a minute of quota, and a plain field 1', () => {
    expect(cost('{ searchVideos(query: "x") { __typename } }')).toBe(COST.searchAI + 1);
    expect(cost('mutation { chat(input: { videoNos: ["a"], message: "m" }) { __typename } }')).toBe(
      COST.chat + 1,
    );
    expect(cost('{ transcription(taskNo: "t") { __typename } }')).toBe(COST.getTranscription + 1);
  });

  it('applies a list multiplier once, at the result union’s data', () => {
    // 10 × videoNo under data, not 10 × 10: the errors plugin runs before complexity.
    expect(
      cost('{ searchVideos(query: "x") { ... on QuerySearchVideosSuccess { data { videoNo } } } }'),
    ).toBe(COST.searchAI + 1 + 10 * 1);
  });

  it('multiplies what videos selects by first, including through variables', () => {
    const query =
      'query($first: Int) { videos(first: $first) { ... on QueryVideosSuccess { data { edges { node { videoNo } } } } } }';
    // data (1) + edges (1 + node (1 + videoNo 1)) = 4 per requested video
    expect(cost(query, { first: 50 })).toBe(COST.searchDB + 50 * 4);
    expect(cost(query, { first: 200 })).toBe(COST.searchDB + 200 * 4);
    // No first: the resolver's default page of 20.
    expect(cost(query)).toBe(COST.searchDB + 20 * 4);
    // Out of range: priced as the resolver's bounds, which then answer InvalidParameterError.
    expect(cost(query, { first: 100_000 })).toBe(COST.searchDB + 200 * 4);
  });

  it('charges Video.clips per video and searchClips per 50 videos', () => {
    const clips =
      '{ videos(first: 100) { ... on QueryVideosSuccess { data { edges { node { clips(query: "dog") { __typename } } } } } } }';
    expect(cost(clips)).toBe(COST.searchDB + 100 * (1 + 1 + 1 + VIDEO_CLIPS_COST + 1));
    const search = (n: number) =>
      cost('query($v: [ID!]!) { searchClips(query: "x", videoNos: $v) { __typename } }', {
        v: Array.from({ length: n }, (_, i) => `v${i}`),
      });
    expect(search(1)).toBe(COST.searchVideoFragment + 1);
    expect(search(50)).toBe(COST.searchVideoFragment + 1);
    expect(search(51)).toBe(2 * COST.searchVideoFragment + 1);
  });

  it('charges deleteVideos per 500 videos and requestTranscription by type', () => {
    const del = (n: number) =>
      cost('mutation($v: [ID!]!) { deleteVideos(videoNos: $v) { __typename } }', {
        v: Array.from({ length: n }, (_, i) => `v${i}`),
      });
    expect(del(500)).toBe(COST.delete + 1);
    expect(del(501)).toBe(2 * COST.delete + 1);
    expect(cost('mutation { requestTranscription(videoNo: "v", type: AUDIO) { __typename } }')).toBe(
      COST.subTranscription.AUDIO + 1,
    );
    expect(cost('mutation { requestTranscription(videoNo: "v", type: VIDEO) { __typename } }')).toBe(
      COST.subTranscription.VIDEO + 1,
    );
  });

  it('refuses an operation over the maximum with no upstream call', async () => {
    const searches = Array.from(
      { length: 20 },
      (_, i) => `s${i}: searchVideos(query: "q${i}") { __typename }`,
    );
    const expected = 20 * (COST.searchAI + 1);
    await expectRefused(
      `{ ${searches.join(' ')} }`,
      'QUERY_TOO_COSTLY',
      `Query cost ${expected} exceeds the maximum of 1000000.`,
    );
  });

  it('refuses aliased Video.clips over a full page, counted through variables', async () => {
    stack.sim.resetCalls();
    const res = await post({
      query: `query($first: Int) { videos(first: $first) { ... on QueryVideosSuccess { data { edges { node {
        a: clips(query: "a") { __typename } b: clips(query: "b") { __typename } c: clips(query: "c") { __typename }
      } } } } } }`,
      variables: { first: 200 },
    });
    expect(res.status).toBe(400);
    const error = (res.body as Body).errors?.[0];
    expect(error?.extensions?.code).toBe('QUERY_TOO_COSTLY');
    expect(error?.extensions?.limit).toEqual({ maximum: 1_000_000, actual: expect.any(Number) });
    expect(error?.message).toMatch(/^Query cost \d+ exceeds the maximum of 1000000\.$/);
    expect(stack.sim.calls).toHaveLength(0);
    // The same query for a page of 20 is well within the limit and runs.
    const small = await post({
      query:
        'query($first: Int) { videos(first: $first) { ... on QueryVideosSuccess { data { edges { node { a: clips(query: "a") { __typename } } } } } } }',
      variables: { first: 20 },
    });
    expect(small.status).toBe(200);
    expect((small.body as Body).errors).toBeUndefined();
  });

  it('lets an operation at exactly the maximum through', async () => {
    const tight = await startStack({ env: { MAX_QUERY_COST: String(COST.searchAI + 1) } });
    try {
      const ok = await post({ query: '{ searchVideos(query: "dog") { __typename } }' }, { target: tight });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ data: { searchVideos: { __typename: 'QuerySearchVideosSuccess' } } });
      await expectRefused(
        '{ searchVideos(query: "dog") { __typename ... on QuerySearchVideosSuccess { __typename } } }',
        'QUERY_TOO_COSTLY',
        `Query cost ${COST.searchAI + 2} exceeds the maximum of ${COST.searchAI + 1}.`,
        tight,
      );
    } finally {
      await tight.close();
    }
  });
});

describe('shape', () => {
  /** video > data > (clips > data > video) × levels > videoNo: depth 3 × levels + 3. */
  function deep(levels: number): string {
    let inner = 'videoNo';
    for (let i = 0; i < levels; i++) {
      inner = `clips(query: "q") { ... on VideoClipsSuccess { data { video { ${inner} } } } }`;
    }
    return `{ video(videoNo: "v") { ... on QueryVideoSuccess { data { ${inner} } } } }`;
  }

  it('refuses a query deeper than 10, fragments flattened', async () => {
    const error = await expectRefused(deep(3), 'QUERY_TOO_DEEP', 'Query depth 12 exceeds the maximum of 10.');
    expect(error?.extensions?.limit).toEqual({ maximum: 10, actual: 12 });
    // Depth 9 passes the depth rule (and runs).
    const ok = await post({ query: deep(2) });
    expect(ok.status).toBe(200);
  });

  it('refuses more than 200 aliases; __typename aliases are free', async () => {
    const aliased = (n: number) =>
      Array.from({ length: n }, (_, i) => `a${i}: videos(first: 1) { __typename }`).join(' ');
    await expectRefused(
      `{ ${aliased(201)} }`,
      'TOO_MANY_ALIASES',
      'Alias count 201 exceeds the maximum of 200.',
    );
    const typenames = Array.from({ length: 300 }, (_, i) => `t${i}: __typename`).join(' ');
    const ok = await post({ query: `{ ${typenames} }` });
    expect(ok.status).toBe(200);
  });

  it('refuses more than 50 directives', async () => {
    const fields = Array.from({ length: 51 }, () => '__typename @include(if: true)').join(' ');
    await expectRefused(
      `{ ${fields} }`,
      'TOO_MANY_DIRECTIVES',
      'Directive count 51 exceeds the maximum of 50.',
    );
  });

  it('refuses a document of more than 10000 tokens', async () => {
    const fields = '__typename '.repeat(10_000);
    const error = await expectRefused(
      `{ ${fields} }`,
      'TOO_MANY_TOKENS',
      'Token count exceeds the maximum of 10000.',
    );
    expect(error?.extensions?.limit).toEqual({ maximum: 10_000 });
  });

  it('answers 400 to application/json clients too', async () => {
    const res = await post({ query: deep(3) }, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect((res.body as Body).errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });
});

describe('batching', () => {
  const op = { query: '{ __typename }' };

  it('accepts a JSON array of up to 10 operations', async () => {
    const res = await post(Array(10).fill(op));
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(10);
  });

  it('refuses 11 operations before running any', async () => {
    stack.sim.resetCalls();
    const list = { query: '{ videos(first: 1) { __typename } }' };
    const res = await post(Array(11).fill(list));
    expect(res.status).toBe(400);
    const body = res.body as Body;
    expect(body.errors?.[0]).toMatchObject({
      message: 'Batch of 11 operations exceeds the maximum of 10.',
      extensions: { code: 'BATCH_TOO_LARGE', limit: { maximum: 10, actual: 11 } },
    });
    expect(stack.sim.calls).toHaveLength(0);
  });

  it('checks the other limits for each operation of a batch', async () => {
    const res = await post([op, { query: `{ ${'__typename @include(if: true) '.repeat(51)} }` }]);
    const results = res.body as Body[];
    expect(results[0]?.errors).toBeUndefined();
    expect(results[1]?.errors?.[0]?.extensions?.code).toBe('TOO_MANY_DIRECTIVES');
  });

  it('can be turned off', async () => {
    const off = await startStack({ env: { MAX_BATCH_OPERATIONS: '0' } });
    try {
      const res = await post([op], { target: off });
      expect(res.status).toBe(400);
      expect((res.body as Body).errors?.[0]).toMatchObject({
        message: 'This gateway does not accept batched requests.',
        extensions: { code: 'BATCHING_DISABLED' },
      });
      expect((await post(op, { target: off })).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});

describe('request body', () => {
  const send = (target: Stack, body: BodyInit, headers: Record<string, string> = {}) =>
    target.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      duplex: 'half',
    } as RequestInit);

  /** A valid JSON request padded to `size` bytes with whitespace. */
  const padded = (size: number) => {
    const json = JSON.stringify({ query: '{ __typename }' });
    return json + ' '.repeat(Math.max(0, size - json.length));
  };

  it('refuses a declared Content-Length over 1 MiB before reading it', async () => {
    const res = await send(stack, padded(1024 * 1024 + 1));
    expect(res.status).toBe(413);
    expect(((await res.json()) as Body).errors?.[0]?.message).toBe(
      'The request body is larger than 1048576 bytes.',
    );
  });

  it('refuses a chunked body once it passes 1 MiB', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }"'));
      },
      pull(controller) {
        if (sent > 2 * 1024 * 1024) controller.close();
        else {
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        }
      },
    });
    const res = await send(stack, stream);
    expect(res.status).toBe(413);
  });

  it('accepts a body just under the limit', async () => {
    const res = await send(stack, padded(1024 * 1024 - 10));
    expect(res.status).toBe(200);
  });

  it('is configurable', async () => {
    const small = await startStack({ env: { MAX_BODY_BYTES: '2048' } });
    try {
      expect((await send(small, padded(2049))).status).toBe(413);
      expect((await send(small, padded(2000))).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('configuration', () => {
  it('reads every limit from the environment', () => {
    const config = loadConfig({
      MAX_QUERY_DEPTH: '4',
      MAX_QUERY_ALIASES: '5',
      MAX_QUERY_DIRECTIVES: '6',
      MAX_QUERY_TOKENS: '700',
      MAX_QUERY_COST: '800',
      MAX_BATCH_OPERATIONS: '9',
      MAX_BODY_BYTES: '4096',
    });
    expect(config.limits).toEqual({
      depth: 4,
      aliases: 5,
      directives: 6,
      tokens: 700,
      cost: 800,
      batchOperations: 9,
      bodyBytes: 4096,
    });
  });

  it('names every bad value', () => {
    let error: unknown;
    try {
      loadConfig({
        MAX_QUERY_DEPTH: 'deep',
        MAX_QUERY_COST: '0',
        MAX_BATCH_OPERATIONS: '-1',
        MAX_BODY_BYTES: '12',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'MAX_QUERY_DEPTH must be an integer from 1 to 1000; got "deep".',
        expect.stringMatching(/^MAX_QUERY_COST must be an integer from 1 to/),
        'MAX_BATCH_OPERATIONS must be an integer from 0 to 1000; got "-1".',
        'MAX_BODY_BYTES must be an integer from 1024 to 1073741824; got "12".',
      ]),
    );
  });

  it('applies lowered limits', async () => {
    const strict = await startStack({
      env: { MAX_QUERY_DEPTH: '3', MAX_QUERY_ALIASES: '1', MAX_QUERY_TOKENS: '40' },
    });
    try {
      // video (1) > data (2) > videoNo (3) is exactly the maximum; one more level is refused.
      const ok = await post(
        { query: '{ video(videoNo: "v") { ... on QueryVideoSuccess { data { videoNo } } } }' },
        { target: strict },
      );
      expect(ok.status).toBe(200);
      await expectRefused(
        '{ video(videoNo: "v") { ... on QueryVideoSuccess { data { clips(query: "q") { __typename } } } } }',
        'QUERY_TOO_DEEP',
        'Query depth 4 exceeds the maximum of 3.',
        strict,
      );
      await expectRefused(
        '{ a: videos { __typename } b: videos { __typename } }',
        'TOO_MANY_ALIASES',
        'Alias count 2 exceeds the maximum of 1.',
        strict,
      );
      await expectRefused(
        `{ ${'__typename '.repeat(40)} }`,
        'TOO_MANY_TOKENS',
        'Token count exceeds the maximum of 40.',
        strict,
      );
    } finally {
      await strict.close();
    }
  });
});

describe('limit codes', () => {
  it('are never answered to the operations in operations/ run for real', async () => {
    const key = stack.newAccount();
    const video = stack.sim.addVideo(key);
    for (const [name, doc] of documents) {
      const operation = getOperationAST(doc);
      if (!operation || operation.operation === 'subscription') continue;
      if (
        doc.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === 'UploadVideo')
      )
        continue;
      const variables = { ...(MAX_VARIABLES[operation.name?.value ?? ''] ?? {}) };
      if ('videoNo' in variables) variables.videoNo = video.videoNo;
      const res = await post({ query: print(doc), variables }, { headers: { authorization: key } });
      const codes = ((res.body as Body).errors ?? []).map((e) => e.extensions?.code);
      expect(
        codes.filter((c) => LIMIT_CODES.includes(String(c))),
        name,
      ).toEqual([]);
    }
  });
});
