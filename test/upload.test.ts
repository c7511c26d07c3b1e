import { request } from 'node:http';
import { Readable } from 'node:stream';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadVideoDocument } from '../operations/__generated__/graphql.js';
import { eventually, listen, type Stack, sleep, startStack } from './helpers.js';

/**
 * uploadVideo through a real socket: the GraphQL multipart request goes in, MAVI's multipart
 * `file` part comes out, and the bytes stream through without being held.
 */
let stack: Stack;
let gatewayUrl: string;
let closeServer: () => Promise<void>;

beforeAll(async () => {
  stack = await startStack({ env: { MAX_UPLOAD_BYTES: String(1.5 * 1024 ** 3) } });
  const server = await listen(stack.gateway.yoga);
  gatewayUrl = `${server.url}/graphql`;
  closeServer = server.close;
});
afterAll(async () => {
  await closeServer();
  await stack.close();
});

const BOUNDARY = '----test-boundary-7MA4YWxkTrZu0gW';
const UPLOAD = print(UploadVideoDocument);

/** Yields `size` bytes in 1 MiB chunks without ever holding them all. */
async function* bytes(size: number, chunk = 1024 * 1024): AsyncGenerator<Buffer> {
  const block = Buffer.alloc(chunk, 7);
  for (let sent = 0; sent < size; sent += chunk)
    yield size - sent >= chunk ? block : block.subarray(0, size - sent);
}

async function* multipart(
  file: { size: number; filename: string; type: string },
  query = UPLOAD,
): AsyncGenerator<Buffer> {
  const operations = JSON.stringify({ query, variables: { file: null } });
  yield Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
  );
  yield* bytes(file.size);
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

interface Sent {
  status: number;
  body: { data?: { uploadVideo?: Record<string, unknown> }; errors?: { message: string }[] };
}

/** POSTs a streamed multipart body (chunked, no Content-Length unless given). */
function send(
  body: AsyncIterable<Buffer>,
  opts: { auth?: string | null; contentLength?: number; abortAfterBytes?: number; url?: string } = {},
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(opts.url ?? gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'graphql-preflight': '1',
        ...(opts.auth === null ? {} : { authorization: opts.auth ?? '' }),
        ...(opts.contentLength ? { 'content-length': String(opts.contentLength) } : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        text += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    let sent = 0;
    const source = Readable.from(body);
    source.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (opts.abortAfterBytes !== undefined && sent >= opts.abortAfterBytes) {
        source.destroy();
        req.destroy();
        resolve({ status: 0, body: {} });
      }
    });
    source.pipe(req);
  });
}

