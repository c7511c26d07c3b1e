import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { type DocumentNode, print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import {
  GetVideoDocument as TrustedGetVideo,
  ListVideosDocument as TrustedListVideos,
} from '../operations/__generated__/client/graphql.js';
import { ListVideosDocument, SearchVideosDocument } from '../operations/__generated__/graphql.js';
import { createLogger } from '../src/logger.js';
import { MemoryDocumentStore } from '../src/persisted-documents.js';
import { eventually, type Stack, startLiveStack, startStack } from './helpers.js';
import { type RedisServer, startRedis } from './redis.js';

/**
 * Automatic persisted queries as Apollo Client and urql speak them, the stores behind them,
 * and trusted documents from the client preset's manifest.
 */
const MANIFEST = 'operations/__generated__/client/persisted-documents.json';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Sent {
  method: string;
  hasQuery: boolean;
  hash: string | null;
  status: number;
}

/** yoga.fetch for a client, recording what each request carried and how it was answered. */
function recordingFetch(stack: Stack, sent: Sent[]): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    let params: { query?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } } = {};
    if (request.method === 'GET') {
      const extensions = url.searchParams.get('extensions');
      params = {
        ...(url.searchParams.get('query') ? { query: url.searchParams.get('query') as string } : {}),
        ...(extensions ? { extensions: JSON.parse(extensions) } : {}),
      };
    } else {
      params = JSON.parse(await request.clone().text());
    }
    const response = await stack.gateway.yoga.fetch(request);
    sent.push({
      method: request.method,
      hasQuery: typeof params.query === 'string',
      hash: params.extensions?.persistedQuery?.sha256Hash ?? null,
      status: response.status,
    });
    return response;
  }) as typeof fetch;
}

