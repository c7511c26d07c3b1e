import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createClient } from 'graphql-sse';
import {
  commitMutation,
  createOperationDescriptor,
  Environment,
  type FetchFunction,
  fetchQuery,
  getSelector,
  Network,
  Observable,
  RecordSource,
  requestSubscription,
  Store,
  type SubscribeFunction,
  type UploadableMap,
} from 'relay-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import RelayDeleteVideosMutation from './fixtures/relay/__generated__/RelayDeleteVideosMutation.graphql.js';
import type { RelayLibrary_viewer$data } from './fixtures/relay/__generated__/RelayLibrary_viewer.graphql.js';
import RelayLibraryViewer from './fixtures/relay/__generated__/RelayLibrary_viewer.graphql.js';
import RelayLibraryPaginationQuery from './fixtures/relay/__generated__/RelayLibraryPaginationQuery.graphql.js';
import RelayLibraryQuery from './fixtures/relay/__generated__/RelayLibraryQuery.graphql.js';
import RelayUploadVideoMutation from './fixtures/relay/__generated__/RelayUploadVideoMutation.graphql.js';
import RelayVideoRefetchQuery from './fixtures/relay/__generated__/RelayVideoRefetchQuery.graphql.js';
import RelayWatchVideosSubscription from './fixtures/relay/__generated__/RelayWatchVideosSubscription.graphql.js';
import { eventually, type LiveStack, sleep, startLiveStack } from './helpers.js';

/**
 * Relay against the gateway on the simulator: relay-compiler accepts the documents of
 * test/fixtures/relay (a @connection on viewer.videos, @refetchable fragments on Viewer and on
 * a Node type, @deleteRecord on deletedIds), and relay-runtime pages, refetches, subscribes,
 * uploads and deletes with them. What usePaginationFragment and useRefetchableFragment do is
 * done here with relay-runtime alone: run the generated query, then read the fragment.
 */
const root = fileURLToPath(new URL('../', import.meta.url));

let stack: LiveStack;
beforeAll(async () => {
  // Uploads stay UNPARSE until a test changes their status.
  stack = await startLiveStack({ simulator: { parseDelayMs: 600_000 } });
});
afterAll(() => stack.close());

it('relay-compiler accepts the documents, and the committed artifacts are current (`npm run relay`)', async () => {
  // --validate compiles everything and fails if an artifact would change.
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [`${root}node_modules/relay-compiler/cli.js`, '--validate'],
    { cwd: root },
  );
  expect(`${stdout}${stderr}`).not.toMatch(/ERROR/);
});

/** Relay's network layer as an app writes it: JSON over fetch, the multipart spec for uploads, SSE for subscriptions. */
function environment(key: string) {
  const fetchFn: FetchFunction = async (params, variables, _config, uploadables?: UploadableMap | null) => {
    const headers: Record<string, string> = { authorization: key };
    let body: BodyInit;
    if (uploadables) {
      const form = new FormData();
      const names = Object.keys(uploadables);
      form.set('operations', JSON.stringify({ query: params.text, variables }));
      form.set('map', JSON.stringify(Object.fromEntries(names.map((name, i) => [i, [`variables.${name}`]]))));
      names.forEach((name, i) => {
        form.set(String(i), uploadables[name] as File);
      });
      body = form;
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify({ query: params.text, variables });
    }
    const response = await fetch(stack.url, { method: 'POST', headers, body });
    return response.json();
  };
  const sse = createClient({ url: stack.url, headers: { authorization: key } });
  const subscribeFn: SubscribeFunction = (params, variables) =>
    Observable.create((sink) =>
      sse.subscribe(
        { query: params.text ?? '', variables },
        {
          next: (value) => sink.next(value as never),
          error: (error) => sink.error(error as Error),
          complete: () => sink.complete(),
        },
      ),
    );
  const env = new Environment({
    network: Network.create(fetchFn, subscribeFn),
    store: new Store(new RecordSource()),
  });
  return { env, close: () => sse.dispose() };
}

type Env = ReturnType<typeof environment>['env'];

/** The library fragment as the component holding it would read it. */
function readLibrary(env: Env, count: number): RelayLibrary_viewer$data {
  const query = env.lookup(createOperationDescriptor(RelayLibraryQuery, { count, cursor: null }).fragment);
  const viewer = (query.data as { viewer: unknown }).viewer;
  const selector = getSelector(RelayLibraryViewer, viewer);
  if (selector?.kind !== 'SingularReaderSelector') throw new Error('no viewer fragment');
  return env.lookup(selector).data as unknown as RelayLibrary_viewer$data;
}

function pageInfoOf(data: RelayLibrary_viewer$data) {
  return (data.videos as unknown as { pageInfo: { hasNextPage: boolean; endCursor: string | null } })
    .pageInfo;
}

