/**
 * The client code of the page test/browser.test.ts serves from another origin than the
 * gateway's and runs in headless Chromium: what a frontend written by hand does, with fetch,
 * FormData and graphql-sse's own client, bundled by esbuild at test start. The test drives it
 * through `window.mavi`.
 */
import { type Client, createClient } from 'graphql-sse';

const ERROR_FIELDS = '... on Error { __typename code message }';
const LIST = `query PageList($first: Int) {
  videos(first: $first) {
    __typename
    ... on QueryVideosSuccess { data { totalCount edges { node { videoNo name status } } } }
    ${ERROR_FIELDS}
  }
}`;
const UPLOAD = `mutation PageUpload($file: File!) {
  uploadVideo(file: $file) {
    __typename
    ... on MutationUploadVideoSuccess { data { videoNo name status } }
    ${ERROR_FIELDS}
  }
}`;
const WATCH = `subscription PageWatch($videoNos: [ID!]) {
  videoStatusChanged(videoNos: $videoNos) {
    __typename
    ... on SubscriptionVideoStatusChangedSuccess { data { previousStatus video { videoNo status } } }
    ${ERROR_FIELDS}
  }
}`;

export interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: unknown[] };
}

/** What the page saw of one subscription: its events, then how it ended. */
export interface Watch {
  events: unknown[];
  ended: 'complete' | 'error' | null;
  error: string | null;
}

let url = '';
let key = '';
let sse: Client<true> | null = null;
const sources: EventSource[] = [];
const watches: Watch[] = [];

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const api = {
  configure(gateway: string, apiKey: string): void {
    url = gateway;
    key = apiKey;
  },

  async list(first: number): Promise<Answer> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        authorization: key,
      },
      body: JSON.stringify({ query: LIST, variables: { first } }),
    });
    return answer(response);
  },

  /**
   * An upload as the GraphQL multipart request spec has a browser send it: a FormData body
   * (the browser writes the multipart Content-Type and its boundary), with the header the
   * CSRF check names for requests whose Content-Type a form could send.
   */
  async upload(name: string, size: number): Promise<Answer> {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new File([new Uint8Array(size).fill(7)], name, { type: 'video/mp4' }));
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: key, 'graphql-preflight': '1' },
      body: form,
    });
    return answer(response);
  },

  /** Starts watching these videos over graphql-sse's single connection; returns its index. */
  watch(videoNos: string[]): number {
    sse ??= createClient({ url, singleConnection: true, headers: { authorization: key } });
    const client = sse;
    const watch: Watch = { events: [], ended: null, error: null };
    watches.push(watch);
    client.subscribe(
      { query: WATCH, variables: { videoNos } },
      {
        next: (event) => void watch.events.push(event),
        complete: () => {
          watch.ended = 'complete';
        },
        error: (error: unknown) => {
          watch.ended = 'error';
          watch.error = String(error instanceof Error ? error.message : JSON.stringify(error));
        },
      },
    );
    return watches.length - 1;
  },

  /**
   * The same over a plain EventSource, which cannot set headers: the reservation's token goes
   * in the stream's URL (`?token=`), the operation is a POST carrying it. Returns its index.
   */
  async watchWithEventSource(videoNos: string[]): Promise<number> {
    const watch: Watch = { events: [], ended: null, error: null };
    watches.push(watch);
    const reserved = await fetch(url, { method: 'PUT', headers: { authorization: key } });
    const token = await reserved.text();
    const source = new EventSource(`${url}?token=${encodeURIComponent(token)}`);
    sources.push(source);
    const end = (how: Watch['ended'], error: string | null) => {
      watch.ended ??= how;
      watch.error ??= error;
      source.close();
    };
    source.addEventListener('next', (e) => void watch.events.push(JSON.parse(e.data).payload));
    source.addEventListener('complete', () => end('complete', null));
    source.onerror = () => end('error', 'the event stream failed');
    await new Promise<void>((resolve) => source.addEventListener('open', () => resolve(), { once: true }));
    const accepted = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: key,
        'x-graphql-event-stream-token': token,
      },
      body: JSON.stringify({ query: WATCH, variables: { videoNos }, extensions: { operationId: 'watch' } }),
    });
    await accepted.text();
    if (accepted.status !== 202) end('error', `operation refused: ${accepted.status}`);
    return watches.length - 1;
  },

  watches,

  /** Closes the event streams, as a page that leaves does. */
  dispose(): void {
    sse?.dispose();
    sse = null;
    for (const source of sources.splice(0)) source.close();
  },
};

export type PageApi = typeof api;

(globalThis as unknown as { mavi: PageApi }).mavi = api;
