/**
 * What the fuzzer (test/fuzz.test.ts) sends: fast-check arbitraries of malformed requests to
 * /graphql and /webhooks, raw HTTP garbage, and WebSocket garbage. Each arbitrary yields a
 * recipe; bodies of a MiB or more are built only when sent, so the sampled corpus stays small.
 */
import fc from 'fast-check';
import { print } from 'graphql';
import {
  ChatDocument,
  ChatStreamDocument,
  DeleteVideosDocument,
  GetTranscriptionDocument,
  GetVideoDocument,
  ListVideosDocument,
  ListVideosWithClipsDocument,
  ObtainAccessTokenDocument,
  RefreshAccessTokenDocument,
  RequestTranscriptionDocument,
  SearchClipsDocument,
  SearchVideosDocument,
  TranscriptionProgressDocument,
  UploadVideoDocument,
  WatchVideosDocument,
} from '../operations/__generated__/graphql.js';
import type { CallbackSigner } from '../src/live/callbacks.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
/** The gateway's default MAX_BODY_BYTES. */
export const BODY_LIMIT = MiB;

export type Body = string | Buffer | (() => Buffer);

export interface FuzzRequest {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Body;
  /** Send the body without Content-Length (chunked). */
  chunked?: boolean;
  /** Send this many bytes of the body, then drop the connection (a client that went away). */
  abortAfter?: number;
}

/** Bytes written to a bare TCP socket: what an HTTP client library would refuse to send. */
export interface RawProbe {
  kind: 'raw';
  bytes: Buffer;
}

/** A WebSocket session: a subprotocol, then messages, then a close. */
export interface WsProbe {
  kind: 'ws';
  protocol: string | null;
  messages: (string | Buffer)[];
}

export interface FuzzContext {
  /** Credentials the simulator knows, so some requests reach the resolvers and MAVI. */
  keys: readonly string[];
  /** Signs webhook URLs as the gateway does (same WEBHOOK_SECRET), so bodies reach the decoder. */
  signer: CallbackSigner;
}

const BOUNDARY = 'fuzz-boundary-d6e1c0';

/** Every operation the clients send, with plausible variables to start from. */
const OPERATIONS: { query: string; variables: Record<string, unknown> }[] = [
  { query: print(ListVideosDocument), variables: { first: 5, after: null, filter: { status: 'PARSE' } } },
  { query: print(GetVideoDocument), variables: { videoNo: 'mavi_video_1' } },
  { query: print(SearchVideosDocument), variables: { query: 'a dog' } },
  { query: print(SearchClipsDocument), variables: { query: 'a dog', videoNos: ['mavi_video_1'] } },
  { query: print(ListVideosWithClipsDocument), variables: { first: 3, query: 'dog' } },
  { query: print(ChatDocument), variables: { input: { videoNos: ['mavi_video_1'], message: 'hi' } } },
  { query: print(DeleteVideosDocument), variables: { videoNos: ['mavi_video_404'] } },
  { query: print(RequestTranscriptionDocument), variables: { videoNo: 'mavi_video_1', type: 'AUDIO' } },
  { query: print(GetTranscriptionDocument), variables: { taskNo: 'project_1' } },
  { query: print(ObtainAccessTokenDocument), variables: { clientId: 'c', code: 'x' } },
  { query: print(RefreshAccessTokenDocument), variables: { refreshToken: 'r' } },
  { query: print(UploadVideoDocument), variables: { file: null } },
  { query: print(WatchVideosDocument), variables: { videoNos: ['mavi_video_1'] } },
  { query: print(ChatStreamDocument), variables: { input: { videoNos: ['mavi_video_1'], message: 'hi' } } },
  { query: print(TranscriptionProgressDocument), variables: { taskNo: 'project_1' } },
];
const LIST_VIDEOS = OPERATIONS[0] as (typeof OPERATIONS)[number];

const operation = fc.constantFrom(...OPERATIONS);

/** A value of any JSON type, with the edge cases that break coercion. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  fc.constantFrom(
    2 ** 53,
    -(2 ** 31) - 1,
    2 ** 31,
    1e308,
    -0,
    '',
    ' ',
    '\u0000',
    'null',
    '[]',
    '{}',
    '__proto__',
  ),
);

/** Header values as bytes: UTF-8 sent raw (latin1 in Node's API); control characters but tab cannot be sent. */
function headerValue(text: string): string {
  const sendable = (c: number) => c === 0x09 || (c >= 0x20 && c !== 0x7f);
  return [...Buffer.from(text, 'utf8').toString('latin1')]
    .filter((ch) => sendable(ch.charCodeAt(0)))
    .join('');
}

const accept = fc.constantFrom(
  'application/json',
  'application/graphql-response+json',
  '*/*',
  'text/html',
  'text/event-stream',
  'multipart/mixed',
  'image/png',
  '',
);

function json(kind: string, body: Body, extra: Record<string, string> = {}): FuzzRequest {
  return {
    kind,
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...extra },
    body,
  };
}

function auth(ctx: FuzzContext): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    fc.constant({}),
    fc.constantFrom(...ctx.keys).map((key) => ({ authorization: key })),
    fc.string({ maxLength: 30 }).map((s) => ({ authorization: headerValue(s) })),
  );
}

// ------------------------------------------------------------------ bodies that are not JSON

export function badJson(): fc.Arbitrary<FuzzRequest> {
  const valid = JSON.stringify({ query: LIST_VIDEOS.query, variables: LIST_VIDEOS.variables });
  return fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.integer({ min: 0, max: valid.length - 1 }).map((n) => valid.slice(0, n)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'undefined'),
      fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
      fc.record({ query: wrongValue }).map((o) => JSON.stringify(o)),
      fc
        .record({ variables: wrongValue, extensions: wrongValue, operationName: wrongValue })
        .map((o) => JSON.stringify({ query: LIST_VIDEOS.query, ...o })),
      fc.constantFrom(
        '',
        ' ',
        'null',
        '[]',
        '{}',
        '{"query":',
        '{"query":"{ __typename }"',
        '\ufeff{"query":"{ __typename }"}',
        '{"query":"{ __typename }"}garbage',
        '{"query":"{ __typename }","query":"{ videos { __typename } }"}',
        '{"__proto__":{"query":"{ __typename }"}}',
        '{"query":"\\ud800"}',
        '{"query":"{ __typename }", "variables": {"__proto__": {"polluted": true}}}',
      ),
    )
    .map((body) => json('bad JSON body', body));
}

