import { Agent, request } from 'node:http';
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
  // Uploads stay UNPARSE for the test's length: a video parsed before the answer is complete
  // would have a duration, which the first test expects to be null.
  stack = await startStack({
    simulator: { parseDelayMs: 600_000 },
    env: { MAX_UPLOAD_BYTES: String(1.5 * 1024 ** 3) },
  });
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

/** One part of a hand-built multipart body. */
function part(name: string, content: string, extra = ''): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${content}\r\n`;
}
const filePart = (name: string, bytes = 100) =>
  part(name, 'v'.repeat(bytes), '; filename="clip.mp4"\r\nContent-Type: video/mp4');
const END = `--${BOUNDARY}--\r\n`;
const OPERATIONS = JSON.stringify({ query: UPLOAD, variables: { file: null } });
const MAP = '{"0":["variables.file"]}';
/** Two uploads in one operation: the second file's part comes after the first has been used. */
const TWO = JSON.stringify({
  query:
    'mutation($a: File!, $b: File!) { a: uploadVideo(file: $a) { __typename ... on Error { message } } b: uploadVideo(file: $b) { __typename ... on Error { message } } }',
  variables: { a: null, b: null },
});
const TWO_MAP = '{"0":["variables.a"],"1":["variables.b"]}';
const ops = (variables: unknown) => JSON.stringify({ query: UPLOAD, variables });
/** In every field a client can get wrong: an answer must never echo it back. */
const MARKER = 'sk-leak-marker-0c6f';

describe('malformed multipart requests', () => {
  // One connection for every request, so a refusal that leaves it unusable fails the next one.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());

  interface Answer {
    status: number;
    text: string;
    body: { data?: Record<string, { __typename: string; message?: string }>; errors?: { message: string }[] };
    reused: boolean;
    connection: string | undefined;
  }

  function post(body: string, contentType = `multipart/form-data; boundary=${BOUNDARY}`): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = request(gatewayUrl, {
        method: 'POST',
        agent,
        headers: {
          'content-type': contentType,
          'graphql-preflight': '1',
          authorization: stack.newAccount({ seed: false }),
          'content-length': String(Buffer.byteLength(body)),
        },
      });
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text,
            body: JSON.parse(text),
            reused: req.reusedSocket,
            connection: res.headers.connection,
          }),
        );
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The connection is still good: the next upload on it goes through. */
  async function expectUsable(): Promise<void> {
    const next = await post(part('operations', OPERATIONS) + part('map', MAP) + filePart('0') + END);
    expect(next.reused).toBe(true);
    expect(next.body.data?.uploadVideo?.__typename).toBe('MutationUploadVideoSuccess');
  }

  beforeAll(async () => {
    // Opens the connection the cases then reuse.
    const first = await post(part('operations', OPERATIONS) + part('map', MAP) + filePart('0') + END);
    expect(first.body.data?.uploadVideo?.__typename).toBe('MutationUploadVideoSuccess');
  });

  const refused: [string, string, RegExp, string?][] = [
    // The map (a map that is not JSON once answered 500 "Unexpected error.").
    [
      'a map that is not JSON',
      part('operations', OPERATIONS) + part('map', `not json ${MARKER}`) + filePart('0') + END,
      /"map" is not valid JSON/,
    ],
    [
      'a map "str"',
      part('operations', OPERATIONS) + part('map', 'str') + filePart('0') + END,
      /"map" is not valid JSON/,
    ],
    [
      'a map that is a JSON string',
      part('operations', OPERATIONS) + part('map', `"${MARKER}"`) + filePart('0') + END,
      /"map" must be a JSON object .*; got a string\./,
    ],
    [
      'a map that is a number',
      part('operations', OPERATIONS) + part('map', '1') + filePart('0') + END,
      /got a number/,
    ],
    [
      'a map that is an array',
      part('operations', OPERATIONS) + part('map', '[["variables.file"]]') + filePart('0') + END,
      /got an array/,
    ],
    [
      'a map that is null',
      part('operations', OPERATIONS) + part('map', 'null') + filePart('0') + END,
      /got null/,
    ],
    [
      'a map entry that is a string',
      part('operations', OPERATIONS) + part('map', '{"0":"variables.file"}') + filePart('0') + END,
      /map entry "0" must be a non-empty array of paths; got a string/,
    ],
    [
      'a map entry that is empty',
      part('operations', OPERATIONS) + part('map', '{"0":[]}') + filePart('0') + END,
      /non-empty array of paths; got an array/,
    ],
    [
      'a map entry holding a number',
      part('operations', OPERATIONS) + part('map', '{"0":[1]}') + filePart('0') + END,
      /paths as strings; item 0 is a number/,
    ],
    [
      'a path that does not exist',
      part('operations', OPERATIONS) + part('map', '{"0":["variables.nope"]}') + filePart('0') + END,
      /map path "variables.nope" does not exist in "operations" \(at "nope"\)/,
    ],
    [
      'a path through the placeholder',
      part('operations', OPERATIONS) + part('map', '{"0":["variables.file.deeper"]}') + filePart('0') + END,
      /does not exist .*"deeper"/,
    ],
    [
      'an inherited key',
      part('operations', OPERATIONS) + part('map', '{"0":["variables.toString"]}') + filePart('0') + END,
      /does not exist .*"toString"/,
    ],
    [
      'a path outside the variables',
      part('operations', OPERATIONS) + part('map', '{"0":["query"]}') + filePart('0') + END,
      /must lead into the variables of the operation/,
    ],
    [
      'a path into __proto__',
      part('operations', OPERATIONS) + part('map', '{"0":["__proto__.polluted"]}') + filePart('0') + END,
      /must lead into the variables/,
    ],
    [
      'a __proto__ the JSON owns',
      part(
        'operations',
        '{"query":"mutation($file: File!) { uploadVideo(file: $file) { __typename } }","variables":{"file":null,"__proto__":null}}',
      ) +
        part('map', '{"0":["variables.__proto__"]}') +
        filePart('0') +
        END,
      /may not use "__proto__"/,
    ],
    [
      'constructor',
      part('operations', OPERATIONS) + part('map', '{"0":["variables.constructor"]}') + filePart('0') + END,
      /may not use "constructor"/,
    ],
    [
      'prototype',
      part('operations', ops({ file: null, prototype: null })) +
        part('map', '{"0":["variables.prototype"]}') +
        filePart('0') +
        END,
      /may not use "prototype"/,
    ],
    [
      'a path at a value that is not null',
      part('operations', ops({ file: MARKER })) + part('map', MAP) + filePart('0') + END,
      /must point at a null placeholder; it holds a string/,
    ],
    [
      'an array index past the end',
      part('operations', ops({ file: [null] })) +
        part('map', '{"0":["variables.file.1"]}') +
        filePart('0') +
        END,
      /does not exist .*"1"/,
    ],
    [
      'an array index that is not one',
      part('operations', ops({ file: [null] })) +
        part('map', '{"0":["variables.file.01"]}') +
        filePart('0') +
        END,
      /does not exist .*"01"/,
    ],
    [
      'a path two keys name',
      part('operations', OPERATIONS) +
        part('map', '{"0":["variables.file"],"1":["variables.file"]}') +
        filePart('0') +
        filePart('1') +
        END,
      /"variables.file" is named twice/,
    ],
    [
      'a batch path without its index',
      part('operations', `[${OPERATIONS}]`) + part('map', MAP) + filePart('0') + END,
      /as in "0.variables.file"/,
    ],
    [
      'a batch index past the end',
      part('operations', `[${OPERATIONS},${OPERATIONS}]`) +
        part('map', '{"0":["2.variables.file"]}') +
        filePart('0') +
        END,
      /"2.variables.file" does not exist/,
    ],
    // The operations.
    [
      'operations that are not JSON',
      part('operations', `{${MARKER}`) + part('map', MAP) + filePart('0') + END,
      /"operations" is not valid JSON/,
    ],
    [
      'operations that are a number',
      part('operations', '1') + part('map', MAP) + filePart('0') + END,
      /"operations" must be an operation object or an array of them; got a number/,
    ],
    [
      'operations that are null',
      part('operations', 'null') + part('map', MAP) + filePart('0') + END,
      /got null/,
    ],
    [
      'a batch holding a number',
      part('operations', `[${OPERATIONS},1]`) +
        part('map', '{"0":["0.variables.file"]}') +
        filePart('0') +
        END,
      /item 1 is a number/,
    ],
    // Order and repetition.
    [
      'the map before the operations',
      part('map', MAP) + part('operations', OPERATIONS) + filePart('0') + END,
      /"operations" must come before "map"/,
    ],
    [
      'another field first',
      part('junk', MARKER) + part('operations', OPERATIONS) + part('map', MAP) + END,
      /first multipart field must be "operations"; got "junk"/,
    ],
    [
      'the operations twice',
      part('operations', OPERATIONS) +
        part('operations', OPERATIONS) +
        part('map', MAP) +
        filePart('0') +
        END,
      /"operations" appears twice/,
    ],
    [
      'another field before the map',
      part('operations', OPERATIONS) + part('junk', 'x') + part('map', MAP) + filePart('0') + END,
      /must be "map"; got "junk"/,
    ],
    [
      'the map twice',
      part('operations', OPERATIONS) + part('map', MAP) + part('map', MAP) + filePart('0') + END,
      /"map" appears twice/,
    ],
    [
      'a field after the map',
      part('operations', OPERATIONS) + part('map', MAP) + part('junk', 'x') + filePart('0') + END,
      /Only file parts may follow "map"; got the field "junk"/,
    ],
    [
      'a file sent as a text field',
      part('operations', OPERATIONS) + part('map', MAP) + part('0', MARKER) + END,
      /"0" is a text field; a file part needs a filename/,
    ],
    [
      'operations sent as a file',
      filePart('operations') + part('map', MAP) + filePart('0') + END,
      /"operations" must be a text field/,
    ],
    [
      'a file before the map',
      part('operations', OPERATIONS) + filePart('0') + part('map', MAP) + END,
      /File parts must come after/,
    ],
    [
      'a first file the map does not name',
      part('operations', OPERATIONS) + part('map', MAP) + filePart('9') + filePart('0') + END,
      /file part "9" is not named in the map/,
    ],
    [
      'no file part',
      part('operations', OPERATIONS) + part('map', MAP) + END,
      /no file part "0", which the map names/,
    ],
    ['no map', part('operations', OPERATIONS) + END, /no "map" field after "operations"/],
    // The body.
    ['an empty body', '', /malformed: Unexpected end of multipart data, with no "operations" field read/],
    [
      'a body that ends inside the operations',
      (part('operations', OPERATIONS) + part('map', MAP)).slice(0, 80),
      /malformed: Unexpected end of multipart data/,
    ],
    [
      'a body without its closing delimiter',
      part('operations', OPERATIONS) + part('map', MAP),
      /malformed: Unexpected end of multipart data/,
    ],
    [
      'another boundary',
      part('operations', OPERATIONS) + part('map', MAP) + filePart('0') + END,
      /does the body use the Content-Type's boundary, "other"/,
      'multipart/form-data; boundary=other',
    ],
    [
      'no boundary',
      part('operations', OPERATIONS) + part('map', MAP) + filePart('0') + END,
      /must be multipart\/form-data with a boundary; got "multipart\/form-data"/,
      'multipart/form-data',
    ],
  ];

  it.each(refused)(
    'refuses %s with a 400 naming the rule, and the connection stays usable',
    async (_name, body, message, contentType) => {
      const res = await post(body, contentType);
      expect({ status: res.status, message: res.body.errors?.[0]?.message }).toEqual({
        status: 400,
        message: expect.stringMatching(message),
      });
      expect(res.body.data).toBeUndefined();
      expect(res.text).not.toContain(MARKER);
      expect(res.connection).not.toBe('close');
      await expectUsable();
    },
  );

  it.each([
    [
      'a field over the size limit',
      part(
        'operations',
        JSON.stringify({ query: UPLOAD, variables: { file: null }, pad: MARKER.repeat(80_000) }),
      ) +
        part('map', MAP) +
        filePart('0') +
        END,
      /"operations" is larger than 1048576 bytes/,
    ],
    [
      'a map naming too many files',
      part('operations', OPERATIONS) +
        part(
          'map',
          JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i, [`variables.f${i}`]]))),
        ) +
        END,
      /At most 10 files may be sent in one request; the map names 11/,
    ],
  ])('refuses %s with a 413, and the connection stays usable', async (_name, body, message) => {
    const res = await post(body);
    expect({ status: res.status, message: res.body.errors?.[0]?.message }).toEqual({
      status: 413,
      message: expect.stringMatching(message),
    });
    expect(res.text).not.toContain(MARKER);
    await expectUsable();
  });

  // Once the first file part is in, the operation runs: a later break fails the files still to come.
  it.each([
    [
      'a file part the map names but the body lacks',
      part('operations', TWO) + part('map', TWO_MAP) + filePart('0') + END,
      /no file part "1", which the map names/,
    ],
    [
      'a file part sent twice',
      part('operations', TWO) + part('map', TWO_MAP) + filePart('0') + filePart('0') + filePart('1') + END,
      /file part "0" appears twice/,
    ],
    [
      'a file part the map does not name',
      part('operations', TWO) + part('map', TWO_MAP) + filePart('0') + filePart('9') + filePart('1') + END,
      /file part "9" is not named in the map/,
    ],
    [
      'a field after the files',
      part('operations', TWO) +
        part('map', TWO_MAP) +
        filePart('0') +
        part('map', TWO_MAP) +
        filePart('1') +
        END,
      /field "map" comes after the file parts/,
    ],
    [
      'a body that breaks off inside a file',
      part('operations', TWO) + part('map', TWO_MAP) + filePart('0') + filePart('1', 5000).slice(0, 2000),
      /broke off inside the file part "1": Unexpected end of multipart data/,
    ],
  ])('answers %s with InvalidParameterError for the files still to come', async (_name, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(200);
    expect(res.body.data?.a?.__typename).toBe('MutationUploadVideoSuccess');
    expect(res.body.data?.b).toEqual({
      __typename: 'InvalidParameterError',
      message: expect.stringMatching(message),
    });
    await expectUsable();
  });

  it('takes a batch whose map paths start with the operation index', async () => {
    const res = await post(
      part('operations', `[${OPERATIONS},${OPERATIONS}]`) +
        part('map', '{"0":["0.variables.file"],"1":["1.variables.file"]}') +
        filePart('0') +
        filePart('1') +
        END,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { data: { uploadVideo: expect.objectContaining({ __typename: 'MutationUploadVideoSuccess' }) } },
      { data: { uploadVideo: expect.objectContaining({ __typename: 'MutationUploadVideoSuccess' }) } },
    ]);
    await expectUsable();
  });
});
