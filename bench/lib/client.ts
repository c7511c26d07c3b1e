/**
 * The bench's clients: GraphQL over HTTP (fetch), SSE over raw node:http (10 000 of them must
 * stay light), signed MAVI callbacks, and multipart uploads generated on the fly.
 */
import { Agent, type IncomingMessage, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { type DocumentNode, print } from 'graphql';

/** A typed document as the text a frontend would send. */
export function text(document: unknown): string {
  return print(document as DocumentNode);
}

export interface GqlResult {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string }[] };
}

/** One GraphQL request over HTTP with this credential. */
export async function gql(
  url: string,
  apiKey: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: apiKey,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlResult['body'] };
}

/** The typename of each root field's result, e.g. `QueryVideosSuccess` (an error member otherwise). */
export function typenames(result: GqlResult): string[] {
  return Object.values(result.body.data ?? {}).map(
    (value) => (value as { __typename?: string } | null)?.__typename ?? 'null',
  );
}

/** True when the answer is HTTP 200 with every root field a success member and no errors. */
export function succeeded(result: GqlResult): boolean {
  return (
    result.status === 200 &&
    !result.body.errors?.length &&
    typenames(result).every((name) => name.endsWith('Success'))
  );
}

export interface SseEvent {
  event: string;
  data: string;
  /** performance.now() when the chunk carrying the end of this event was read. */
  at: number;
}

export interface SseStream {
  /** Resolves with the HTTP status when the response headers arrive. */
  opened: Promise<number>;
  /** Resolves when the server ends the stream (or it breaks: `error` is then set). */
  ended: Promise<void>;
  error: Error | null;
  close(): void;
}

/**
 * A GraphQL subscription over SSE (yoga's "distinct connections" mode: a POST that asks for
 * text/event-stream), parsed by hand: each event reaches `onEvent` with the time its last
 * chunk was read.
 */
export function subscribeSse(
  url: string,
  init: {
    authorization: string;
    query: string;
    variables?: Record<string, unknown>;
    path?: string;
    /** A body of its own instead of `{query, variables}` (MAVI's chat, read directly). */
    body?: string;
  },
  onEvent: (event: SseEvent) => void,
): SseStream {
  const target = new URL(url);
  const body = init.body ?? JSON.stringify({ query: init.query, variables: init.variables ?? {} });
  let openResolve!: (status: number) => void;
  let openReject!: (error: Error) => void;
  const opened = new Promise<number>((resolve, reject) => {
    openResolve = resolve;
    openReject = reject;
  });
  opened.catch(() => {});
  const stream: SseStream = { opened, ended: Promise.resolve(), error: null, close: () => req.destroy() };
  const req = request({
    host: target.hostname,
    port: target.port,
    path: init.path ?? target.pathname + target.search,
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      accept: 'text/event-stream',
      authorization: init.authorization,
    },
  });
  stream.ended = new Promise<void>((resolve) => {
    req.on('response', (res: IncomingMessage) => {
      openResolve(res.statusCode ?? 0);
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
          }
          if (data.length > 0 || event !== 'message') onEvent({ event, data: data.join('\n'), at });
        }
      });
      res.on('end', resolve);
      res.on('close', resolve);
      res.on('error', (error) => {
        stream.error = error;
        resolve();
      });
    });
    req.on('error', (error) => {
      stream.error = error;
      openReject(error);
      resolve();
    });
  });
  req.end(body);
  return stream;
}

const callbackAgent = new Agent({ keepAlive: true, maxSockets: 64 });
/** POSTs a body to a path on `origin` over a keep-alive pool; resolves with the status. */
export function post(origin: string, path: string, payload: string): Promise<number> {
  const target = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: 'POST',
        agent: callbackAgent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const BOUNDARY = '----mavi-bench-boundary';

/** A multipart body of `bytes` bytes of file made 1 MiB at a time (nothing held whole). */
function* multipartParts(preamble: string, bytes: number): Generator<Buffer> {
  yield Buffer.from(preamble);
  const block = Buffer.alloc(1024 * 1024, 0x42);
  let left = bytes;
  while (left > 0) {
    const n = Math.min(left, block.length);
    yield n === block.length ? block : block.subarray(0, n);
    left -= n;
  }
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

function filePart(name: string, filename: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: video/mp4\r\n\r\n`;
}

export interface UploadOutcome {
  status: number;
  body: string;
  /** From the first byte written to the last byte of the answer read, in ms. */
  ms: number;
}

/**
 * A streamed multipart upload of `bytes` bytes: to the gateway as a GraphQL multipart request
 * (`graphql: true`), or straight to MAVI's upload endpoint. Content-Length is declared, as a
 * browser's FormData upload does.
 */
export function upload(
  url: string,
  apiKey: string,
  bytes: number,
  opts: { graphql: boolean; filename?: string },
): Promise<UploadOutcome> {
  const filename = opts.filename ?? 'bench.mp4';
  let preamble: string;
  if (opts.graphql) {
    const operations = JSON.stringify({
      query:
        'mutation($file: File!) { uploadVideo(file: $file) { __typename ... on MutationUploadVideoSuccess { data { videoNo status } } ... on Error { code message } } }',
      variables: { file: null },
    });
    preamble =
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
      filePart('0', filename);
  } else {
    preamble = filePart('file', filename);
  }
  const length = Buffer.byteLength(preamble) + bytes + Buffer.byteLength(`\r\n--${BOUNDARY}--\r\n`);
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: 'POST',
        agent: false,
        headers: {
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          'content-length': length,
          authorization: apiKey,
          'graphql-preflight': '1',
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    Readable.from(multipartParts(preamble, bytes)).pipe(req);
  });
}
