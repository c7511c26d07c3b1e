import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { boundaryOf, type MultipartLimits, multipartParser } from '../src/uploads.js';

/**
 * The multipart/form-data parser as the uploads configure it (@fastify/busboy, through
 * src/uploads.ts's multipartParser) on its own: what the uploads rely on it for, on bodies built
 * by hand and by Node's FormData encoder, cut into chunks at every position.
 */

const NO_LIMITS: MultipartLimits = { fieldSize: 1024 * 1024, files: Infinity, fields: Infinity };

const BOUNDARY = 'b0undary-XyZ';
const CT = `multipart/form-data; boundary=${BOUNDARY}`;

interface Parsed {
  fields: { name: string | undefined; value: string; truncated: boolean; mimeType: string }[];
  files: {
    name: string | undefined;
    filename: string | undefined;
    mimeType: string;
    data: string;
    error?: string;
  }[];
  events: string[];
  error: string | null;
}

/** Writes `chunks` into a parser and collects everything it emits (file bytes as latin1). */
async function parse(chunks: Buffer[], contentType = CT, limits?: Partial<MultipartLimits>): Promise<Parsed> {
  const parser = multipartParser(contentType, { ...NO_LIMITS, ...limits });
  const fields: Parsed['fields'] = [];
  const files: Promise<Parsed['files'][number]>[] = [];
  const events: string[] = [];
  parser.on('field', (name, value, _nameTruncated, truncated, _encoding, mimeType) => {
    fields.push({ name, value, truncated, mimeType });
  });
  parser.on('file', (name, stream, filename, _encoding, mimeType) => {
    files.push(
      (async () => {
        const parts: Buffer[] = [];
        const file = { name, filename, mimeType };
        try {
          for await (const chunk of stream) parts.push(chunk as Buffer);
        } catch (error) {
          return { ...file, data: Buffer.concat(parts).toString('latin1'), error: (error as Error).message };
        }
        return { ...file, data: Buffer.concat(parts).toString('latin1') };
      })(),
    );
  });
  parser.on('filesLimit', () => events.push('filesLimit'));
  parser.on('fieldsLimit', () => events.push('fieldsLimit'));
  const done = new Promise<Error | null>((resolve) => {
    parser.on('error', (error) => resolve(error as Error));
    parser.on('finish', () => resolve(null));
  });
  for (const chunk of chunks) parser.write(chunk);
  parser.end();
  const error = await done;
  return { fields, files: await Promise.all(files), events, error: error?.message ?? null };
}

function part(name: string, content: string | Buffer, extra = '', boundary = BOUNDARY): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
}
const end = (boundary = BOUNDARY) => Buffer.from(`--${boundary}--\r\n`);

/** File data full of near-delimiters: "\r\n--" and every prefix of the boundary after it. */
function lookalikes(boundary: string): Buffer {
  const pieces: Buffer[] = [Buffer.from('\r')];
  for (let k = 0; k < boundary.length; k++) {
    pieces.push(Buffer.from(`\r\n--${boundary.slice(0, k)}`), Buffer.from([k, 0x0d]));
  }
  pieces.push(Buffer.from(`\r\n-\r\n--\r\r\n\n--${boundary.slice(1)}\r`));
  pieces.push(Buffer.from(`\r\n--${boundary.slice(0, -1)}\r`));
  return Buffer.concat(pieces);
}

/** Every cut of `body` into two chunks, and one byte at a time, against one chunk. */
async function expectSameAtEverySplit(body: Buffer, contentType = CT): Promise<Parsed> {
  const whole = await parse([body], contentType);
  for (let i = 1; i < body.length; i++) {
    const split = await parse([body.subarray(0, i), body.subarray(i)], contentType);
    if (JSON.stringify(split) !== JSON.stringify(whole))
      expect({ split: i, ...split }).toEqual({ split: i, ...whole });
  }
  const bytes = Array.from(body, (b) => Buffer.from([b]));
  expect(await parse(bytes, contentType)).toEqual(whole);
  return whole;
}

