import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { Client, fetchExchange, mapExchange } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import type { GraphQLFormattedError } from 'graphql';
import { map } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import graphcacheSchema, { keys } from '../operations/__generated__/graphcache.js';
import {
  CachedLibraryDocument,
  type CachedLibraryQuery,
  CachedVideoByNoDocument,
  DeleteCachedVideosDocument,
  type DeleteCachedVideosMutation,
  UploadCachedVideoDocument,
  VideoNodeDocument,
  ViewerLibraryDocument,
  WatchCachedVideosDocument,
} from '../operations/__generated__/graphql.js';
import possibleTypesResult from '../operations/__generated__/possible-types.js';
import { eventually, type LiveStack, sleep, startLiveStack } from './helpers.js';

/**
 * The normalized caches frontends use, with no key configuration for Video: Apollo Client's
 * default InMemoryCache (with the generated possibleTypes) and urql Graphcache (with the
 * generated schema and keys), against the gateway on a real socket. A change one operation
 * sees shows in every other cached operation holding that video, because all of them key it
 * by its id.
 */
let stack: LiveStack;
beforeAll(async () => {
  // Uploads stay UNPARSE until a test changes their status, so no status change is missed.
  stack = await startLiveStack({ simulator: { parseDelayMs: 600_000 } });
});
afterAll(() => stack.close());
afterEach(() => vi.restoreAllMocks());

const { possibleTypes } = possibleTypesResult;

/** Requests the clients sent, to tell a cache hit from a network read. */
function countingFetch(sent: string[]): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    sent.push(request.method);
    return fetch(request);
  }) as typeof fetch;
}

function apollo(
  key: string | null,
  opts: { sent?: string[]; possibleTypes?: boolean; link?: ApolloLink } = {},
) {
  const http = new HttpLink({
    uri: stack.url,
    headers: key ? { authorization: key } : {},
    fetch: countingFetch(opts.sent ?? []),
  });
  return new ApolloClient({
    cache: apolloCache(opts.possibleTypes !== false),
    link: opts.link ? ApolloLink.from([opts.link, http]) : http,
  });
}

/** The cache README shows: nothing about Video's key, only pagination and node's redirect. */
function apolloCache(withPossibleTypes = true) {
  return new InMemoryCache({
    ...(withPossibleTypes ? { possibleTypes } : {}),
    typePolicies: {
      Viewer: { fields: { videos: relayStylePagination(['filter']) } },
      // node(id) of a video already in the cache is answered from the cache (Video is the only Node).
      Query: {
        fields: {
          node: {
            read: (existing, { args, toReference }) =>
              existing ?? toReference({ __typename: 'Video', id: args?.id as string }),
          },
        },
      },
    },
  });
}

function statusIn(data: CachedLibraryQuery | null | undefined, videoNo: string): string | undefined {
  const videos = data?.videos;
  if (videos?.__typename !== 'QueryVideosSuccess') return undefined;
  return videos.data.edges.find((e) => e.node.videoNo === videoNo)?.node.status;
}

async function pollers(): Promise<number> {
  const gauge = await stack.gateway.metrics.livePollers.get();
  return gauge.values.reduce((sum, v) => sum + v.value, 0);
}

function unparsedLibrary(count = 3) {
  const key = stack.newAccount({ seed: false });
  const start = Date.UTC(2025, 4, 1);
  const videos = Array.from({ length: count }, (_, i) =>
    stack.sim.addVideo(key, { videoName: `c-${i}.mp4`, uploadTime: start + i * 1000, status: 'UNPARSE' }),
  );
  return { key, videoNos: videos.map((v) => v.videoNo) };
}

const file = () => new File([new Uint8Array(2048).fill(3)], 'new.mp4', { type: 'video/mp4' });