export function wrongContentType(): fc.Arbitrary<FuzzRequest> {
  const doc = '{ videos(first: 1) { __typename } }';
  const bodies = [
    JSON.stringify({ query: doc }),
    doc,
    `query=${encodeURIComponent(doc)}`,
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: doc })}\r\n--${BOUNDARY}--\r\n`,
  ];
  return fc
    .record({
      contentType: fc.oneof(
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'application/graphql',
          'application/json; charset=utf-16',
          'application/json; charset=latin1',
          'application/json;;;',
          'APPLICATION/JSON',
          'application/x-www-form-urlencoded',
          'multipart/form-data',
          'multipart/form-data; boundary=',
          `multipart/form-data; boundary="${'b'.repeat(300)}"`,
          'multipart/mixed; boundary=x',
          'application/octet-stream',
          ' ',
        ),
        fc.string({ maxLength: 60 }).map(headerValue),
      ),
      body: fc.constantFrom(...bodies),
      preflight: fc.boolean(),
      accept,
    })
    .map(({ contentType, body, preflight, accept }) => ({
      kind: 'wrong content type',
      method: 'POST',
      path: '/graphql',
      headers: {
        'content-type': contentType,
        ...(preflight ? { 'graphql-preflight': '1' } : {}),
        ...(accept ? { accept } : {}),
      },
      body,
    }));
}

// ------------------------------------------------------------------ GraphQL that does not fit the schema

export function wrongVariables(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const variables = operation.chain((op) =>
    fc
      .oneof(
        // One variable of the wrong type, the others plausible.
        fc
          .record({
            name: fc.constantFrom(...Object.keys(op.variables), 'unknownVariable'),
            value: wrongValue,
          })
          .map(({ name, value }) => ({ ...op.variables, [name]: value })),
        // Every variable replaced.
        fc
          .tuple(...Object.keys(op.variables).map((name) => wrongValue.map((v) => [name, v] as const)))
          .map((pairs) => Object.fromEntries(pairs)),
        // null for each non-null variable.
        fc.constant(Object.fromEntries(Object.keys(op.variables).map((name) => [name, null]))),
        // The variables object itself of the wrong type.
        wrongValue,
      )
      .map((vars) => ({ query: op.query, variables: vars })),
  );
  return fc
    .record({ params: variables, auth: auth(ctx), accept })
    .map(({ params, auth, accept }) =>
      json('wrong variable types', JSON.stringify(params), { ...auth, ...(accept ? { accept } : {}) }),
    );
}

/**
 * Wide objects and long lists in every input type and list argument, under the body limit:
 * graphql-js quotes a whole offending value in each variable error, which made an object of
 * 4,000 unknown fields cost seconds (test/wide-inputs.test.ts). Built when sent.
 */
export function wideInputs(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const leaf = fc.constantFrom<(i: number) => unknown>(
    (i) => i,
    (i) => `s${i}`,
    () => null,
    () => ({ a: 1 }),
    () => [1, 2],
    (i) => `mavi_video_${i}`,
  );
  // Where the wide value goes: [operation, variables with WIDE as the placeholder].
  const places: [string, (wide: unknown) => Record<string, unknown>][] = [
    [print(ListVideosDocument), (w) => ({ filter: w })],
    [print(ListVideosDocument), (w) => ({ filter: { status: w } })],
    [print(ListVideosDocument), (w) => ({ filter: { uploadedAfter: w } })],
    [print(ListVideosDocument), (w) => ({ first: w, after: w })],
    [print(ChatDocument), (w) => ({ input: w })],
    [print(ChatDocument), (w) => ({ input: { videoNos: w, message: 'hi' } })],
    [print(ChatDocument), (w) => ({ input: { videoNos: ['mavi_video_1'], message: 'hi', history: w } })],
    [print(ChatDocument), (w) => ({ input: { videoNos: ['mavi_video_1'], message: w } })],
    [print(SearchClipsDocument), (w) => ({ query: 'dog', videoNos: w })],
    [print(SearchVideosDocument), (w) => ({ query: w })],
    [print(DeleteVideosDocument), (w) => ({ videoNos: w })],
    [print(WatchVideosDocument), (w) => ({ videoNos: w })],
    [print(RequestTranscriptionDocument), (w) => ({ videoNo: w, type: w })],
    [print(GetVideoDocument), (w) => ({ videoNo: w })],
    [print(RefreshAccessTokenDocument), (w) => ({ refreshToken: w })],
    [print(ListVideosDocument), (w) => w as Record<string, unknown>],
  ];
  return fc
    .record({
      place: fc.integer({ min: 0, max: places.length - 1 }),
      shape: fc.constantFrom('object', 'list', 'list of objects', 'object of lists'),
      size: fc.integer({ min: 500, max: 40_000 }),
      leaf,
      auth: auth(ctx),
    })
    .map(({ place, shape, size, leaf, auth }) => {
      const [query, variables] = places[place] as (typeof places)[number];
      const build = () => {
        const object = (n: number, item: (i: number) => unknown) =>
          Object.fromEntries(Array.from({ length: n }, (_, i) => [`v${i}`, item(i)]));
        const list = (n: number, item: (i: number) => unknown) =>
          Array.from({ length: n }, (_, i) => item(i));
        const wide =
          shape === 'object'
            ? object(size, leaf)
            : shape === 'list'
              ? list(size, leaf)
              : shape === 'list of objects'
                ? list(Math.ceil(size / 50), () => object(50, leaf))
                : object(Math.ceil(size / 50), () => list(50, leaf));
        const body = Buffer.from(JSON.stringify({ query, variables: variables(wide) }));
        // Under the body limit: over it is hugeStrings' case.
        return body.length < BODY_LIMIT ? body : body.subarray(0, 0);
      };
      return json(`wide input: ${shape}`, build, auth);
    });
}

/** Bodies near and over the 1 MiB limit, declared or chunked; built when sent. */
export function hugeStrings(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const sizes = fc.oneof(
    fc.integer({ min: BODY_LIMIT - 4 * KiB, max: BODY_LIMIT + 4 * KiB }),
    fc.constantFrom(BODY_LIMIT - 1, BODY_LIMIT, BODY_LIMIT + 1),
    fc.integer({ min: 512 * KiB, max: 4 * MiB }),
  );
  const where = fc.constantFrom('variable', 'document', 'comment', 'operationName', 'extensions', 'raw');
  return fc
    .record({
      size: sizes,
      where,
      chunked: fc.boolean(),
      auth: auth(ctx),
      fill: fc.constantFrom('x', 'é', '\u{1F600}'),
    })
    .map(({ size, where, chunked, auth, fill }) => ({
      ...json(`huge ${where}`, () => hugeBody(where, size, fill), auth),
      chunked,
    }));
}

function hugeBody(where: string, size: number, fill: string): Buffer {
  const filler = (n: number) => fill.repeat(Math.max(0, Math.ceil(n / Buffer.byteLength(fill)))).slice(0, n);
  const pad = (template: (s: string) => string) => {
    const overhead = Buffer.byteLength(template(''));
    const text = template(filler(Math.max(0, size - overhead)));
    return Buffer.from(text, 'utf8');
  };
  switch (where) {
    case 'variable':
      return pad((s) => JSON.stringify({ query: print(SearchVideosDocument), variables: { query: s } }));
    case 'document':
      return pad((s) => JSON.stringify({ query: `{ searchVideos(query: "${s}") { __typename } }` }));
    case 'comment':
      return pad((s) => JSON.stringify({ query: `# ${s}\n{ __typename }` }));
    case 'operationName':
      return pad((s) => JSON.stringify({ query: '{ __typename }', operationName: s }));
    case 'extensions':
      return pad((s) => JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: s } }));
    default:
      return Buffer.alloc(size, 0x5b);
  }
}