describe('the boundary', () => {
  it.each([
    [`multipart/form-data; boundary=${BOUNDARY}`, BOUNDARY],
    ['multipart/form-data; boundary="quoted boundary:with (chars)"', 'quoted boundary:with (chars)'],
    ['Multipart/Form-Data;charset=utf-8;  BOUNDARY=abc', 'abc'],
    ['multipart/form-data; boundary="a\\"b"', 'a"b'],
    ['multipart/form-data; boundary=a\\b', 'a\\b'],
    // WHATWG MIME type parsing, as browsers do it, ends an unclosed quoted value at the end.
    ['multipart/form-data; boundary="unclosed', 'unclosed'],
  ])('is read from %s, and a body with that boundary parses', async (header, boundary) => {
    expect(boundaryOf(header)).toBe(boundary);
    const body = Buffer.concat([part('operations', '{}', '', boundary), end(boundary)]);
    expect((await parse([body], header)).fields).toMatchObject([{ name: 'operations', value: '{}' }]);
  });

  it.each([
    '',
    'multipart/form-data',
    'multipart/form-data; boundary=',
    'multipart/form-data; boundary=""',
    'multipart/mixed; boundary=abc',
    'application/json; boundary=abc',
    'multipart/form-data boundary=abc',
  ])('is refused when unusable: %j', (header) => {
    expect(() => boundaryOf(header)).toThrow();
    expect(() => multipartParser(header, NO_LIMITS)).toThrow();
  });
});

