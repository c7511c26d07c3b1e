import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { type Stack, startStack } from './helpers.js';

/**
 * Security defaults: CSRF prevention, CORS, and the GraphiQL and introspection switches
 * with their production defaults.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const URL_ = 'http://gateway.test/graphql';

function fetchGateway(target: Stack, input: string, init: RequestInit = {}) {
  return target.gateway.yoga.fetch(input, init as never);
}

/** Opens a stack with `env`, runs `fn`, closes it. */
async function withStack(env: Record<string, string>, fn: (s: Stack) => Promise<void>) {
  const s = await startStack({ env });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

describe('CSRF prevention', () => {
  /** A multipart request with no file: the GraphQL multipart request spec allows an empty map. */
  function multipart(query: string): FormData {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query }));
    form.set('map', '{}');
    return form;
  }

  it('refuses a multipart POST with neither a credential nor a preflight header, before MAVI is called', async () => {
    stack.sim.resetCalls();
    const res = await fetchGateway(stack, URL_, {
      method: 'POST',
      body: multipart('{ videos { __typename } }'),
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('CSRF_PREVENTED');
    // The refusal names every header that would have let it through.
    for (const header of [
      'Authorization',
      'graphql-preflight',
      'x-graphql-yoga-csrf',
      'apollo-require-preflight',
      'x-apollo-operation-name',
    ]) {
      expect(body.errors[0]?.message).toContain(header);
    }
    expect(stack.sim.calls).toHaveLength(0);
  });

  it('takes a MAVI credential as proof of a preflight, raw or as Bearer', async () => {
    for (const authorization of [stack.newAccount(), `Bearer ${stack.newAccount()}`]) {
      const res = await fetchGateway(stack, URL_, {
        method: 'POST',
        headers: { authorization },
        body: multipart('{ videos { __typename } }'),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ data: { videos: { __typename: 'QueryVideosSuccess' } } });
      const get = await fetchGateway(stack, `${URL_}?query=%7B__typename%7D`, {
        headers: { authorization, accept: 'application/graphql-response+json' },
      });
      expect(get.status).toBe(200);
    }
  });

  it('refuses an Authorization header a browser adds by itself (HTTP authentication)', async () => {
    stack.sim.resetCalls();
    // What a browser sends after a Basic, Digest or Negotiate challenge: a scheme, a space, its parameters.
    for (const authorization of [
      `Basic ${Buffer.from(`user:${stack.newAccount()}`).toString('base64')}`,
      'Digest username="u", realm="r", nonce="n", uri="/graphql", response="x"',
      'Negotiate YIIBhwYGKwYBBQUCoIIBezCCAXegDTALBgkqhkiG9xIBAgKhBAMCAXY=',
    ]) {
      const res = await fetchGateway(stack, URL_, {
        method: 'POST',
        headers: { authorization },
        body: multipart('{ videos { __typename } }'),
      });
      expect(res.status).toBe(403);
      await res.body?.cancel();
    }
    expect(stack.sim.calls).toHaveLength(0);
  });

  it('accepts the same multipart POST with graphql-preflight', async () => {
    const res = await fetchGateway(stack, URL_, {
      method: 'POST',
      headers: { authorization: stack.newAccount(), 'graphql-preflight': '1' },
      body: multipart('{ videos { __typename } }'),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { videos: { __typename: 'QueryVideosSuccess' } } });
  });

  it.each([['x-graphql-yoga-csrf'], ['apollo-require-preflight'], ['x-apollo-operation-name']])(
    'accepts %s as the preflight header',
    async (header) => {
      const res = await fetchGateway(stack, URL_, {
        method: 'POST',
        headers: { [header]: 'true' },
        body: multipart('{ __typename }'),
      });
      expect(res.status).toBe(200);
    },
  );

  it('refuses an empty preflight header', async () => {
    const res = await fetchGateway(stack, URL_, {
      method: 'POST',
      headers: { 'graphql-preflight': '' },
      body: multipart('{ __typename }'),
    });
    expect(res.status).toBe(403);
  });

  it('refuses text/plain and form POSTs and GETs without the header', async () => {
    const plain = await fetchGateway(stack, URL_, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(plain.status).toBe(403);
    const form = await fetchGateway(stack, URL_, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=%7B__typename%7D',
    });
    expect(form.status).toBe(403);
    const get = await fetchGateway(stack, `${URL_}?query=%7B__typename%7D`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(get.status).toBe(403);
    const withHeader = await fetchGateway(stack, `${URL_}?query=%7B__typename%7D`, {
      headers: { accept: 'application/graphql-response+json', 'graphql-preflight': '1' },
    });
    expect(withHeader.status).toBe(200);
  });

  it('lets JSON POSTs through as they are (they always preflight)', async () => {
    const res = await stack.gql('{ __typename }');
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ __typename: 'Query' });
  });

  it('lets GraphiQL load and EventSource GETs through', async () => {
    const page = await fetchGateway(stack, URL_, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    await page.text();
    const stream = await fetchGateway(stack, `${URL_}?query=%7B__typename%7D`, {
      headers: { accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    // A query over SSE: one result, then the stream completes.
    expect(await stream.text()).toMatch(/"__typename":"Query"/);
  });
});

describe('CORS', () => {
  const preflight = (target: Stack, origin: string) =>
    fetchGateway(target, URL_, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('answers a preflight from an allowed origin, and only from it', async () => {
    await withStack({ CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' }, async (s) => {
      expect(s.config.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
      const allowed = await preflight(s, 'https://app.example.com');
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/);
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
      // Credentials are headers, never cookies: no Allow-Credentials.
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();

      const disallowed = await preflight(s, 'https://evil.example.net');
      expect(disallowed.headers.get('access-control-allow-origin')).toBeNull();
      // Not the "null" origin either, which a sandboxed iframe would match.
      const sandboxed = await preflight(s, 'null');
      expect(sandboxed.headers.get('access-control-allow-origin')).toBeNull();

      const actual = await fetchGateway(s, URL_, {
        method: 'POST',
        headers: { origin: 'https://admin.example.com', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(actual.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
    });
  });

  it('allows any origin by default outside production', async () => {
    const res = await preflight(stack, 'https://anywhere.example.org');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://anywhere.example.org');
  });

  it('sends no CORS headers in production unless CORS_ORIGINS says so', async () => {
    await withStack({ NODE_ENV: 'production' }, async (s) => {
      expect(s.config.corsOrigins).toBeNull();
      const res = await fetchGateway(s, URL_, {
        method: 'POST',
        headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  it('lets browsers cache preflights for CORS_MAX_AGE_SECONDS (7200 by default)', async () => {
    expect(
      (await preflight(stack, 'https://anywhere.example.org')).headers.get('access-control-max-age'),
    ).toBe('7200');
    await withStack({ CORS_ORIGINS: 'https://app.example.com', CORS_MAX_AGE_SECONDS: '600' }, async (s) => {
      expect((await preflight(s, 'https://app.example.com')).headers.get('access-control-max-age')).toBe(
        '600',
      );
    });
  });

  it('answers the preflights of graphql-sse (PUT, GET, POST, DELETE) and of its token header', async () => {
    for (const method of ['PUT', 'GET', 'POST', 'DELETE']) {
      const res = await fetchGateway(stack, URL_, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization, x-graphql-event-stream-token',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-methods')).toContain(method);
      expect(res.headers.get('access-control-allow-headers')).toMatch(/x-graphql-event-stream-token/);
    }
  });

  it("answers every preflight with all the clients' methods and headers, so one cached answer serves a page", async () => {
    // Chromium keeps one preflight answer per URL: answering only what one request asked
    // for, the next request with other headers preflighted again (test/browser.test.ts).
    const all = ['GET', 'POST', 'PUT', 'DELETE'];
    const headers = [
      'accept',
      'authorization',
      'content-type',
      'graphql-preflight',
      'x-graphql-yoga-csrf',
      'apollo-require-preflight',
      'x-apollo-operation-name',
      'x-graphql-event-stream-token',
    ];
    await withStack({ CORS_ORIGINS: 'https://app.example.com' }, async (s) => {
      for (const [method, asked] of [
        ['POST', 'authorization, content-type'],
        ['PUT', 'authorization'],
        ['POST', 'Authorization, X-Custom-Trace'],
      ] as const) {
        const res = await fetchGateway(s, URL_, {
          method: 'OPTIONS',
          headers: {
            origin: 'https://app.example.com',
            'access-control-request-method': method,
            'access-control-request-headers': asked,
          },
        });
        expect(res.status).toBe(204);
        const methods = (res.headers.get('access-control-allow-methods') ?? '').split(', ');
        expect(methods).toEqual(expect.arrayContaining(all));
        const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(', ');
        expect(allowed).toEqual(expect.arrayContaining(headers));
        // A header a client adds still passes, once.
        if (asked.includes('X-Custom-Trace')) {
          expect(allowed.filter((h) => h === 'x-custom-trace' || h === 'authorization')).toHaveLength(2);
        }
      }
      // Only preflights carry the lists.
      const actual = await fetchGateway(s, URL_, {
        method: 'POST',
        headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(actual.headers.get('access-control-allow-headers')).toBeNull();
      expect(actual.headers.get('access-control-allow-methods')).toBeNull();
    });
  });

  it("puts CORS headers on graphql-sse's own answers, so a page can read its reservation token", async () => {
    const res = await fetchGateway(stack, URL_, {
      method: 'PUT',
      headers: { origin: 'https://app.example.com' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    await res.text();
  });

  it('allows credentials only when CORS_ALLOW_CREDENTIALS=true, with a list of origins', async () => {
    await withStack(
      { CORS_ORIGINS: 'https://app.example.com', CORS_ALLOW_CREDENTIALS: 'true' },
      async (s) => {
        const res = await preflight(s, 'https://app.example.com');
        expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
        expect(res.headers.get('access-control-allow-credentials')).toBe('true');
        // Never to an origin that is not listed.
        const other = await preflight(s, 'https://evil.example.net');
        expect(other.headers.get('access-control-allow-credentials')).toBeNull();
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
      },
    );
    expect(() => loadConfig({ CORS_ORIGINS: '*', CORS_ALLOW_CREDENTIALS: 'true' })).toThrow(
      /CORS_ALLOW_CREDENTIALS=true needs CORS_ORIGINS to list the origins/,
    );
    expect(() => loadConfig({ CORS_ALLOW_CREDENTIALS: 'true' })).toThrow(/which means \* outside production/);
  });

  it('varies by Origin when CORS_ORIGINS lists one origin (its headers depend on the Origin)', async () => {
    await withStack({ CORS_ORIGINS: 'https://app.example.com' }, async (s) => {
      for (const origin of ['https://app.example.com', 'https://evil.example.net']) {
        const res = await fetchGateway(s, `${URL_}?query=%7B__typename%7D`, {
          headers: { origin, accept: 'text/event-stream' },
        });
        expect(res.headers.get('vary') ?? '').toMatch(/Origin/);
        await res.text();
      }
    });
  });

  it('refuses an origin that could never match', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.com/' })).toThrow(ConfigError);
    expect(() => loadConfig({ CORS_ORIGINS: 'app.example.com' })).toThrow(/CORS_ORIGINS must be/);
  });
});

describe('GraphiQL', () => {
  const page = (target: Stack) => fetchGateway(target, URL_, { headers: { accept: 'text/html' } });

  it('is served by default outside production', async () => {
    expect(stack.config.graphiql).toBe(true);
    expect((await page(stack)).headers.get('content-type')).toMatch(/text\/html/);
  });

  it('can be switched off', async () => {
    await withStack({ GRAPHIQL: 'false' }, async (s) => {
      const res = await page(s);
      expect(res.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    });
  });

  it('is off in production unless GRAPHIQL=true', async () => {
    await withStack({ NODE_ENV: 'production' }, async (s) => {
      expect(s.config.graphiql).toBe(false);
      expect((await page(s)).headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    });
    await withStack({ NODE_ENV: 'production', GRAPHIQL: 'true' }, async (s) => {
      expect((await page(s)).headers.get('content-type')).toMatch(/text\/html/);
    });
  });
});

describe('introspection', () => {
  const SCHEMA = '{ __schema { queryType { name } } }';
  const TYPE = '{ __type(name: "Video") { name } }';

  it('is answered by default outside production', async () => {
    expect((await stack.gql(SCHEMA)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    expect((await stack.gql(TYPE)).data).toEqual({ __type: { name: 'Video' } });
  });

  it('can be switched off: __schema and __type are refused, __typename still works', async () => {
    await withStack({ INTROSPECTION: 'false' }, async (s) => {
      for (const [query, field] of [
        [SCHEMA, '__schema'],
        [TYPE, '__type'],
      ] as const) {
        const res = await s.gql(query);
        expect(res.status).toBe(400);
        expect(res.data).toBeUndefined();
        expect(res.errors?.[0]?.message).toBe(
          `GraphQL introspection has been disabled, but the requested query contained the field "${field}".`,
        );
        expect(res.errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');
      }
      // Hidden inside a fragment, too.
      const hidden = await s.gql('query { ...F } fragment F on Query { __schema { types { name } } }');
      expect(hidden.status).toBe(400);
      expect((await s.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
    });
  });

  it('is off in production unless INTROSPECTION=true', async () => {
    await withStack({ NODE_ENV: 'production' }, async (s) => {
      expect(s.config.introspection).toBe(false);
      expect((await s.gql(SCHEMA)).errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');
    });
    await withStack({ NODE_ENV: 'production', INTROSPECTION: 'true' }, async (s) => {
      expect((await s.gql(SCHEMA)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });
  });
});