export function deepNesting(): fc.Arbitrary<FuzzRequest> {
  const depth = fc.oneof(fc.integer({ min: 9, max: 40 }), fc.integer({ min: 100, max: 20_000 }));
  const shapes = fc.constantFrom(
    'selections',
    'clips',
    'list-literal',
    'object-literal',
    'json-array',
    'json-object',
    'fragments',
  );
  return fc.record({ depth, shape: shapes }).map(({ depth, shape }) => {
    let body: string;
    switch (shape) {
      case 'selections':
        body = JSON.stringify({ query: `${'{ a '.repeat(depth)}${'}'.repeat(depth)}` });
        break;
      case 'clips': {
        const open =
          '... on QueryVideoSuccess { data { clips(query: "a") { ... on VideoClipsSuccess { data { video { ';
        const n = Math.min(depth, 600);
        body = JSON.stringify({
          query: `{ video(videoNo: "v") { ${open.repeat(n)} videoNo ${'} } } } } } '.repeat(n)} } }`,
        });
        break;
      }
      case 'list-literal':
        body = JSON.stringify({
          query: `{ videos(first: ${'['.repeat(depth)}1${']'.repeat(depth)}) { __typename } }`,
        });
        break;
      case 'object-literal':
        body = JSON.stringify({
          query: `{ videos(filter: ${'{status: '.repeat(depth)}PARSE${'}'.repeat(depth)}) { __typename } }`,
        });
        break;
      case 'json-array':
        body = `{"query":${JSON.stringify(print(DeleteVideosDocument))},"variables":{"videoNos":${'['.repeat(depth)}"v"${']'.repeat(depth)}}}`;
        break;
      case 'json-object':
        body = `{"query":"{ __typename }","extensions":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`;
        break;
      default: {
        const n = Math.min(depth, 2000);
        const fragments = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} }`);
        body = JSON.stringify({
          query: `{ ...F0 } ${fragments.join(' ')} fragment F${n} on Query { __typename }`,
        });
      }
    }
    return json(`deep ${shape}`, body);
  });
}

const identifier = fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,15}$/);

/**
 * Documents that parse (or almost) but that no client sends twice: many tokens, or a body
 * padded to the limit. Whatever the gateway keeps per document shows in its heap.
 */
export function distinctDocuments(): fc.Arbitrary<FuzzRequest> {
  return fc
    .oneof(
      fc
        .record({ prefix: identifier, aliases: fc.integer({ min: 1500, max: 3300 }) })
        .map(
          ({ prefix, aliases }) =>
            `{ ${Array.from({ length: aliases }, (_, i) => `${prefix}${i}: __typename`).join(' ')} }`,
        ),
      fc
        .record({ prefix: identifier, size: fc.integer({ min: 256 * KiB, max: BODY_LIMIT - KiB }) })
        .map(({ prefix, size }) => `{ ${prefix} ${'x'.repeat(size)}`),
    )
    .map((query) => json('large distinct documents', () => Buffer.from(JSON.stringify({ query }))));
}

export function unknownFields(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const doc = fc.oneof(
    identifier.map((f) => `{ ${f} }`),
    fc
      .tuple(identifier, wrongValue)
      .map(([arg, v]) => `{ videos(${arg}: ${JSON.stringify(v) ?? 'null'}) { __typename } }`),
    identifier.map((f) => `{ videos { ... on QueryVideosSuccess { data { ${f} } } } }`),
    identifier.map((f) => `{ videos { ${f} } }`),
    identifier.map((d) => `{ videos @${d}(if: true) { __typename } }`),
    identifier.map((t) => `{ videos { ... on ${t} { __typename } } }`),
    identifier.map((f) => `mutation { ${f}(x: 1) }`),
    identifier.map((f) => `subscription { ${f} }`),
    fc.constantFrom(
      '{ videos }',
      '{ video { __typename } }',
      '{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }',
      '{ __type(name: "Video") { name } }',
      '{ videos(first: 1, first: 2) { __typename } }',
      'query Q($a: Int) { videos(first: $b) { __typename } }',
      'query Q($a: Nope!) { __typename }',
      'query A { __typename } query A { __typename }',
      '{ a: __typename a: videos { __typename } }',
      'fragment F on Nope { x } { ...F }',
      '{ ...Missing }',
      '',
      '{',
      '}',
      '{ videos(first: 1e999) { __typename } }',
      '{ videos(first: 99999999999999999999) { __typename } }',
      '{ video(videoNo: """unterminated) { __typename } }',
      '{ video(videoNo: "\\u{D800}") { __typename } }',
    ),
  );
  return fc
    .record({ doc, operationName: fc.option(identifier, { nil: undefined }), auth: auth(ctx) })
    .map(({ doc, operationName, auth }) =>
      json('unknown fields and arguments', JSON.stringify({ query: doc, operationName }), auth),
    );
}

const dateTime = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.constantFrom(
    '',
    'NaN',
    '2024-13-45T99:99:99Z',
    '2024-02-30',
    '+275760-09-13T00:00:00.001Z',
    '-271821-04-20T00:00:00.000Z',
    '9'.repeat(400),
    '1970-01-01T00:00:00Z',
    '2024-01-01T00:00:00+25:00',
    'Tue, 01 Jan 2024',
    '0',
    '-1',
  ),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);

export function enumsAndDates(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const enumValue = fc.oneof(
    fc.constantFrom(
      'PARSE',
      'PARSE_ERROR',
      'UNPARSE',
      'FAIL',
      'parse',
      'AUDIO',
      'VIDEO',
      'FINISH',
      'true',
      'null',
    ),
    identifier,
    wrongValue,
  );
  return fc
    .oneof(
      fc
        .record({ status: enumValue, uploadedAfter: dateTime, uploadedBefore: dateTime })
        .map((filter) => ({ query: print(ListVideosDocument), variables: { first: 3, filter } })),
      fc.record({ type: enumValue }).map(({ type }) => ({
        query: print(RequestTranscriptionDocument),
        variables: { videoNo: 'v', type },
      })),
      fc.tuple(identifier, dateTime).map(([status, date]) => ({
        query: `{ videos(filter: { status: ${status}, uploadedAfter: ${JSON.stringify(date)} }) { __typename } }`,
      })),
    )
    .chain((params) =>
      auth(ctx).map((headers) => json('invalid enums and DateTimes', JSON.stringify(params), headers)),
    );
}

export function malformedCursors(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const cursor = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.base64String({ maxLength: 60 }),
    fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64')),
    fc.integer().map((n) => Buffer.from(`page:${n}`).toString('base64')),
    fc.constantFrom('', '=', '====', 'YXJyYXljb25uZWN0aW9uOi0x', 'YXJyYXljb25uZWN0aW9uOjFlOTk5', '\u0000'),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => 'A'.repeat(n)),
  );
  const first = fc.oneof(fc.integer({ min: -5, max: 300 }), fc.integer(), fc.constant(null));
  return fc
    .record({ after: cursor, first, key: fc.constantFrom(...ctx.keys) })
    .map(({ after, first, key }) =>
      json(
        'malformed cursors',
        JSON.stringify({ query: print(ListVideosDocument), variables: { first, after } }),
        { authorization: key },
      ),
    );
}

export function batches(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const member = fc.oneof(
    operation.map((op) => ({ query: op.query, variables: op.variables })),
    fc.constant({ query: '{ __typename }' }),
    wrongValue,
    fc.constant([{ query: '{ __typename }' }]),
    fc.record({ variables: wrongValue }),
  );
  return fc
    .record({
      members: fc.oneof(
        fc.array(member, { minLength: 0, maxLength: 12 }),
        fc.array(member, { minLength: 11, maxLength: 60 }),
      ),
      key: fc.constantFrom(...ctx.keys),
    })
    .map(({ members, key }) => json('batched arrays', JSON.stringify(members), { authorization: key }));
}

// ------------------------------------------------------------------ GET

export function brokenGets(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const piece = fc.oneof(
    fc.constantFrom(
      'query=%7B__typename%7D',
      'query=%',
      'query=%zz',
      'query=%E0%A4%A',
      'query=%C0%AF',
      'query=',
      'query',
      '=',
      '&&&',
      'query=%7B__typename%7D&query=%7Bvideos%7B__typename%7D%7D',
      'variables=%7Bbad',
      'variables=null',
      'variables=%5B1%2C2%5D',
      'extensions=%7B%22persistedQuery%22%3A1%7D',
      'operationName=%00',
      `query=${encodeURIComponent('mutation { deleteVideos(videoNos: ["v"]) { __typename } }')}`,
      `query=${encodeURIComponent(print(WatchVideosDocument))}`,
      'query=%7Bvideos(first%3A%22x%22)%7B__typename%7D%7D',
    ),
    fc.string({ maxLength: 40 }).map((s) => `query=${encodeURIComponent(s)}`),
    fc.string({ unit: 'binary', maxLength: 30 }).map((s) => `query=${headerValue(s).replace(/[\s#]/g, '+')}`),
    fc
      .dictionary(
        fc.constantFrom('query', 'variables', 'extensions', 'operationName'),
        fc.string({ maxLength: 30 }),
      )
      .map((d) => new URLSearchParams(d).toString()),
    fc.integer({ min: 2 * KiB, max: 20 * KiB }).map((n) => `query=${'%7B'.repeat(n / 3)}`),
  );
  return fc
    .record({
      pieces: fc.array(piece, { minLength: 1, maxLength: 4 }),
      preflight: fc.boolean(),
      accept,
      auth: auth(ctx),
      path: fc.constantFrom('/graphql', '/graphql/', '/graphql/x', '/GRAPHQL', '//graphql'),
    })
    .map(({ pieces, preflight, accept, auth, path }) => ({
      kind: 'GET with a broken query string',
      method: 'GET',
      // Node sends only bytes 0x21-0xff in a path.
      path: `${path}?${pieces.join('&')}`.replace(/[^\u0021-\u00ff]/g, '+'),
      headers: { ...(preflight ? { 'graphql-preflight': '1' } : {}), ...(accept ? { accept } : {}), ...auth },
    }));
}

// ------------------------------------------------------------------ multipart

function part(name: string, content: string | Buffer, extra = '', boundary = BOUNDARY): Buffer {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n`),
    Buffer.isBuffer(content) ? content : Buffer.from(content),
    Buffer.from('\r\n'),
  ]);
}

const filePart = (name: string, bytes: number, filename = 'clip.mp4', type = 'video/mp4') =>
  part(name, Buffer.alloc(bytes, 7), `; filename="${filename}"\r\nContent-Type: ${type}`);

const UPLOAD = print(UploadVideoDocument);
const UPLOAD_OPERATIONS = JSON.stringify({ query: UPLOAD, variables: { file: null } });
/** Three uploads in one operation, for maps that name several files. */
const THREE_UPLOADS = JSON.stringify({
  query:
    'mutation($a: File!, $b: File!, $c: File!) { a: uploadVideo(file: $a) { __typename } b: uploadVideo(file: $b) { __typename } c: uploadVideo(file: $c) { __typename } }',
  variables: { a: null, b: null, c: null },
});
const MAP = JSON.stringify({ 0: ['variables.file'] });
const end = (boundary = BOUNDARY) => Buffer.from(`--${boundary}--\r\n`);
/** A whole upload request: operations, map, then the given parts. */
const upload = (operations: string, map: string, ...files: Buffer[]) =>
  Buffer.concat([part('operations', operations), part('map', map), ...files, end()]);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** `map` values that are not JSON at all (the field once answered 500 "Unexpected error."). */
const nonJsonMap = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom(
      'not json',
      'str',
      '',
      '{',
      '{not json',
      "{'0':['variables.file']}",
      '{"0":["variables.file"]',
      '{"0":["variables.file"]}}',
      '{"0":[variables.file]}',
      '\ufeff{"0":["variables.file"]}',
      'undefined',
      'NaN',
      '0x1',
    ),
    fc.integer({ min: 1, max: MAP.length - 1 }).map((n) => MAP.slice(0, n)),
  )
  .filter((text) => !isJson(text));

/** `map` values that are JSON but not an object of keys to path arrays. */
const wrongTypedMap = fc.oneof(
  wrongValue
    .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))
    .map((v) => JSON.stringify(v) ?? 'null'),
  fc.constantFrom(
    '"variables.file"',
    '"str"',
    '1',
    '-0',
    '1e999',
    '[]',
    'null',
    'true',
    '[["variables.file"]]',
    '["0"]',
  ),
  // Entries of the wrong type, under ordinary and awkward keys.
  fc
    .record({
      key: fc.constantFrom('0', '', '__proto__', 'constructor', 'x'.repeat(200)),
      value: fc.oneof(wrongValue, fc.array(wrongValue, { maxLength: 3 }), fc.constant([])),
    })
    .map(({ key, value }) => JSON.stringify({ [key]: value })),
);

/** Operations whose placeholder a path may or may not reach. */
const placeholderOperations = fc.oneof(
  fc
    .constantFrom<unknown>(null, 'x', 0, false, {}, [], [null], [null, null], { nested: null })
    .map((file) => JSON.stringify({ query: UPLOAD, variables: { file } })),
  fc.constantFrom(
    JSON.stringify({ query: UPLOAD }),
    JSON.stringify({ query: UPLOAD, variables: null }),
    JSON.stringify({ query: UPLOAD, variables: [null] }),
    // Own keys a JSON object may hold and a path must never walk or write.
    `{"query":${JSON.stringify(UPLOAD)},"variables":{"file":null,"__proto__":null,"constructor":null,"prototype":null}}`,
    `{"query":${JSON.stringify(UPLOAD)},"variables":{"file":null,"__proto__":{"polluted":null}}}`,
  ),
);

const mapPath = fc.oneof(
  fc.constantFrom(
    'variables.file',
    'variables.nope',
    'variables.file.deeper',
    'variables.file.0',
    'variables.file.1',
    'variables.file.01',
    'variables.file.-1',
    'variables.file.1e0',
    'variables.file.length',
    'variables.file.nested',
    'variables',
    'variables.',
    '.variables.file',
    'variables..file',
    '',
    'query',
    'operationName',
    'extensions.x',
    '0.variables.file',
    '__proto__.polluted',
    'variables.__proto__',
    'variables.__proto__.polluted',
    'variables.constructor',
    'variables.constructor.prototype',
    'variables.prototype',
    'variables.toString',
    'variables.hasOwnProperty',
    `variables.${'file.'.repeat(300)}file`,
  ),
  fc
    .array(
      fc.constantFrom('variables', 'file', '0', '1', '__proto__', 'constructor', 'prototype', 'length', 'x'),
      {
        maxLength: 5,
      },
    )
    .map((segments) => segments.join('.')),
);

/** A batch of upload operations (some placeholders not null) and a map of `<index>.variables.file` paths. */
const batchedUploads = fc
  .record({
    files: fc.array(fc.constantFrom<unknown>(null, null, null, 'x', []), { minLength: 1, maxLength: 4 }),
    entries: fc.array(
      fc.record({
        key: fc.constantFrom('0', '1', '2', '3'),
        index: fc.oneof(fc.nat(5).map(String), fc.constantFrom('x', '-1', '01', '1e0', 'length', ' 0', '')),
        send: fc.nat(4),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ files, entries }) => {
    const map: Record<string, string[]> = {};
    for (const { key, index } of entries) map[key] = [...(map[key] ?? []), `${index}.variables.file`];
    return upload(
      JSON.stringify(files.map((file) => ({ query: UPLOAD, variables: { file } }))),
      JSON.stringify(map),
      // Most keys get their part; some are missing.
      ...entries.filter(({ send }) => send > 0).map(({ key }) => filePart(key, 64)),
    );
  });

/** Parts in any order and number: fields out of place or twice, files before the map, unknown or missing files. */
const PIECES = {
  operations: part('operations', THREE_UPLOADS),
  map: part('map', JSON.stringify({ 0: ['variables.a'], 1: ['variables.b'], 2: ['variables.c'] })),
  file0: filePart('0', 80),
  file1: filePart('1', 80),
  file2: filePart('2', 80),
  unknownFile: filePart('9', 80),
  fileAsText: part('1', 'a file sent without a filename'),
  operationsAsFile: filePart('operations', 40),
  junk: part('junk', 'x'),
};
const pieceSequence = fc
  .oneof(
    fc.constant(['operations', 'map', 'file0', 'file1', 'file2'] as const),
    fc.shuffledSubarray(['operations', 'map', 'file0', 'file1', 'file2'] as const),
    fc.array(fc.constantFrom(...(Object.keys(PIECES) as (keyof typeof PIECES)[])), { maxLength: 7 }),
    fc
      .array(fc.constantFrom(...(Object.keys(PIECES) as (keyof typeof PIECES)[])), { maxLength: 4 })
      .map((rest) => ['operations', 'map', ...rest] as const),
  )
  .map((names) => Buffer.concat([...names.map((name) => PIECES[name]), end()]));

export function brokenMultipart(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const recipes: fc.Arbitrary<{ shape: string; body: Body; boundary?: string; abortAfter?: number }> =
    fc.oneof(
      nonJsonMap.map((map) => ({
        shape: 'map not JSON',
        body: upload(UPLOAD_OPERATIONS, map, filePart('0', 100)),
      })),
      wrongTypedMap.map((map) => ({
        shape: 'map of the wrong type',
        body: upload(UPLOAD_OPERATIONS, map, filePart('0', 100)),
      })),
      fc
        .record({
          operations: placeholderOperations,
          paths: fc.array(mapPath, { minLength: 1, maxLength: 3 }),
          // The same path named by a second key.
          twice: fc.boolean(),
        })
        .map(({ operations, paths, twice }) => ({
          shape: 'map paths that go nowhere',
          body: upload(
            operations,
            JSON.stringify(twice ? { 0: paths, 1: paths.slice(0, 1) } : { 0: paths }),
            filePart('0', 100),
            ...(twice ? [filePart('1', 100)] : []),
          ),
        })),
      fc
        .oneof(
          fc.constantFrom(
            '{"0":["variables.file"],"1":["variables.file"]}',
            JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [i, ['variables.file']]))),
          ),
          fc
            .dictionary(fc.string({ maxLength: 5 }), fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }))
            .map((d) => JSON.stringify(d)),
        )
        .map((map) => ({
          shape: 'map pointing nowhere',
          body: upload(UPLOAD_OPERATIONS, map, filePart('0', 100)),
        })),
      fc
        .oneof(
          fc.string({ maxLength: 50 }),
          wrongValue.map((v) => JSON.stringify(v) ?? ''),
          fc.constantFrom(
            '[1]',
            '[null]',
            '[[]]',
            '[]',
            '{}',
            '[{}]',
            'true',
            '"query"',
            `[${UPLOAD_OPERATIONS},5]`,
          ),
        )
        .chain((operations) =>
          fc.constantFrom(MAP, '{}', '{"0":["0.variables.file"]}').map((map) => ({
            shape: 'bad operations',
            body: upload(operations, map, filePart('0', 100)),
          })),
        ),
      batchedUploads.map((body) => ({ shape: 'batched map paths', body })),
      pieceSequence.map((body) => ({ shape: 'parts in any order', body })),
      fc.integer({ min: 1, max: 400 }).map((cut) => {
        const whole = Buffer.concat([
          part('operations', UPLOAD_OPERATIONS),
          part('map', MAP),
          filePart('0', 2000),
        ]);
        return { shape: 'truncated', body: whole.subarray(0, Math.max(1, whole.length - cut * 7)) };
      }),
      // Cut inside a later part: one no resolver has opened yet, or one the map does not name.
      fc.integer({ min: 1, max: 1500 }).map((cut) => {
        const whole = Buffer.concat([
          PIECES.operations,
          PIECES.map,
          filePart('0', 1000),
          filePart('9', 1000),
          filePart('1', 1000),
          filePart('2', 1000),
        ]);
        return { shape: 'truncated among several files', body: whole.subarray(0, whole.length - cut * 2) };
      }),
      fc
        .constantFrom(BOUNDARY.slice(0, -1), 'other', `${BOUNDARY}x`, BOUNDARY.toUpperCase(), `"${BOUNDARY}`)
        .map((wrong) => ({
          shape: 'wrong boundary',
          boundary: wrong,
          body: upload(UPLOAD_OPERATIONS, MAP, filePart('0', 100)),
        })),
      fc.constant({
        shape: 'no boundary',
        boundary: '',
        body: Buffer.concat([part('operations', UPLOAD_OPERATIONS), end()]),
      }),
      fc
        .record({
          size: fc.integer({ min: MiB - 16, max: MiB + 64 * KiB }),
          field: fc.constantFrom('operations', 'map'),
        })
        .map(({ size, field }) => ({
          shape: `huge ${field}`,
          body: () =>
            field === 'operations'
              ? upload(
                  JSON.stringify({ query: UPLOAD, variables: { file: null }, pad: 'x'.repeat(size) }),
                  MAP,
                  filePart('0', 100),
                )
              : upload(UPLOAD_OPERATIONS, JSON.stringify({ 0: ['variables.file'], pad: 'x'.repeat(size) })),
        })),
      fc.integer({ min: 1, max: 3 }).map((n) => ({
        shape: 'files and no operations',
        body: Buffer.concat([...Array.from({ length: n }, (_, i) => filePart(String(i), 500)), end()]),
      })),
      fc.integer({ min: 11, max: 30 }).map((n) => ({
        shape: 'too many files',
        body: upload(UPLOAD_OPERATIONS, MAP, ...Array.from({ length: n }, (_, i) => filePart(String(i), 50))),
      })),
      fc.constant({
        shape: 'file that is not a video',
        body: upload(UPLOAD_OPERATIONS, MAP, filePart('0', 100, 'a.txt', 'text/plain')),
      }),
      fc.uint8Array({ maxLength: 600 }).map((bytes) => ({ shape: 'random bytes', body: Buffer.from(bytes) })),
      fc.constant({ shape: 'empty', body: '' }),
      fc.string({ maxLength: 80 }).map((header) => ({
        shape: 'garbled part headers',
        body: Buffer.concat([
          Buffer.from(`--${BOUNDARY}\r\n${headerValue(header)}\r\n\r\n${UPLOAD_OPERATIONS}\r\n`),
          part('map', MAP),
          end(),
        ]),
      })),
      fc.integer({ min: 200, max: 3000 }).map((n) => ({
        shape: 'client gone mid-file',
        abortAfter: n,
        body: upload(UPLOAD_OPERATIONS, MAP, filePart('0', 64 * KiB)),
      })),
      fc.constant({
        shape: 'batched uploads',
        body: upload(
          `[${UPLOAD_OPERATIONS},${UPLOAD_OPERATIONS}]`,
          '{"0":["0.variables.file"],"1":["1.variables.file","5.variables.file"]}',
          filePart('0', 100),
          filePart('1', 100),
        ),
      }),
    );
  return fc
    .record({
      recipe: recipes,
      preflight: fc.nat(9),
      key: fc.constantFrom(...ctx.keys),
      chunked: fc.boolean(),
    })
    .map(({ recipe, preflight, key, chunked }) => ({
      kind: `multipart: ${recipe.shape}`,
      method: 'POST',
      path: '/graphql',
      headers: {
        'content-type':
          recipe.boundary === ''
            ? 'multipart/form-data'
            : `multipart/form-data; boundary=${recipe.boundary ?? BOUNDARY}`,
        // Mostly past the CSRF check, sometimes not (403).
        ...(preflight > 0 ? { 'graphql-preflight': '1' } : {}),
        authorization: key,
      },
      body: recipe.body,
      chunked,
      ...(recipe.abortAfter !== undefined ? { abortAfter: recipe.abortAfter } : {}),
    }));
}

// ------------------------------------------------------------------ webhooks

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);
const nonce22 = fc.stringMatching(/^[A-Za-z0-9_-]{22}$/);

export function webhooks(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const purpose = fc.constantFrom('upload', 'transcription');
  // Signed as the gateway signs, for URLs it never issued (so never bound: 410).
  const signedPath = fc
    .record({ purpose, id: hex32, nonce: nonce22, cross: fc.nat(9) })
    .map(({ purpose, id, nonce, cross }) => {
      // One in ten signed for the other purpose (401).
      const signedFor = cross === 0 ? (purpose === 'upload' ? 'transcription' : 'upload') : purpose;
      return `/webhooks/mavi/${purpose}/${id}/${nonce}/${ctx.signer.sign(signedFor, id, nonce)}`;
    });
  const path = fc.oneof(
    { weight: 5, arbitrary: signedPath },
    fc
      .record({
        purpose,
        id: hex32,
        nonce: fc.oneof(nonce22, fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/)),
        token: fc.stringMatching(/^[A-Za-z0-9_-]{10,100}$/),
      })
      .map(({ purpose, id, nonce, token }) => `/webhooks/mavi/${purpose}/${id}/${nonce}/${token}`),
    fc.string({ maxLength: 60 }).map((s) => `/webhooks/${encodeURIComponent(s)}`),
    fc
      .tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 }), fc.string({ maxLength: 120 }))
      .map(([a, b, c]) => `/webhooks/mavi/${[a, b, c].map(encodeURIComponent).join('/')}`),
    fc.constantFrom(
      '/webhooks',
      '/webhooks/',
      '/webhooks/mavi/upload',
      `/webhooks/mavi/upload/${'0'.repeat(32)}/`,
      `/webhooks/mavi/upload/${'0'.repeat(32)}/${'a'.repeat(101)}`,
      `/webhooks/mavi/UPLOAD/${'0'.repeat(32)}/${'a'.repeat(20)}`,
      `/webhooks/mavi/upload/${'0'.repeat(32)}/${'a'.repeat(20)}/extra`,
      '/webhooks/mavi/upload/../../graphql',
      '/webhooks/%2e%2e/graphql',
      '/webhooks/mavi/%00',
    ),
  );
  const uploadBody = fc.record(
    {
      videoNo: fc.oneof(fc.string({ maxLength: 30 }), wrongValue),
      clientId: fc.oneof(hex32, wrongValue),
      status: fc.oneof(fc.constantFrom('PARSE', 'UNPARSE', 'FAIL', 'PARSE_ERROR', 'parse'), wrongValue),
    },
    { requiredKeys: [] },
  );
  const transcriptionBody = fc.oneof(
    fc.record(
      {
        taskNo: fc.oneof(fc.string({ maxLength: 20 }), wrongValue),
        status: fc.oneof(fc.constantFrom('FINISH', 'UNFINISHED'), wrongValue),
        type: fc.oneof(fc.constantFrom('AUDIO', 'VIDEO'), wrongValue),
        videoNo: fc.oneof(fc.string({ maxLength: 20 }), wrongValue),
        transcriptions: fc.oneof(
          fc.array(
            fc.record(
              {
                id: wrongValue,
                startTime: fc.oneof(fc.double(), wrongValue),
                endTime: wrongValue,
                content: wrongValue,
              },
              { requiredKeys: [] },
            ),
            { maxLength: 4 },
          ),
          wrongValue,
        ),
      },
      { requiredKeys: [] },
    ),
    wrongValue.map((data) => ({ code: '0000', msg: 'success', data })),
    wrongValue.map((code) => ({ code, data: {} })),
  );
  const body: fc.Arbitrary<{ body: Body; chunked: boolean }> = fc.oneof(
    { weight: 3, arbitrary: uploadBody.map((b) => ({ body: JSON.stringify(b), chunked: false })) },
    { weight: 3, arbitrary: transcriptionBody.map((b) => ({ body: JSON.stringify(b), chunked: false })) },
    fc.string({ maxLength: 100 }).map((s) => ({ body: s, chunked: false })),
    fc.uint8Array({ maxLength: 100 }).map((b) => ({ body: Buffer.from(b), chunked: false })),
    fc
      .record({ size: fc.integer({ min: MiB - 8, max: 3 * MiB }), chunked: fc.boolean() })
      .map(({ size, chunked }) => ({
        body: () =>
          Buffer.from(
            JSON.stringify({ videoNo: 'v', clientId: 'c', status: 'PARSE', pad: 'x'.repeat(size) }),
          ),
        chunked,
      })),
    fc.constant({ body: '', chunked: false }),
  );
  const method = fc.oneof(
    { weight: 8, arbitrary: fc.constant('POST') },
    fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'),
  );
  return fc
    .record({
      path,
      method,
      body,
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
    })
    .map(
      ({ path, method, body, contentType }): FuzzRequest => ({
        kind: 'webhook',
        method,
        path,
        headers: contentType ? { 'content-type': contentType } : {},
        ...(method === 'GET' || method === 'HEAD' ? {} : body),
      }),
    );
}