describe('parsing', () => {
  it('reads fields and files, ignoring preamble and epilogue', async () => {
    const body = Buffer.concat([
      Buffer.from('this is the preamble\r\n'),
      part('operations', '{"a":1}'),
      part('map', 'é ✓', '\r\nContent-Type: text/plain; charset=utf-8'),
      part('0', Buffer.from([0, 1, 2, 255]), '; filename="clip.mp4"\r\nContent-Type: Video/MP4; x=y'),
      end(),
      Buffer.from('epilogue, with --b0undary-XyZ-- in it\r\n'),
    ]);
    expect(await parse([body])).toEqual({
      fields: [
        { name: 'operations', value: '{"a":1}', truncated: false, mimeType: 'text/plain' },
        { name: 'map', value: 'é ✓', truncated: false, mimeType: 'text/plain' },
      ],
      files: [{ name: '0', filename: 'clip.mp4', mimeType: 'video/mp4', data: '\x00\x01\x02\xff' }],
      events: [],
      error: null,
    });
  });

  it('gives the same parts at every split of the body into chunks', async () => {
    const body = Buffer.concat([
      Buffer.from('preamble\r\n'),
      part('operations', '{"query":"{ a }"}'),
      part('empty', ''),
      part('0', lookalikes(BOUNDARY), '; filename="a.mp4"\r\nContent-Type: video/mp4'),
      part('1', '', '; filename="empty.mp4"'),
      part('2', Buffer.from('\r\n--\r\n\r\n'), '\r\nContent-Type: application/octet-stream'),
      end(),
      Buffer.from('\r\n--epilogue'),
    ]);
    const parsed = await expectSameAtEverySplit(body);
    expect(parsed.error).toBeNull();
    expect(parsed.fields.map((f) => [f.name, f.value])).toEqual([
      ['operations', '{"query":"{ a }"}'],
      ['empty', ''],
    ]);
    expect(parsed.files).toEqual([
      { name: '0', filename: 'a.mp4', mimeType: 'video/mp4', data: lookalikes(BOUNDARY).toString('latin1') },
      { name: '1', filename: 'empty.mp4', mimeType: 'text/plain', data: '' },
      { name: '2', filename: undefined, mimeType: 'application/octet-stream', data: '\r\n--\r\n\r\n' },
    ]);
  });

  it("reads what Node's FormData encoder writes, at every split", async () => {
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({ query: 'mutation($f: File!) { up(f: $f) }', variables: { f: null } }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.f'] }));
    const request = new Request('http://x.test/', { method: 'POST', body: form });
    const contentType = request.headers.get('content-type') ?? '';
    const boundary = boundaryOf(contentType);
    const data = Buffer.concat([Buffer.from('start'), lookalikes(boundary), Buffer.alloc(40, 0x0d)]);
    const form2 = new FormData();
    for (const [k, v] of form) form2.append(k, v);
    form2.append('0', new File([data], 'vidéo ✓.mp4', { type: 'video/mp4' }));
    form2.append('1', new File([], 'nothing.mov', { type: 'video/quicktime' }));
    const encoded = new Request('http://x.test/', { method: 'POST', body: form2 });
    const type = encoded.headers.get('content-type') ?? '';
    const body = Buffer.from(await encoded.arrayBuffer());
    const parsed = await expectSameAtEverySplit(body, type);
    expect(parsed.error).toBeNull();
    expect(parsed.fields.map((f) => f.name)).toEqual(['operations', 'map']);
    expect(JSON.parse(parsed.fields[1]?.value ?? '')).toEqual({ 0: ['variables.f'] });
    expect(parsed.files).toEqual([
      { name: '0', filename: 'vidéo ✓.mp4', mimeType: 'video/mp4', data: data.toString('latin1') },
      { name: '1', filename: 'nothing.mov', mimeType: 'video/quicktime', data: '' },
    ]);
  });

  it('reads a large file in big chunks, the bytes unchanged', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7919) & 0xff;
    lookalikes(BOUNDARY).copy(data, 65536 - 5);
    const body = Buffer.concat([part('0', data, '; filename="big.mp4"'), end()]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < body.length; i += 65536) chunks.push(body.subarray(i, i + 65536));
    const parsed = await parse(chunks);
    expect(parsed.files[0]?.data.length).toBe(data.length);
    expect(parsed.files[0]?.data === data.toString('latin1')).toBe(true);
  });

  it('reads parameters: quoted with escapes, filename* before filename, no directories', async () => {
    const body = Buffer.concat([
      part('a', 'x', '; filename="say \\"hi\\".mp4"'),
      Buffer.from(
        `--${BOUNDARY}\r\ncontent-disposition: FORM-DATA;name=b; filename="plain.mp4"; filename*=UTF-8''vid%C3%A9o%20%E2%9C%93.mp4\r\n\r\nx\r\n`,
      ),
      part('c', 'x', '; filename="C:\\\\Users\\\\me\\\\clip.mp4"'),
      part('d', 'x', '; filename="../../etc/passwd"'),
      part('e', 'x', '; filename=".."'),
      part('f', 'x', '; filename=""'),
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="g";\r\n\tfilename="folded.mp4"\r\n\r\nx\r\n`,
      ),
      end(),
    ]);
    const parsed = await parse([body]);
    expect(parsed.error).toBeNull();
    expect(parsed.files.map((f) => [f.name, f.filename])).toEqual([
      ['a', 'say "hi".mp4'],
      ['b', 'vidéo ✓.mp4'],
      ['c', 'clip.mp4'],
      ['d', 'passwd'],
      ['e', ''],
      ['f', ''],
      ['g', 'folded.mp4'],
    ]);
  });

  it('skips parts without a form-data disposition', async () => {
    const body = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nno disposition\r\n`),
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: attachment; name="x"\r\n\r\nattachment\r\n`),
      Buffer.from(`--${BOUNDARY}\r\n\r\nno headers at all\r\n`),
      part('kept', 'value'),
      end(),
    ]);
    const parsed = await parse([body]);
    expect(parsed.error).toBeNull();
    expect(parsed.fields.map((f) => [f.name, f.value])).toEqual([['kept', 'value']]);
  });
});

describe('limits and errors', () => {
  it('cuts a field at fieldSize and flags it', async () => {
    const body = Buffer.concat([part('big', 'x'.repeat(100)), part('exact', 'y'.repeat(10)), end()]);
    const parsed = await parse([body.subarray(0, 50), body.subarray(50)], CT, { fieldSize: 10 });
    expect(parsed.fields).toEqual([
      { name: 'big', value: 'x'.repeat(10), truncated: true, mimeType: 'text/plain' },
      { name: 'exact', value: 'y'.repeat(10), truncated: false, mimeType: 'text/plain' },
    ]);
  });

  it('skips files and fields over their counts, reporting each limit once', async () => {
    const body = Buffer.concat([
      ...Array.from({ length: 4 }, (_, i) => part(`f${i}`, `v${i}`)),
      ...Array.from({ length: 4 }, (_, i) => part(String(i), `file${i}`, `; filename="${i}.mp4"`)),
      end(),
    ]);
    const parsed = await parse([body], CT, { fields: 2, files: 3 });
    expect(parsed.error).toBeNull();
    expect(parsed.fields.map((f) => f.name)).toEqual(['f0', 'f1']);
    expect(parsed.files.map((f) => f.data)).toEqual(['file0', 'file1', 'file2']);
    expect(parsed.events).toEqual(['fieldsLimit', 'filesLimit']);
  });

  it.each([
    ['in a file', Buffer.concat([part('a', 'x'), part('0', 'abc', '; filename="a.mp4"')]).subarray(0, -2)],
    ['after a part', Buffer.concat([part('a', 'x')])],
    ['in the headers', Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-da`)],
    ['right after a delimiter', Buffer.from(`--${BOUNDARY}`)],
    ['half-way into the closing delimiter', Buffer.concat([part('a', 'x'), Buffer.from(`--${BOUNDARY}-`)])],
    ['before anything', Buffer.alloc(0)],
    ['with another boundary', Buffer.concat([part('a', 'x', '', 'other'), end('other')])],
  ])('fails a body that ends before the closing delimiter (%s)', async (_name, body) => {
    const parsed = await parse([body]);
    expect(parsed.error).toMatch(/Unexpected end of multipart data/);
    for (const file of parsed.files) expect(file.error).toMatch(/unexpected end of multipart data/);
  });

  it('fails the file part being read when the body ends early', async () => {
    const body = Buffer.concat([part('0', 'abcdef', '; filename="a.mp4"')]).subarray(0, -4);
    const parsed = await parse([body.subarray(0, 20), body.subarray(20)]);
    expect(parsed.files).toHaveLength(1);
    expect(parsed.files[0]?.error).toBe('Part terminated early due to unexpected end of multipart data');
    // What the reader saw before the failure (if anything) is the part's start.
    expect('abcd'.startsWith(parsed.files[0]?.data ?? 'x')).toBe(true);
  });

  it("keeps at most 16 KiB of a part's header block, however it is chunked", async () => {
    // What lies beyond is dropped: here the part's disposition, so the part is skipped.
    const padded = (pad: number) =>
      Buffer.concat([
        Buffer.from(
          `--${BOUNDARY}\r\nX-Pad: ${'p'.repeat(pad)}\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n`,
        ),
        part('next', 'y'),
        end(),
      ]);
    const over = padded(17 * 1024);
    const small = [];
    for (let i = 0; i < over.length; i += 100) small.push(over.subarray(i, i + 100));
    for (const chunks of [[over], small]) {
      const parsed = await parse(chunks);
      expect(parsed.error).toBeNull();
      expect(parsed.fields.map((f) => f.name)).toEqual(['next']);
    }
    expect((await parse([padded(15 * 1024)])).fields.map((f) => f.name)).toEqual(['a', 'next']);
  });

  it.each([
    ['a header without a colon', 'Content-Disposition form-data; name="a"'],
    ['a header name with a space', 'Content Disposition: form-data; name="a"'],
    ['a bare LF', 'Content-Disposition: form-data;\n name="a"'],
  ])('skips a part whose header is malformed (%s), and reads the next', async (_name, header) => {
    const body = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\n${header}\r\n\r\nvalue\r\n`),
      part('next', 'y'),
      end(),
    ]);
    const parsed = await parse([body]);
    expect(parsed.error).toBeNull();
    expect(parsed.fields.map((f) => f.name)).toEqual(['next']);
  });

  it('goes on with the next part when a file stream is drained unread (how the uploads discard one)', async () => {
    const parser = multipartParser(CT, NO_LIMITS);
    const seen: string[] = [];
    parser.on('file', (name, stream) => {
      if (name === '0') stream.resume();
      else stream.on('data', (c: Buffer) => seen.push(c.toString()));
    });
    const closed = new Promise((resolve) => parser.on('finish', resolve));
    Readable.from([
      Buffer.concat([
        part('0', Buffer.alloc(200_000, 1), '; filename="a.mp4"'),
        part('1', 'second', '; filename="b.mp4"'),
        end(),
      ]),
    ]).pipe(parser);
    await closed;
    expect(seen.join('')).toBe('second');
  });
});

describe('backpressure', () => {
  /** A 32 MiB upload, 64 KiB per chunk, from a source that counts what the parser took. */
  function source(size: number, produced: { bytes: number }): Readable {
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="a.mp4"\r\n\r\n`,
    );
    const block = Buffer.alloc(64 * 1024, 9);
    return Readable.from(
      (function* () {
        produced.bytes += head.length;
        yield head;
        for (let sent = 0; sent < size; sent += block.length) {
          produced.bytes += block.length;
          yield block;
        }
        yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
      })(),
      { objectMode: false },
    );
  }

  it('stops reading the body while the file is not read, and keeps what it buffers bounded', async () => {
    const size = 32 * 1024 * 1024;
    const produced = { bytes: 0 };
    const parser = multipartParser(CT, NO_LIMITS);
    const file = new Promise<Readable>((resolve) => parser.on('file', (_name, stream) => resolve(stream)));
    const closed = new Promise((resolve) => parser.on('finish', resolve));
    source(size, produced).pipe(parser);
    const stream = await file;

    // Nobody reads: the parser takes a few chunks and stops.
    await sleep(100);
    const stalled = produced.bytes;
    expect(stalled).toBeLessThan(1024 * 1024);
    await sleep(50);
    expect(produced.bytes).toBe(stalled);

    // A slow reader: what the parser took and the reader has not seen stays small.
    let consumed = 0;
    let worst = 0;
    let n = 0;
    for await (const chunk of stream) {
      consumed += (chunk as Buffer).length;
      worst = Math.max(worst, produced.bytes - consumed);
      if (++n % 32 === 0) await sleep(1);
    }
    await closed;
    expect(consumed).toBe(size);
    expect(worst).toBeLessThan(1024 * 1024);
  });
});