function apollo(stack: Stack, sent: Sent[], key: string, link: { useGET?: boolean; sha?: boolean } = {}) {
  return new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([
      new PersistedQueryLink({
        sha256: (text: string) => sha256(text),
        useGETForHashedQueries: link.useGET ?? false,
      }),
      new HttpLink({
        uri: 'http://gateway.test/graphql',
        fetch: recordingFetch(stack, sent),
        headers: { authorization: key },
      }),
    ]),
    defaultOptions: { query: { fetchPolicy: 'no-cache' } },
  });
}

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('automatic persisted queries', () => {
  it('Apollo Client (POST): an unknown hash gets PersistedQueryNotFound, the document is sent once, then the hash alone runs it', async () => {
    const key = stack.newAccount();
    const sent: Sent[] = [];
    const client = apollo(stack, sent, key);
    const first = await client.query({ query: ListVideosDocument, variables: { first: 2 } });
    expect(first.data?.videos.__typename).toBe('QueryVideosSuccess');
    expect(sent.map(({ method, hasQuery, status }) => [method, hasQuery, status])).toEqual([
      ['POST', false, 404],
      ['POST', true, 200],
    ]);
    sent.length = 0;
    stack.sim.resetCalls();
    const second = await client.query({ query: ListVideosDocument, variables: { first: 2 } });
    expect(second.data?.videos.__typename).toBe('QueryVideosSuccess');
    expect(sent.map(({ method, hasQuery, status }) => [method, hasQuery, status])).toEqual([
      ['POST', false, 200],
    ]);
    expect(stack.sim.calls.filter((c) => c.endpoint === 'searchDB')).toHaveLength(1);
  });

  it('Apollo Client (useGETForHashedQueries): hashed queries go as GETs, the document once as a POST', async () => {
    const key = stack.newAccount();
    const sent: Sent[] = [];
    const client = apollo(stack, sent, key, { useGET: true });
    await client.query({ query: SearchVideosDocument, variables: { query: 'a dog' } });
    const again = await client.query({ query: SearchVideosDocument, variables: { query: 'a cat' } });
    expect(again.data?.searchVideos.__typename).toBe('QuerySearchVideosSuccess');
    expect(sent.map(({ method, hasQuery, status }) => [method, hasQuery, status])).toEqual([
      ['GET', false, 404],
      ['POST', true, 200],
      ['GET', false, 200],
    ]);
  });

  it('a PersistedQueryNotFound answer is never cacheable', async () => {
    const hash = sha256('{ __typename }');
    const res = await stack.gateway.yoga.fetch(
      `http://gateway.test/graphql?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }))}`,
      { headers: { accept: 'application/graphql-response+json', 'graphql-preflight': '1' } },
    );
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
    });
  });

  it.each([
    ['GET (its default within the URL limit)', true],
    ['POST', false],
  ])('urql persistedExchange over %s', async (_, preferGet) => {
    // A stack of its own: the other cases must not have registered the document already.
    const stack = await startStack();
    onTestFinished(() => stack.close());
    const key = stack.newAccount();
    const sent: Sent[] = [];
    const client = new Client({
      url: 'http://gateway.test/graphql',
      exchanges: [persistedExchange({ preferGetForPersistedQueries: preferGet }), fetchExchange],
      fetch: recordingFetch(stack, sent),
      fetchOptions: { headers: { authorization: key } },
      preferGetMethod: preferGet ? 'within-url-limit' : false,
      requestPolicy: 'network-only',
    });
    const first = await client.query(ListVideosDocument, { first: 1 }).toPromise();
    expect(first.error).toBeUndefined();
    expect(first.data?.videos.__typename).toBe('QueryVideosSuccess');
    const second = await client.query(ListVideosDocument, { first: 1 }).toPromise();
    expect(second.data?.videos.__typename).toBe('QueryVideosSuccess');
    const method = preferGet ? 'GET' : 'POST';
    expect(sent.map(({ method, hasQuery, status }) => [method, hasQuery, status])).toEqual([
      [method, false, 404],
      // urql sends the document in the same way it sent the hash (a GET within the URL limit).
      [method, true, 200],
      [method, false, 200],
    ]);
  });

  /** A raw APQ request: what a client sends, with any hash. */
  const apq = (query: string | undefined, hash: string, auth = stack.newAccount()) =>
    stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: auth,
      },
      body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    });

  it('refuses a hash that is not its document, and registers nothing under it', async () => {
    const query = '{ __typename }';
    const wrong = sha256('{ videos { __typename } }');
    const res = await apq(query, wrong);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('PERSISTED_QUERY_MISMATCH');
    expect((await apq(undefined, wrong)).status).toBe(404);
  });

  it('registers only documents that validate', async () => {
    const invalid = '{ noSuchField }';
    const res = await apq(invalid, sha256(invalid));
    expect(res.status).toBe(400);
    expect((await apq(undefined, sha256(invalid))).status).toBe(404);
    const valid = '{ __typename }';
    expect((await apq(valid, sha256(valid))).status).toBe(200);
    expect(await (await apq(undefined, sha256(valid))).json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a malformed persistedQuery extension in bounded words', async () => {
    const res = await apq('{ __typename }', 'x'.repeat(100_000));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('PERSISTED_QUERY_INVALID');
    expect(body.errors[0]?.message.length).toBeLessThan(300);
  });

  it('leaves what is not an operation in a batch (null, a number) to yoga, never an unexpected error', async () => {
    const res = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify([null, 5, { query: '{ __typename }' }]),
    });
    const body = (await res.json()) as { errors?: { extensions: { code: string } }[] }[];
    expect(body.map((r) => r.errors?.[0]?.extensions.code ?? 'ok')).toEqual([
      'BAD_REQUEST',
      'BAD_REQUEST',
      'ok',
    ]);
  });

  it('APQ=false answers PersistedQueryNotSupported, so clients stop hashing', async () => {
    const s = await startStack({ env: { APQ: 'false' } });
    try {
      const sent: Sent[] = [];
      const result = await apollo(s, sent, s.newAccount()).query({
        query: ListVideosDocument,
        variables: { first: 1 },
      });
      expect(result.data?.videos.__typename).toBe('QueryVideosSuccess');
      expect(sent.map(({ hasQuery, status }) => [hasQuery, status])).toEqual([
        [false, 400],
        [true, 200],
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('the APQ store', () => {
  it('is bounded by bytes, not by a count of documents', async () => {
    const store = new MemoryDocumentStore({ maxBytes: 64 * 1024, maxDocumentBytes: 16 * 1024 });
    for (let i = 0; i < 200; i++) {
      const document = `{ __typename } # ${i} ${'x'.repeat(1000)}`;
      await store.set(sha256(document), document);
    }
    expect(store.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(store.bytes).toBeGreaterThan(32 * 1024);
    // The most recent stay, the oldest went first.
    const last = `{ __typename } # 199 ${'x'.repeat(1000)}`;
    expect(await store.get(sha256(last))).toBe(last);
    expect(await store.get(sha256(`{ __typename } # 0 ${'x'.repeat(1000)}`))).toBeUndefined();
    // A document over the per-document cap is not kept at all.
    const huge = `{ __typename } # ${'y'.repeat(20_000)}`;
    await store.set(sha256(huge), huge);
    expect(await store.get(sha256(huge))).toBeUndefined();
  });

  it('APQ_CACHE_BYTES bounds what the gateway remembers', async () => {
    const s = await startStack({ env: { APQ_CACHE_BYTES: '4096' } });
    try {
      const send = (query: string | undefined, hash: string) =>
        s.gateway.yoga.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
        });
      const documents = Array.from({ length: 20 }, (_, i) => `{ __typename } # ${i} ${'z'.repeat(500)}`);
      for (const document of documents) expect((await send(document, sha256(document))).status).toBe(200);
      expect((await send(undefined, sha256(documents[19] as string))).status).toBe(200);
      expect((await send(undefined, sha256(documents[0] as string))).status).toBe(404);
    } finally {
      await s.close();
    }
  });

  describe('through Redis', () => {
    let redis: RedisServer;
    beforeAll(async () => {
      redis = await startRedis();
    }, 20_000);
    afterAll(() => redis?.close());

    it('is shared by every instance, each document with a TTL and a size cap', async () => {
      const env = {
        REDIS_URL: redis.url,
        WEBHOOK_SECRET: 'a-secret-shared-by-every-instance',
        APQ_TTL_SECONDS: '600',
        APQ_MAX_DOCUMENT_BYTES: '2048',
      };
      const [a, b] = await Promise.all([startStack({ env }), startStack({ env })]);
      const client = new Redis(redis.url);
      try {
        const sentA: Sent[] = [];
        const sentB: Sent[] = [];
        await apollo(a, sentA, a.newAccount()).query({ query: ListVideosDocument, variables: { first: 1 } });
        const hash = sentA[0]?.hash as string;
        // Registration does not hold the response back.
        await eventually(async () => ((await client.exists(`mavi:apq:${hash}`)) === 1 ? true : undefined));
        const onB = await apollo(b, sentB, b.newAccount()).query({
          query: ListVideosDocument,
          variables: { first: 1 },
        });
        expect(onB.data?.videos.__typename).toBe('QueryVideosSuccess');
        // B never saw the document: the hash alone ran it.
        expect(sentB.map(({ hasQuery, status }) => [hasQuery, status])).toEqual([[false, 200]]);
        expect(await client.ttl(`mavi:apq:${hash}`)).toBeGreaterThan(590);

        const big = `{ __typename } # ${'w'.repeat(4000)}`;
        const res = await a.gateway.yoga.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: big,
            extensions: { persistedQuery: { version: 1, sha256Hash: sha256(big) } },
          }),
        });
        expect(res.status).toBe(200);
        // A small document registered after it arrives, the big one never does.
        const small = '{ __typename }';
        await a.gateway.yoga.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            query: small,
            extensions: { persistedQuery: { version: 1, sha256Hash: sha256(small) } },
          }),
        });
        await eventually(async () =>
          (await client.exists(`mavi:apq:${sha256(small)}`)) === 1 ? true : undefined,
        );
        expect(await client.exists(`mavi:apq:${sha256(big)}`)).toBe(0);
      } finally {
        client.disconnect();
        await Promise.all([a.close(), b.close()]);
      }
    });
  });
});