// ------------------------------------------------------------------ Authorization

export function randomAuthorization(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const value = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => `Bearer ${s}`),
    fc
      .constantFrom(...ctx.keys)
      .chain((key) =>
        fc.constantFrom(
          `Bearer  ${key}`,
          `bearer ${key}`,
          `BEARER ${key}`,
          `${key} `,
          ` ${key}`,
          `Bearer ${key} ${key}`,
          `Basic ${Buffer.from(`${key}:x`).toString('base64')}`,
          `Bearer\t${key}`,
          `${key.toUpperCase()}`,
          `${key},${key}`,
        ),
      ),
    fc.stringMatching(/^sk-[0-9a-f]{0,40}$/),
    fc.integer({ min: 1 * KiB, max: 15 * KiB }).map((n) => `Bearer ${'k'.repeat(n)}`),
    fc.integer({ min: 17 * KiB, max: 64 * KiB }).map((n) => 'sk-'.padEnd(n, 'é')),
  );
  return fc.record({ value, op: operation, accept }).map(({ value, op, accept }) =>
    json('random Authorization', JSON.stringify({ query: op.query, variables: op.variables }), {
      authorization: headerValue(value),
      ...(accept ? { accept } : {}),
    }),
  );
}

// ------------------------------------------------------------------ below HTTP