describe('Apollo Client, default InMemoryCache', () => {
  it('a video(videoNo) read and a node(id) read update the cached list', async () => {
    const { key, videoNos } = unparsedLibrary();
    const target = videoNos[1]!;
    const client = apollo(key);
    const list = await client.query({ query: CachedLibraryDocument, variables: { first: 10 } });
    expect(statusIn(list.data, target)).toBe('UNPARSE');

    stack.sim.setVideoStatus(key, target, 'PARSE');
    const one = await client.query({
      query: CachedVideoByNoDocument,
      variables: { videoNo: target },
      fetchPolicy: 'network-only',
    });
    expect(one.data?.video.__typename).toBe('QueryVideoSuccess');
    expect(
      statusIn(client.readQuery({ query: CachedLibraryDocument, variables: { first: 10 } }), target),
    ).toBe('PARSE');

    stack.sim.setVideoStatus(key, target, 'FAIL');
    const id =
      list.data?.videos.__typename === 'QueryVideosSuccess' ? list.data.videos.data.edges[1]?.node.id : '';
    await client.query({ query: VideoNodeDocument, variables: { id: id! }, fetchPolicy: 'network-only' });
    expect(
      statusIn(client.readQuery({ query: CachedLibraryDocument, variables: { first: 10 } }), target),
    ).toBe('PARSE_ERROR');
  });

  it('an upload lands in the cache under its id, and a status event updates every query holding it', async () => {
    const key = stack.newAccount({ seed: false });
    const sent: string[] = [];
    const client = new ApolloClient({
      cache: apolloCache(),
      link: new UploadHttpLink({
        uri: stack.url,
        headers: { authorization: key },
        fetch: countingFetch(sent),
      }),
    });
    const uploaded = await client.mutate({
      mutation: UploadCachedVideoDocument,
      variables: { file: file() },
    });
    const video =
      uploaded.data?.uploadVideo.__typename === 'MutationUploadVideoSuccess' &&
      uploaded.data.uploadVideo.data;
    if (!video) throw new Error(`upload failed: ${JSON.stringify(uploaded.data)}`);
    expect(video.id).toEqual(expect.any(String));

    // The upload's answer is a normalized Video: node(id) is answered from the cache alone.
    const before = sent.length;
    const cached = await client.query({ query: VideoNodeDocument, variables: { id: video.id } });
    expect(sent.length).toBe(before);
    expect(cached.data?.node).toMatchObject({ id: video.id, videoNo: video.videoNo });
    await client.query({ query: CachedLibraryDocument, variables: { first: 5 } });

    // The status event (Apollo's multipart subscription over HttpLink) updates the same record.
    const watcher = apollo(key);
    const pollersBefore = await pollers();
    const events: string[] = [];
    const subscription = watcher
      .subscribe({ query: WatchCachedVideosDocument, variables: { videoNos: [video.videoNo] } })
      .subscribe({
        next: (result) => {
          const field = result.data?.videoStatusChanged;
          if (field?.__typename === 'SubscriptionVideoStatusChangedSuccess')
            events.push(field.data.video.status);
        },
      });
    try {
      const watchedList = await watcher.query({ query: CachedLibraryDocument, variables: { first: 5 } });
      expect(statusIn(watchedList.data, video.videoNo)).toBe('UNPARSE');
      await eventually(async () => ((await pollers()) > pollersBefore ? true : undefined));
      await sleep(100);
      stack.sim.setVideoStatus(key, video.videoNo, 'PARSE');
      await eventually(() => (events.length > 0 ? true : undefined), 5000);
      expect(events).toEqual(['PARSE']);
      const last = events.at(-1);
      expect(
        statusIn(watcher.readQuery({ query: CachedLibraryDocument, variables: { first: 5 } }), video.videoNo),
      ).toBe(last);
      expect(
        watcher.readQuery({ query: VideoNodeDocument, variables: { id: video.id } })?.node,
      ).toMatchObject({
        status: last,
      });
    } finally {
      subscription.unsubscribe();
    }
  });

  it('with the generated possibleTypes, an error member keeps its fields; without them it is a bare __typename', async () => {
    const withTypes = await apollo(null).query({ query: CachedLibraryDocument, variables: { first: 1 } });
    expect(withTypes.data?.videos).toMatchObject({
      __typename: 'UnauthorizedError',
      code: '0401',
      retryable: false,
    });
    // Apollo warns that data might be lost, and loses it.
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const without = await apollo(null, { possibleTypes: false }).query({
      query: CachedLibraryDocument,
      variables: { first: 1 },
    });
    expect(without.data?.videos.__typename).toBe('UnauthorizedError');
    expect(without.data?.videos).not.toHaveProperty('code');
  });

  it('an UnauthorizedError, as a union member or as viewer’s GraphQL error, reaches one sign-in handler', async () => {
    const signIns: string[] = [];
    // What an app adds once: any field answering UnauthorizedError, or any error whose
    // extensions say 0401, sends the user to sign in.
    const unauthorized = new ApolloLink((operation, forward) =>
      forward(operation).pipe(
        map((result) => {
          const asData = Object.values(result.data ?? {}).some(
            (field) => (field as { __typename?: string } | null)?.__typename === 'UnauthorizedError',
          );
          const asError = (result.errors ?? []).some(
            (e: GraphQLFormattedError) => e.extensions?.type === 'UnauthorizedError',
          );
          if (asData || asError) signIns.push(operation.operationName ?? '');
          return result;
        }),
      ),
    );
    const noKey = apollo(null, { link: unauthorized });
    await noKey.query({ query: CachedLibraryDocument, variables: { first: 1 } });
    await noKey.query({ query: ViewerLibraryDocument, variables: { first: 1 } }).catch(() => null);
    expect(signIns).toEqual(['CachedLibrary', 'ViewerLibrary']);
  });

  it('relayStylePagination() on Viewer.videos pages through a whole library, then deleteVideos evicts with the documented update', async () => {
    const key = stack.newAccount({ seed: false });
    const start = Date.UTC(2025, 5, 1);
    const all = Array.from(
      { length: 45 },
      (_, i) => stack.sim.addVideo(key, { videoName: `p-${i}.mp4`, uploadTime: start + i * 1000 }).videoNo,
    );
    const client = apollo(key);
    const read = () =>
      client.readQuery({ query: ViewerLibraryDocument, variables: { first: 20 } })?.viewer?.videos;
    const observable = client.watchQuery({ query: ViewerLibraryDocument, variables: { first: 20 } });
    const subscription = observable.subscribe({});
    try {
      await eventually(() => read());
      while (read()?.pageInfo.hasNextPage) {
        await observable.fetchMore({ variables: { after: read()?.pageInfo.endCursor } });
      }
      const listed = read()?.edges.map((e) => e.node.videoNo) ?? [];
      // Newest first, every video once.
      expect(listed).toEqual([...all].reverse());
      expect(read()?.totalCount).toBe(45);

      const doomed = [listed[0]!, listed[30]!];
      // The update README shows: evict each deleted video by its global id.
      await client.mutate({
        mutation: DeleteCachedVideosDocument,
        variables: { videoNos: doomed },
        update(cache, { data }) {
          const result = data?.deleteVideos;
          if (result?.__typename !== 'MutationDeleteVideosSuccess') return;
          for (const id of result.data.deletedIds)
            cache.evict({ id: cache.identify({ __typename: 'Video', id }) });
          cache.gc();
        },
      });
      const after = read()?.edges.map((e) => e.node.videoNo) ?? [];
      expect(after).toHaveLength(43);
      expect(after).not.toContain(doomed[0]);
      expect(after).not.toContain(doomed[1]);
    } finally {
      subscription.unsubscribe();
    }
  });
});