describe('trusted documents', () => {
  /** The client preset's documents carry their manifest hash; clients send it instead of the text. */
  const hashOf = (document: DocumentNode) =>
    (document as unknown as { __meta__: { hash: string } }).__meta__.hash;

  async function withTrusted(
    mode: 'log' | 'enforce',
    fn: (s: Stack, lines: Record<string, unknown>[]) => Promise<void>,
  ) {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('warn', {
      write: (line: string) => {
        lines.push(JSON.parse(line));
      },
    });
    const s = await startStack({
      env: { TRUSTED_DOCUMENTS: MANIFEST, TRUSTED_DOCUMENTS_MODE: mode },
      gateway: { logger },
    });
    try {
      await fn(s, lines);
    } finally {
      await s.close();
    }
  }

  const untrustedCount = async (s: Stack, action: string) => {
    const text = (await s.gateway.metrics.expose()).body;
    const match = new RegExp(`mavi_gateway_untrusted_documents_total\\{action="${action}"\\} (\\d+)`).exec(
      text,
    );
    return match ? Number(match[1]) : 0;
  };

  it('codegen wrote a manifest of every operation, keyed by SHA-256', async () => {
    const { readFileSync } = await import('node:fs');
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    expect(Object.keys(manifest).length).toBeGreaterThan(10);
    for (const [key, document] of Object.entries(manifest)) expect(key).toBe(`sha256:${sha256(document)}`);
    expect(manifest[hashOf(TrustedListVideos)]).toContain('query ListVideos');
  });

  it('enforce: Apollo Client sends manifest hashes alone, and they run', async () => {
    await withTrusted('enforce', async (s) => {
      const sent: Sent[] = [];
      const client = new ApolloClient({
        cache: new InMemoryCache(),
        link: ApolloLink.from([
          new PersistedQueryLink({ generateHash: (document) => hashOf(document) }),
          new HttpLink({
            uri: 'http://gateway.test/graphql',
            fetch: recordingFetch(s, sent),
            headers: { authorization: s.newAccount() },
          }),
        ]),
        defaultOptions: { query: { fetchPolicy: 'no-cache' } },
      });
      const result = await client.query({ query: TrustedListVideos, variables: { first: 1 } });
      expect(result.data?.videos.__typename).toBe('QueryVideosSuccess');
      expect(sent.map(({ hasQuery, status }) => [hasQuery, status])).toEqual([[false, 200]]);
      expect(await untrustedCount(s, 'refused')).toBe(0);
    });
  });

  it('enforce: GraphQL over HTTP documentId (POST and GET) and a listed document sent in full run', async () => {
    await withTrusted('enforce', async (s) => {
      const key = s.newAccount();
      const headers = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: key,
      };
      const byId = await s.gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers,
        body: JSON.stringify({ documentId: hashOf(TrustedGetVideo), variables: { videoNo: 'nope' } }),
      });
      expect(byId.status).toBe(200);
      expect(((await byId.json()) as { data: { video: { __typename: string } } }).data.video.__typename).toBe(
        'VideoNotFoundError',
      );
      const get = await s.gateway.yoga.fetch(
        `http://gateway.test/graphql?documentId=${encodeURIComponent(hashOf(TrustedListVideos))}&variables=${encodeURIComponent('{"first":1}')}`,
        { headers: { accept: 'application/graphql-response+json', authorization: key } },
      );
      expect(get.status).toBe(200);
      const manifest = JSON.parse((await import('node:fs')).readFileSync(MANIFEST, 'utf8')) as Record<
        string,
        string
      >;
      const full = await s.gql(manifest[hashOf(TrustedListVideos)] as string, { first: 1 });
      expect(full.status).toBe(200);
    });
  });

  it('enforce: an unknown document is refused in clear words, counted and logged once, and APQ registers nothing', async () => {
    await withTrusted('enforce', async (s, lines) => {
      stackCalls(s);
      const query = print(ListVideosDocument);
      for (let i = 0; i < 3; i++) {
        const res = await s.gql(query, { first: 1 });
        expect(res.status).toBe(400);
        expect(res.errors?.[0]).toMatchObject({
          message: 'This gateway runs trusted documents only, and no manifest lists this document.',
          extensions: { code: 'DOCUMENT_NOT_TRUSTED' },
        });
      }
      expect(s.sim.calls).toHaveLength(0);
      expect(await untrustedCount(s, 'refused')).toBe(3);
      const logged = lines.filter((l) => l.msg === 'untrusted document refused');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ documentHash: sha256(query), operationName: null, mode: 'enforce' });
      expect(JSON.stringify(lines)).not.toContain('videos(first');

      // The APQ way: the hash is unknown (refused at once, no retry), the document is refused, nothing is registered.
      const send = (body: unknown) =>
        s.gateway.yoga.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: JSON.stringify(body),
        });
      const extensions = { persistedQuery: { version: 1, sha256Hash: sha256(query) } };
      const hashOnly = await send({ extensions });
      expect(
        ((await hashOnly.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions
          .code,
      ).toBe('DOCUMENT_NOT_TRUSTED');
      expect((await send({ query, extensions, variables: { first: 1 } })).status).toBe(400);
      expect(await s.gateway.services.documents.apq?.get(sha256(query))).toBeUndefined();
    });
  });

  it('enforce holds over WebSocket and single-connection SSE too (it is checked where documents are parsed)', async () => {
    const live = await startLiveStack({
      env: { TRUSTED_DOCUMENTS: MANIFEST, TRUSTED_DOCUMENTS_MODE: 'enforce' },
    });
    const key = live.newAccount();
    const ws = createWsClient({
      url: live.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: key },
      retryAttempts: 0,
      lazy: true,
    });
    try {
      const untrustedQuery = '{ __typename }';
      const refused = await new Promise<unknown>((resolve) => {
        ws.subscribe({ query: untrustedQuery }, { next: resolve, error: resolve, complete: () => undefined });
      });
      expect(JSON.stringify(refused)).toContain('no manifest lists this document');
      const manifest = JSON.parse((await import('node:fs')).readFileSync(MANIFEST, 'utf8')) as Record<
        string,
        string
      >;
      const trustedQuery = manifest[hashOf(TrustedListVideos)] as string;
      const allowed = await new Promise<unknown>((resolve, reject) => {
        ws.subscribe(
          { query: trustedQuery, variables: { first: 1 } },
          { next: resolve, error: reject, complete: () => undefined },
        );
      });
      expect(JSON.stringify(allowed)).toContain('QueryVideosSuccess');

      const sse = createSseClient({
        url: live.url,
        singleConnection: true,
        headers: { authorization: key },
        retryAttempts: 0,
      });
      const results: unknown[] = [];
      for await (const result of sse.iterate({ query: untrustedQuery })) results.push(result);
      expect(JSON.stringify(results)).toContain('DOCUMENT_NOT_TRUSTED');
      sse.dispose();
    } finally {
      await ws.dispose();
      await live.close();
    }
  });

  it('log: an unknown document runs, is counted each time and logged once with its hash', async () => {
    await withTrusted('log', async (s, lines) => {
      const query = print(SearchVideosDocument);
      for (let i = 0; i < 2; i++) {
        const res = await s.gql(query, { query: 'a dog' });
        expect(res.status).toBe(200);
        expect((res.data as { searchVideos: { __typename: string } }).searchVideos.__typename).toBe(
          'QuerySearchVideosSuccess',
        );
      }
      expect(await untrustedCount(s, 'allowed')).toBe(2);
      expect(lines.filter((l) => l.msg === 'untrusted document allowed')).toEqual([
        expect.objectContaining({ documentHash: sha256(query), operationName: null, mode: 'log' }),
      ]);
      // A listed one is not counted.
      const manifest = JSON.parse((await import('node:fs')).readFileSync(MANIFEST, 'utf8')) as Record<
        string,
        string
      >;
      await s.gql(manifest[hashOf(TrustedListVideos)] as string, { first: 1 });
      expect(await untrustedCount(s, 'allowed')).toBe(2);
    });
  });

  it('the mode defaults to enforce in production and log elsewhere', async () => {
    const { loadConfig } = await import('../src/config.js');
    expect(loadConfig({ TRUSTED_DOCUMENTS: MANIFEST }).trustedDocuments.mode).toBe('log');
    expect(loadConfig({ TRUSTED_DOCUMENTS: MANIFEST, NODE_ENV: 'production' }).trustedDocuments.mode).toBe(
      'enforce',
    );
  });

  it('a manifest that is not keyed by SHA-256 stops the start, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const sha1 = join(dir, 'sha1.json');
    writeFileSync(sha1, JSON.stringify({ [createHash('sha1').update('{ a }').digest('hex')]: '{ a }' }));
    const missing = join(dir, 'missing.json');
    await expect(startStack({ env: { TRUSTED_DOCUMENTS: `${sha1},${missing}` } })).rejects.toThrow(
      /Invalid TRUSTED_DOCUMENTS:[\s\S]*sha1\.json: the entry[\s\S]*missing\.json: cannot be read/,
    );
  });

  it('reads Apollo persisted query manifests too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const file = join(dir, 'apollo.json');
    const body = 'query Hello { __typename }';
    writeFileSync(
      file,
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: sha256(body), name: 'Hello', type: 'query', body }],
      }),
    );
    const s = await startStack({ env: { TRUSTED_DOCUMENTS: file, TRUSTED_DOCUMENTS_MODE: 'enforce' } });
    try {
      expect((await s.gql(body)).data).toEqual({ __typename: 'Query' });
      expect((await s.gql('query Other { __typename }')).status).toBe(400);
    } finally {
      await s.close();
    }
  });
});

function stackCalls(s: Stack): void {
  s.sim.resetCalls();
}
