import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { Client, fetchExchange } from '@urql/core';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListVideosDocument, UploadVideoDocument } from '../operations/__generated__/graphql.js';
import { type LiveStack, startLiveStack } from './helpers.js';

/**
 * The CSRF check as frontends meet it, with the real clients on a real socket: uploads from
 * apollo-upload-client and urql, and urql's and Apollo's GET queries, with no header beyond
 * the caller's credential.
 */
let stack: LiveStack;
beforeAll(async () => {
  stack = await startLiveStack();
});
afterAll(() => stack.close());

interface Seen {
  method: string;
  contentType: string | null;
  status: number;
}

function recordingFetch(seen: Seen[]): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await fetch(request);
    seen.push({
      method: request.method,
      contentType: request.headers.get('content-type'),
      status: response.status,
    });
    return response;
  }) as typeof fetch;
}

const file = () => new File([new Uint8Array(4096).fill(7)], 'clip.mp4', { type: 'video/mp4' });

describe('uploads', () => {
  it('apollo-upload-client uploads with the caller key alone (no preflight header)', async () => {
    const key = stack.newAccount({ seed: false });
    const seen: Seen[] = [];
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new UploadHttpLink({
        uri: stack.url,
        headers: { authorization: key },
        fetch: recordingFetch(seen),
      }),
    });
    const result = await client.mutate({
      mutation: UploadVideoDocument,
      variables: { file: file() },
      fetchPolicy: 'no-cache',
    });
    expect(result.data?.uploadVideo.__typename).toBe('MutationUploadVideoSuccess');
    expect(seen).toEqual([
      { method: 'POST', contentType: expect.stringMatching(/^multipart\/form-data/), status: 200 },
    ]);
  });

  it('apollo-upload-client without a credential is refused, in words that name the headers it could send', async () => {
    const seen: Seen[] = [];
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new UploadHttpLink({ uri: stack.url, fetch: recordingFetch(seen) }),
    });
    const error = await client
      .mutate({ mutation: UploadVideoDocument, variables: { file: file() }, fetchPolicy: 'no-cache' })
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(seen[0]?.status).toBe(403);
    expect(String(error)).toMatch(/apollo-require-preflight/);
    // What Apollo's documentation says to send works, credential or not.
    const withHeader = new ApolloClient({
      cache: new InMemoryCache(),
      link: new UploadHttpLink({
        uri: stack.url,
        headers: { 'Apollo-Require-Preflight': 'true', authorization: stack.newAccount({ seed: false }) },
      }),
    });
    const ok = await withHeader.mutate({
      mutation: UploadVideoDocument,
      variables: { file: file() },
      fetchPolicy: 'no-cache',
    });
    expect(ok.data?.uploadVideo.__typename).toBe('MutationUploadVideoSuccess');
  });

  it('urql uploads a File variable as a multipart request with the caller key alone', async () => {
    const key = stack.newAccount({ seed: false });
    const seen: Seen[] = [];
    const client = new Client({
      url: stack.url,
      exchanges: [fetchExchange],
      fetch: recordingFetch(seen),
      fetchOptions: { headers: { authorization: key } },
    });
    const result = await client.mutation(UploadVideoDocument, { file: file() }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data?.uploadVideo.__typename).toBe('MutationUploadVideoSuccess');
    expect(seen[0]?.contentType).toMatch(/^multipart\/form-data/);
  });
});

describe('GET queries', () => {
  it("urql's default (GET within the URL limit) works as it is, with or without a credential", async () => {
    for (const headers of [{ authorization: stack.newAccount() }, {}] as Record<string, string>[]) {
      const seen: Seen[] = [];
      const client = new Client({
        url: stack.url,
        exchanges: [fetchExchange],
        fetch: recordingFetch(seen),
        fetchOptions: { headers },
        requestPolicy: 'network-only',
      });
      const result = await client.query(ListVideosDocument, { first: 1 }).toPromise();
      expect(result.error).toBeUndefined();
      expect(seen).toEqual([{ method: 'GET', contentType: null, status: 200 }]);
      // Without a credential the query runs and answers the typed error, never reaching MAVI's data.
      expect(result.data?.videos.__typename).toBe(
        'authorization' in headers ? 'QueryVideosSuccess' : 'UnauthorizedError',
      );
    }
  });

  it("Apollo Client's useGETForQueries works with the caller key", async () => {
    const seen: Seen[] = [];
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: new HttpLink({
        uri: stack.url,
        useGETForQueries: true,
        headers: { authorization: stack.newAccount() },
        fetch: recordingFetch(seen),
      }),
    });
    const result = await client.query({
      query: ListVideosDocument,
      variables: { first: 1 },
      fetchPolicy: 'no-cache',
    });
    expect(result.data?.videos.__typename).toBe('QueryVideosSuccess');
    expect(seen.map((s) => [s.method, s.status])).toEqual([['GET', 200]]);
  });

  it('a bare GET that a page could forge (no credential, no header, no event stream) is still refused', async () => {
    const res = await fetch(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(res.status).toBe(403);
    await res.text();
  });
});