describe('uploadVideo', () => {
  it('streams the file to MAVI as its multipart file part', async () => {
    const key = stack.newAccount({ seed: false });
    stack.sim.resetCalls();
    const size = 5 * 1024 * 1024 + 123;
    const res = await send(multipart({ size, filename: 'holiday.mp4', type: 'video/mp4' }), { auth: key });
    expect(res.status).toBe(200);
    expect(res.body.data?.uploadVideo).toMatchObject({
      __typename: 'MutationUploadVideoSuccess',
      data: { name: 'holiday.mp4', status: 'UNPARSE', durationSeconds: null },
    });
    const call = stack.sim.callsTo('upload')[0];
    expect(call?.body).toMatchObject({ filename: 'holiday.mp4', mimeType: 'video/mp4', bytes: size });
    expect(call?.authorization).toBe(key);
  });

  it('also works without a socket (yoga.fetch with a web FormData body)', async () => {
    const key = stack.newAccount({ seed: false });
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new File([Buffer.alloc(1000, 1)], 'small.mov', { type: 'video/quicktime' }));
    const res = await stack.gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { authorization: key, 'graphql-preflight': '1' },
      body: form,
    });
    const body = (await res.json()) as Sent['body'];
    expect(body.data?.uploadVideo).toMatchObject({ data: { name: 'small.mov', status: 'UNPARSE' } });
    expect(stack.sim.callsTo('upload').at(-1)?.body).toMatchObject({ bytes: 1000 });
  });

  it('moves 1 GiB without growing the process by more than a few tens of MiB', async () => {
    const key = stack.newAccount({ seed: false });
    const size = 1024 ** 3;
    /** The process's peak resident growth while `run` goes on, MiB. */
    const peakGrowth = async (run: () => Promise<void>): Promise<number> => {
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 20);
      try {
        await run();
      } finally {
        clearInterval(sampler);
      }
      return (peak - before) / 1024 ** 2;
    };
    // The baseline, in the same run and first: the same file straight to the simulator (MAVI's
    // multipart `file` part). What node:http itself takes while a server reads a fast upload
    // depends on the Node version (a bare server's peak growth is about 33 MiB on Node 22, 70 MiB
    // on Node 24 and 26), and most of it stays resident for the upload that follows.
    const direct = await peakGrowth(async () => {
      const body = (async function* () {
        yield Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
        );
        yield* bytes(size);
        yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
      })();
      const res = await send(body, { auth: key, url: `${stack.sim.url}/api/serve/video/upload` });
      expect(res.status).toBe(200);
    });
    const through = await peakGrowth(async () => {
      const res = await send(multipart({ size, filename: 'big.mp4', type: 'video/mp4' }), { auth: key });
      expect(res.body.data?.uploadVideo).toMatchObject({ __typename: 'MutationUploadVideoSuccess' });
    });
    expect(stack.sim.callsTo('upload').at(-1)?.body).toMatchObject({ bytes: size });
    // Client, gateway and simulator all live in this process: what the gateway's hop adds
    // (a second server reading, the parser, the upstream request) stays within a few tens of MiB.
    expect(through - direct, `through the gateway ${through} MiB, straight ${direct} MiB`).toBeLessThan(48);
  }, 120_000);

  it('refuses a file that is not a video without calling MAVI', async () => {
    stack.sim.resetCalls();
    const res = await send(multipart({ size: 2048, filename: 'notes.txt', type: 'text/plain' }), {
      auth: stack.newAccount(),
    });
    expect(res.body.data?.uploadVideo).toMatchObject({ __typename: 'InvalidParameterError', field: 'file' });
    expect(stack.sim.callsTo('upload')).toHaveLength(0);
  });

  it('accepts application/octet-stream for a file with a video extension', async () => {
    const res = await send(
      multipart({ size: 2048, filename: 'clip.MKV', type: 'application/octet-stream' }),
      {
        auth: stack.newAccount(),
      },
    );
    expect(res.body.data?.uploadVideo).toMatchObject({ __typename: 'MutationUploadVideoSuccess' });
  });

  it('answers UnauthorizedError without an Authorization header and still drains the body', async () => {
    stack.sim.resetCalls();
    const res = await send(multipart({ size: 3 * 1024 * 1024, filename: 'a.mp4', type: 'video/mp4' }), {
      auth: null,
    });
    expect(res.body.data?.uploadVideo).toMatchObject({ __typename: 'UnauthorizedError' });
    expect(stack.sim.calls).toHaveLength(0);
  });

  it('answers a malformed multipart request with a 400 GraphQL error, never a 500', async () => {
    async function* broken() {
      yield Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{not json\r\n--${BOUNDARY}--\r\n`,
      );
    }
    const res = await send(broken(), { auth: stack.newAccount() });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.message).toMatch(/operations/);
  });

  it('aborts the upstream upload when the client goes away mid-upload', async () => {
    const key = stack.newAccount({ seed: false });
    stack.sim.resetCalls();
    await send(multipart({ size: 64 * 1024 * 1024, filename: 'gone.mp4', type: 'video/mp4' }), {
      auth: key,
      abortAfterBytes: 8 * 1024 * 1024,
    });
    const call = await eventually(() => {
      const c = stack.sim.callsTo('upload')[0];
      return c?.done ? c : undefined;
    });
    expect(call.aborted).toBe(true);
    await sleep(50);
    expect(stack.sim.account(key)?.videos.size).toBe(0);
  });
});

describe('upload limits', () => {
  let small: Stack;
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    small = await startStack({ env: { MAX_UPLOAD_BYTES: String(1024 * 1024) } });
    const server = await listen(small.gateway.yoga);
    url = `${server.url}/graphql`;
    close = server.close;
  });
  afterAll(async () => {
    await close();
    await small.close();
  });

  function sendSmall(size: number, contentLength: boolean) {
    const chunks: Buffer[] = [];
    return (async () => {
      for await (const c of multipart({ size, filename: 'x.mp4', type: 'video/mp4' }))
        chunks.push(Buffer.from(c));
      const body = Buffer.concat(chunks);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
          authorization: small.newAccount(),
          'graphql-preflight': '1',
        },
        body: contentLength ? body : (Readable.toWeb(Readable.from([body])) as ReadableStream),
        ...(contentLength ? {} : { duplex: 'half' }),
      } as RequestInit);
      return (await res.json()) as Sent['body'];
    })();
  }

  it('refuses a file over the limit before calling MAVI when the length is declared', async () => {
    small.sim.resetCalls();
    const body = await sendSmall(2 * 1024 * 1024, true);
    expect(body.data?.uploadVideo).toMatchObject({ __typename: 'InvalidParameterError', field: 'file' });
    expect(small.sim.callsTo('upload')).toHaveLength(0);
  });

  it('stops a chunked upload at the limit and aborts the upstream request', async () => {
    small.sim.resetCalls();
    const body = await sendSmall(2 * 1024 * 1024, false);
    expect(body.data?.uploadVideo).toMatchObject({ __typename: 'InvalidParameterError', field: 'file' });
    const call = await eventually(() => {
      const c = small.sim.callsTo('upload')[0];
      return c === undefined || c.done ? (c ?? null) : undefined;
    });
    if (call) expect(call.aborted).toBe(true);
  });
});