export function rawGarbage(): fc.Arbitrary<RawProbe> {
  const request = (head: string, body = '') => Buffer.from(`${head}\r\n\r\n${body}`, 'latin1');
  return fc
    .oneof(
      fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
      fc
        .constantFrom('-1', 'abc', '1e3', '99999999999999999999', ' 5', '2, 2', '0x10', '')
        .map((length) =>
          request(
            `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}`,
            '{}',
          ),
        ),
      fc.constant(
        request(
          'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked',
          '0\r\n\r\n',
        ),
      ),
      fc
        .constantFrom('ZZ', '-1', 'fffffffffffffffff', `5;x=${'y'.repeat(9000)}`, '')
        .map((size) =>
          request(
            'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked',
            `${size}\r\n{}\r\n0\r\n\r\n`,
          ),
        ),
      fc
        .string({ unit: 'binary', maxLength: 40 })
        .map((s) => request(`GET /graphql?query=${headerValue(s)} HTTP/1.1\r\nHost: x`)),
      fc
        .string({ maxLength: 40 })
        .map((s) =>
          request(
            `POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: ${s}\u0000${s}\r\nContent-Length: 2`,
            '{}',
          ),
        ),
      fc.constantFrom(
        request('GET /graphql HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b'),
        request('GET /graphql HTTP/9.9\r\nHost: x'),
        request('GET /graphql'),
        request('GET\t/graphql HTTP/1.1\r\nHost: x'),
        request('POST /webhooks/mavi/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10', '{'),
        request('PRI * HTTP/2.0\r\n\r\nSM'),
        request('CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1'),
        request(`GET /${'a'.repeat(70 * KiB)} HTTP/1.1\r\nHost: x`),
        request(`GET /graphql HTTP/1.1\r\n${'X-A: b\r\n'.repeat(3000)}Host: x`),
        request(
          'GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: nope',
        ),
      ),
    )
    .map((bytes) => ({ kind: 'raw', bytes }));
}