function library(count: number) {
  const key = stack.newAccount({ seed: false });
  const start = Date.UTC(2025, 6, 1);
  const videoNos = Array.from(
    { length: count },
    (_, i) =>
      stack.sim.addVideo(key, { videoName: `r-${i}.mp4`, uploadTime: start + i * 1000, status: 'UNPARSE' })
        .videoNo,
  );
  return { key, videoNos };
}

describe('relay-runtime', () => {
  it('a pagination fragment pages through the whole library, a node refetch and a status event update it, @deleteRecord drops videos', async () => {
    const { key, videoNos } = library(25);
    const { env, close } = environment(key);
    try {
      const operation = createOperationDescriptor(RelayLibraryQuery, { count: 10, cursor: null });
      const retained = env.retain(operation);
      await fetchQuery(env, RelayLibraryQuery, { count: 10, cursor: null }).toPromise();
      let data = readLibrary(env, 10);
      expect(data.videos.edges).toHaveLength(10);
      // loadNext(10), as usePaginationFragment runs it.
      while (pageInfoOf(data).hasNextPage) {
        await fetchQuery(env, RelayLibraryPaginationQuery, {
          count: 10,
          cursor: pageInfoOf(data).endCursor,
        }).toPromise();
        data = readLibrary(env, 10);
      }
      const listed = data.videos.edges.map((e) => e.node.videoNo);
      expect(listed).toEqual([...videoNos].reverse());
      expect(data.videos.totalCount).toBe(25);

      // useRefetchableFragment on a Video: node(id) refetches it, the connection shows it.
      const target = data.videos.edges[3]!.node;
      stack.sim.setVideoStatus(key, target.videoNo, 'PARSE');
      await fetchQuery(env, RelayVideoRefetchQuery, { id: target.id }).toPromise();
      expect(readLibrary(env, 10).videos.edges[3]?.node.status).toBe('PARSE');

      // A status event lands on the same record.
      const watched = data.videos.edges[5]!.node;
      const events: unknown[] = [];
      const before = await pollers();
      const subscription = requestSubscription(env, {
        subscription: RelayWatchVideosSubscription,
        variables: { videoNos: [watched.videoNo] },
        onNext: (event) => events.push(event),
      });
      try {
        await eventually(async () => ((await pollers()) > before ? true : undefined));
        await sleep(100);
        stack.sim.setVideoStatus(key, watched.videoNo, 'FAIL');
        await eventually(() => (events.length > 0 ? true : undefined), 5000);
        expect(readLibrary(env, 10).videos.edges[5]?.node.status).toBe('PARSE_ERROR');
      } finally {
        subscription.dispose();
      }

      // @deleteRecord on deletedIds removes the videos from the store.
      const doomed = [data.videos.edges[0]!.node, data.videos.edges[20]!.node];
      await new Promise<void>((resolve, reject) => {
        commitMutation(env, {
          mutation: RelayDeleteVideosMutation,
          variables: { videoNos: doomed.map((v) => v.videoNo) },
          onCompleted: () => resolve(),
          onError: reject,
        });
      });
      for (const { id } of doomed) expect(env.getStore().getSource().get(id)).toBeNull();
      const nodes = readLibrary(env, 10).videos.edges.map(
        (e) => (e.node as typeof e.node | null)?.videoNo ?? null,
      );
      expect(nodes.filter((no) => no !== null)).toHaveLength(23);
      expect(nodes).not.toContain(doomed[0]?.videoNo);
      retained.dispose();
    } finally {
      close();
    }
  });

  it('an upload (uploadables, the multipart spec) lands in the store under the video’s id', async () => {
    const key = stack.newAccount({ seed: false });
    const { env, close } = environment(key);
    try {
      const file = new File([new Uint8Array(2048).fill(5)], 'relay.mp4', { type: 'video/mp4' });
      const response = await new Promise<unknown>((resolve, reject) => {
        commitMutation(env, {
          mutation: RelayUploadVideoMutation,
          variables: { file: null as unknown as File },
          uploadables: { file },
          onCompleted: resolve,
          onError: reject,
        });
      });
      const field = (
        response as { uploadVideo: { __typename: string; data?: { id: string; videoNo: string } } }
      ).uploadVideo;
      expect(field.__typename).toBe('MutationUploadVideoSuccess');
      const record = env.getStore().getSource().get(field.data!.id);
      expect(record).toMatchObject({ __typename: 'Video', videoNo: field.data!.videoNo, status: 'UNPARSE' });
    } finally {
      close();
    }
  });
});

async function pollers(): Promise<number> {
  const gauge = await stack.gateway.metrics.livePollers.get();
  return gauge.values.reduce((sum, v) => sum + v.value, 0);
}