describe('urql Graphcache, generated schema and keys', () => {
  let warnings: string[];

  function urql(key: string, opts: { sent?: string[]; onUnauthorized?: () => void } = {}) {
    warnings = [];
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      warnings.push(args.map(String).join(' '));
    });
    return new Client({
      url: stack.url,
      fetch: countingFetch(opts.sent ?? []),
      fetchOptions: { headers: { authorization: key } },
      // Subscriptions over the same fetch (SSE), so their events reach the same cache.
      fetchSubscriptions: true,
      exchanges: [
        cacheExchange({
          schema: graphcacheSchema,
          keys,
          // node(id) of a video already in the cache is answered from the cache (Video is the only Node).
          resolvers: { Query: { node: (_parent, args) => ({ __typename: 'Video', id: args.id as string }) } },
          // The update README shows: a deleted video is invalidated by its global id.
          updates: {
            Mutation: {
              deleteVideos(result, _args, cache) {
                const field = (result as DeleteCachedVideosMutation).deleteVideos;
                if (field.__typename !== 'MutationDeleteVideosSuccess') return;
                for (const id of field.data.deletedIds) cache.invalidate({ __typename: 'Video', id });
              },
            },
          },
        }),
        mapExchange({
          onResult(result) {
            const data = (result.data ?? {}) as Record<string, { __typename?: string } | null>;
            if (Object.values(data).some((f) => f?.__typename === 'UnauthorizedError'))
              opts.onUnauthorized?.();
            return result;
          },
        }),
        fetchExchange,
      ],
    });
  }

  it('a video read, a node read and a status event update the cached list, with no key warning', async () => {
    const { key, videoNos } = unparsedLibrary();
    const target = videoNos[0]!;
    const client = urql(key);
    const list = await client.query(CachedLibraryDocument, { first: 10 }).toPromise();
    expect(statusIn(list.data, target)).toBe('UNPARSE');
    const cachedList = () => client.readQuery(CachedLibraryDocument, { first: 10 })?.data;

    stack.sim.setVideoStatus(key, target, 'PARSE');
    await client
      .query(CachedVideoByNoDocument, { videoNo: target }, { requestPolicy: 'network-only' })
      .toPromise();
    expect(statusIn(cachedList(), target)).toBe('PARSE');

    stack.sim.setVideoStatus(key, target, 'FAIL');
    const id =
      list.data?.videos.__typename === 'QueryVideosSuccess'
        ? list.data.videos.data.edges[2]?.node.id
        : undefined;
    expect(id).toBeDefined();
    await client.query(VideoNodeDocument, { id: id! }, { requestPolicy: 'network-only' }).toPromise();
    expect(statusIn(cachedList(), target)).toBe('PARSE_ERROR');

    const other = videoNos[1]!;
    const events: string[] = [];
    const before = await pollers();
    const { unsubscribe } = client
      .subscription(WatchCachedVideosDocument, { videoNos: [other] })
      .subscribe((result) => {
        const field = result.data?.videoStatusChanged;
        if (field?.__typename === 'SubscriptionVideoStatusChangedSuccess')
          events.push(field.data.video.status);
      });
    try {
      await eventually(async () => ((await pollers()) > before ? true : undefined));
      await sleep(100);
      stack.sim.setVideoStatus(key, other, 'PARSE');
      await eventually(() => (events.includes('PARSE') ? true : undefined), 5000);
      expect(statusIn(cachedList(), other)).toBe('PARSE');
    } finally {
      unsubscribe();
    }
    expect(warnings.filter((w) => /key/i.test(w))).toEqual([]);
  });

  it('an upload is written under its id: node(id) is then a cache hit', async () => {
    const key = stack.newAccount({ seed: false });
    const sent: string[] = [];
    const client = urql(key, { sent });
    const uploaded = await client.mutation(UploadCachedVideoDocument, { file: file() }).toPromise();
    const field = uploaded.data?.uploadVideo;
    if (field?.__typename !== 'MutationUploadVideoSuccess') throw new Error(JSON.stringify(uploaded));
    const count = sent.length;
    const hit = await client.query(VideoNodeDocument, { id: field.data.id }).toPromise();
    expect(sent.length).toBe(count);
    expect(hit.data?.node).toMatchObject({ id: field.data.id, videoNo: field.data.videoNo });
    expect(warnings.filter((w) => /key/i.test(w))).toEqual([]);
  });

  it('after deleteVideos with the documented update, the cached list no longer holds the deleted videos', async () => {
    const { key, videoNos } = unparsedLibrary(4);
    const sent: string[] = [];
    const client = urql(key, { sent });
    await client.query(CachedLibraryDocument, { first: 10 }).toPromise();
    const doomed = [videoNos[0]!, videoNos[3]!];
    const deleted = await client.mutation(DeleteCachedVideosDocument, { videoNos: doomed }).toPromise();
    expect(deleted.data?.deleteVideos.__typename).toBe('MutationDeleteVideosSuccess');
    const count = sent.length;
    const again = await client.query(CachedLibraryDocument, { first: 10 }).toPromise();
    // The invalidated videos made the cached list incomplete, so it was read again.
    expect(sent.length).toBe(count + 1);
    const listed = again.data?.videos.__typename === 'QueryVideosSuccess' ? again.data.videos.data.edges : [];
    expect(listed.map((e) => e.node.videoNo).sort()).toEqual([videoNos[1]!, videoNos[2]!].sort());
    expect(warnings.filter((w) => /key/i.test(w))).toEqual([]);
  });

  it('error members keep their fields, and an UnauthorizedError reaches the sign-in handler', async () => {
    let signIns = 0;
    const client = urql('', {
      onUnauthorized: () => {
        signIns++;
      },
    });
    const result = await client.query(CachedLibraryDocument, { first: 1 }).toPromise();
    expect(result.data?.videos).toMatchObject({
      __typename: 'UnauthorizedError',
      code: '0401',
      retryable: false,
    });
    expect(signIns).toBe(1);
    expect(warnings.filter((w) => /key/i.test(w))).toEqual([]);
  });
});