export function wsGarbage(): fc.Arbitrary<WsProbe> {
  const message = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
    wrongValue.map((payload) => JSON.stringify({ type: 'connection_init', payload })),
    fc
      .record({ id: wrongValue, payload: wrongValue })
      .map((m) => JSON.stringify({ type: 'subscribe', ...m })),
    fc
      .record({
        id: fc.string({ maxLength: 8 }),
        query: fc.oneof(fc.string({ maxLength: 40 }), fc.constant(print(WatchVideosDocument))),
      })
      .map(({ id, query }) =>
        JSON.stringify({ type: 'subscribe', id, payload: { query, variables: { videoNos: 5 } } }),
      ),
    fc.constantFrom(
      JSON.stringify({ type: 'connection_init', payload: {} }),
      JSON.stringify({ type: 'connection_init', payload: { authorization: 'x'.repeat(10_000) } }),
      JSON.stringify({ type: 'ping' }),
      JSON.stringify({ type: 'pong' }),
      JSON.stringify({ type: 'complete', id: 'nope' }),
      JSON.stringify({ type: 'subscribe', id: '1', payload: { query: '{ __typename }' } }),
      JSON.stringify({ type: 'subscribe', id: '1', payload: { query: '{ __typename }' } }),
      JSON.stringify({ type: 'next', id: '1', payload: {} }),
      'x'.repeat(2 * MiB),
    ),
  );
  return fc
    .record({
      protocol: fc.oneof(
        fc.constant('graphql-transport-ws'),
        fc.constant('graphql-ws'),
        fc.constant(null),
        fc.stringMatching(/^[a-z][a-z-]{0,20}$/),
      ),
      messages: fc.array(message, { minLength: 1, maxLength: 6 }),
    })
    .map(({ protocol, messages }) => ({ kind: 'ws', protocol, messages }));
}
