import { createHash } from 'node:crypto';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  ChatStreamDocument,
  DeleteVideosDocument,
  GetTranscriptionDocument,
  ListVideosDocument,
  ListVideosWithClipsDocument,
  ObtainAccessTokenDocument,
  RefreshAccessTokenDocument,
  RequestTranscriptionDocument,
  SearchClipsDocument,
  SearchVideosDocument,
  UploadVideoDocument,
} from '../operations/__generated__/graphql.js';
import { createLogger } from '../src/logger.js';
import { ECHO_FORMS } from '../src/simulator/faults.js';
import type { FaultKind, MaviEndpoint } from '../src/simulator/types.js';
import { startTracing, type Tracing } from '../src/tracing.js';
import { eventually, type Stack, startStack } from './helpers.js';

/**
 * Credential hygiene: a whole session with a known credential, written to a log at trace
 * level, and the credential (raw and as `Bearer `), a wrong key that looks just as secret,
 * and the O2O tokens appear in no log line, no response body, not in /metrics and in no
 * exported span (tracing on, to an in-memory exporter). Only the credential's id (a SHA-256
 * digest) may show.
 */
const KEY = `sk-${'5eC7e7'.repeat(5)}ab`;
const WRONG = `sk-${'0badc0de'.repeat(4)}`;
/** A credential with every character that URL-encoding, JSON and HTML write differently. */
const SPECIAL = `mavi+Key/9f8e7d6c5b4a=="&<Zq>'x\\y%41z`;
/** Shortest piece of a secret that must not show (src/mavi/scrub.ts MIN_PIECE), pinned here. */
const PIECE = 10;
const credentialId = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 32);

let stack: Stack;
const logLines: string[] = [];
/** Every response body the session received, with what produced it. */
const bodies: { what: string; text: string }[] = [];
/** The tokens obtainAccessToken handed out: secrets from then on. */
const tokens: string[] = [];
/** The O2O authorization codes sent to getAccessToken. */
const codes: string[] = [];
/** The text each streamed chat answer added up to, as a client reads it. */
const streamed: { what: string; text: string }[] = [];

const spans = new InMemorySpanExporter();
let tracing: Tracing | null = null;

beforeAll(async () => {
  tracing = await startTracing(
    { enabled: true, serviceName: 'hygiene', exporter: 'otlp', protocol: 'http/protobuf' },
    'test',
    { exporter: spans },
  );
  stack = await startStack({
    // Unknown keys get 0401 instead of an account.
    simulator: { autoRegister: false },
    env: {
      LOG_LEVEL: 'trace',
      // The session makes more calls than MAVI's per-minute quotas allow.
      MAVI_RATE_LIMITS: JSON.stringify({ searchDB: { perMinute: 10_000 }, chat: { perMinute: 10_000 } }),
    },
    gateway: { logger: createLogger('trace', { write: (line: string) => void logLines.push(line) }) },
  });
  stack.sim.createAccount({ apiKey: KEY });
  stack.sim.createAccount({ apiKey: SPECIAL });
});
afterAll(async () => {
  await stack.close();
  await tracing?.shutdown();
});

async function call(
  what: string,
  init: { body: BodyInit; headers?: Record<string, string>; path?: string; method?: string },
): Promise<string> {
  const res = await stack.gateway.yoga.fetch(`http://gateway.test${init.path ?? '/graphql'}`, {
    method: init.method ?? 'POST',
    headers: init.headers ?? {},
    body: init.body,
  });
  const text = await res.text();
  bodies.push({ what, text });
  return text;
}

function gql(
  what: string,
  document: Parameters<typeof print>[0] | string,
  variables: unknown,
  auth: string | null,
) {
  return call(what, {
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(auth === null ? {} : { authorization: auth }),
    },
  });
}

describe('a whole session', () => {
  it('runs every kind of request', async () => {
    const video = stack.sim.addVideo(KEY, {
      videoName: 'dog.mp4',
      status: 'PARSE',
      duration: 30,
      scenes: [{ start: 0, end: 10, text: 'a dog chases a ball' }],
    });
    const listed = await gql('list', ListVideosDocument, { first: 5 }, KEY);
    expect(listed).toContain('QueryVideosSuccess');
    await gql('list as Bearer', ListVideosDocument, { first: 5 }, `Bearer ${KEY}`);
    expect(await gql('search', SearchVideosDocument, { query: 'dog' }, KEY)).toContain(
      'QuerySearchVideosSuccess',
    );
    await gql('search clips', SearchClipsDocument, { query: 'dog', videoNos: [video.videoNo] }, KEY);
    await gql('clips', ListVideosWithClipsDocument, { first: 5, query: 'dog' }, KEY);
    expect(
      await gql(
        'chat',
        ChatDocument,
        { input: { videoNos: [video.videoNo], message: 'What happens?' } },
        KEY,
      ),
    ).toContain('MutationChatSuccess');
    const requested = JSON.parse(
      await gql(
        'request transcription',
        RequestTranscriptionDocument,
        { videoNo: video.videoNo, type: 'AUDIO' },
        KEY,
      ),
    );
    const taskNo = requested.data.requestTranscription.data.taskNo as string;
    await eventually(async () => {
      const text = await gql('transcription', GetTranscriptionDocument, { taskNo }, KEY);
      return text.includes('FINISH') ? true : undefined;
    });

    // An upload, as a GraphQL multipart request.
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new File([new Uint8Array(2048)], 'clip.mp4', { type: 'video/mp4' }));
    expect(
      await call('upload', { body: form, headers: { authorization: KEY, 'graphql-preflight': '1' } }),
    ).toContain('MutationUploadVideoSuccess');
    expect(await gql('delete', DeleteVideosDocument, { videoNos: [video.videoNo] }, KEY)).toContain(
      'MutationDeleteVideosSuccess',
    );

    // Forced upstream failures: an HTTP error, a rate limit, a body that is not MAVI's.
    stack.sim.injectFault({
      credential: KEY,
      endpoint: 'searchDB',
      times: 1,
      kind: { type: 'http', status: 503 },
    });
    expect(await gql('list after 503', ListVideosDocument, { first: 1 }, KEY)).toContain('UpstreamError');
    stack.sim.injectFault({
      credential: KEY,
      endpoint: 'searchAI',
      times: 1,
      kind: { type: 'code', code: '0429' },
    });
    expect(await gql('search after 0429', SearchVideosDocument, { query: 'x' }, KEY)).toContain(
      'RateLimitedError',
    );
    stack.sim.injectFault({
      credential: KEY,
      endpoint: 'searchDB',
      times: 1,
      kind: { type: 'body', body: 'html' },
    });
    await gql('list after html', ListVideosDocument, { first: 1 }, KEY);

    // Malformed requests.
    await call('not JSON', {
      body: '{"query": "{ __typename',
      headers: { 'content-type': 'application/json', authorization: KEY },
    });
    await gql('syntax error', '{ videos( }', {}, KEY);
    await gql('unknown field', '{ secrets }', {}, KEY);
    await gql(
      'too deep',
      '{ video(videoNo: "v") { ... on QueryVideoSuccess { data { clips(query: "a") { ... on VideoClipsSuccess { data { video { clips(query: "a") { ... on VideoClipsSuccess { data { video { clips(query: "a") { __typename } } } } } } } } } } } } }',
      {},
      KEY,
    );
    // A browser's Basic credential is no proof of a preflight: refused as CSRF, and the key in it never logged.
    await call('CSRF', {
      body: form,
      headers: { authorization: `Basic ${Buffer.from(`u:${KEY}`).toString('base64')}` },
    });
    await gql('malformed header', ListVideosDocument, { first: 1 }, `Bearer ${KEY} ${KEY}`);

    // A wrong key that looks every bit as secret as the real one, raw and as Bearer.
    expect(await gql('wrong key', ListVideosDocument, { first: 1 }, WRONG)).toContain('UnauthorizedError');
    expect(await gql('wrong Bearer', SearchVideosDocument, { query: 'x' }, `Bearer ${WRONG}`)).toContain(
      'UnauthorizedError',
    );

    // O2O tokens: obtained, used, refreshed.
    const { clientId, code } = stack.sim.issueAuthCode(KEY);
    codes.push(code);
    const obtained = JSON.parse(
      await gql('obtain token', ObtainAccessTokenDocument, { clientId, code }, null),
    );
    const { accessToken, refreshToken } = obtained.data.obtainAccessToken.data as {
      accessToken: string;
      refreshToken: string;
    };
    tokens.push(accessToken, refreshToken);
    expect(await gql('list with token', ListVideosDocument, { first: 1 }, `Bearer ${accessToken}`)).toContain(
      'QueryVideosSuccess',
    );
    const refreshed = JSON.parse(
      await gql('refresh token', RefreshAccessTokenDocument, { refreshToken }, null),
    );
    tokens.push(refreshed.data.refreshAccessToken.data.accessToken as string);
    await gql('bad refresh', RefreshAccessTokenDocument, { refreshToken: `${refreshToken}x` }, null);

    await call('metrics', { path: '/metrics', method: 'GET', body: null as unknown as BodyInit });
    await call('ready', { path: '/ready', method: 'GET', body: null as unknown as BodyInit });
    expect(logLines.length).toBeGreaterThan(50);
    // The secrets did travel: MAVI received each of them.
    const sent = new Set(stack.sim.calls.map((c) => c.authorization));
    for (const secret of [KEY, WRONG, accessToken]) expect(sent.has(secret)).toBe(true);
  });

  it('goes on while MAVI echoes the secrets back in every way it might', async () => {
    const video = stack.sim.addVideo(KEY, { status: 'PARSE', scenes: [{ start: 0, end: 9, text: 'a dog' }] });
    const echo = (credential: string | undefined, endpoint: MaviEndpoint, kind: FaultKind) =>
      stack.sim.injectFault({ ...(credential ? { credential } : {}), endpoint, times: 1, kind });

    // Every place and every form, on a read, with both credentials.
    for (const key of [KEY, SPECIAL]) {
      for (const where of ['msg', 'code', 'data', 'html', 'header'] as const) {
        for (const form of ECHO_FORMS) {
          echo(key, 'searchDB', { type: 'echo', where, form });
          const text = await gql(`echo ${where} ${form}`, ListVideosDocument, { first: 5 }, key);
          expect(text, `${where} ${form}`).toMatch(/"__typename":"(QueryVideosSuccess|\w+Error)"/);
        }
      }
    }
    // In each endpoint's data, and in each MAVI code's msg.
    const calls: [string, MaviEndpoint, () => Promise<string>][] = [
      ['search', 'searchAI', () => gql('echo search', SearchVideosDocument, { query: 'dog' }, KEY)],
      [
        'clips',
        'searchVideoFragment',
        () => gql('echo clips', SearchClipsDocument, { query: 'dog', videoNos: [video.videoNo] }, KEY),
      ],
      [
        'chat',
        'chat',
        () => gql('echo chat', ChatDocument, { input: { videoNos: [video.videoNo], message: 'What?' } }, KEY),
      ],
      [
        'transcribe',
        'subTranscription',
        () =>
          gql(
            'echo transcribe',
            RequestTranscriptionDocument,
            { videoNo: video.videoNo, type: 'AUDIO' },
            KEY,
          ),
      ],
      [
        'transcription',
        'getTranscription',
        () => gql('echo transcription', GetTranscriptionDocument, { taskNo: 'project_1' }, KEY),
      ],
      [
        'delete',
        'delete',
        () => gql('echo delete', DeleteVideosDocument, { videoNos: ['mavi_video_1'] }, KEY),
      ],
    ];
    for (const [name, endpoint, run] of calls) {
      for (const form of ['raw', 'masked', 'unicode'] as const) {
        echo(KEY, endpoint, { type: 'echo', where: 'data', form });
        expect(await run(), `${name} data ${form}`).not.toContain('Unexpected error');
      }
      for (const code of ['0001', '0401', '0403', '0409', '0429', '0777']) {
        echo(KEY, endpoint, { type: 'echo', where: 'msg', form: 'bearer', code });
        await run();
      }
    }

    // The token calls: their authorization code and refresh token echoed back.
    for (const where of ['msg', 'code', 'data', 'html'] as const) {
      for (const form of ['raw', 'upper', 'masked', 'json'] as const) {
        const grant = stack.sim.issueAuthCode(KEY);
        codes.push(grant.code);
        echo(undefined, 'getAccessToken', { type: 'echo', where, form });
        await gql(`echo obtain ${where} ${form}`, ObtainAccessTokenDocument, grant, null);
        const refreshToken = tokens[1] as string;
        echo(undefined, 'refreshAccessToken', { type: 'echo', where, form });
        await gql(
          `echo refresh ${where} ${form}`,
          'mutation ($refreshToken: String!) { refreshAccessToken(refreshToken: $refreshToken) { __typename ... on MutationRefreshAccessTokenSuccess { data { accessToken refreshToken tokenType } } ... on Error { code message } } }',
          { refreshToken },
          null,
        );
      }
    }

    // Mid chat stream: whole, reformatted, and split across deltas of a few characters.
    const streams: FaultKind[] = [
      { type: 'echo', where: 'stream', form: 'raw' },
      { type: 'echo', where: 'stream', form: 'upper', afterChunks: 2 },
      { type: 'echo', where: 'stream', form: 'masked' },
      { type: 'echo', where: 'stream', form: 'raw', pieceChars: 3 },
      { type: 'echo', where: 'stream', form: 'bearer', pieceChars: 7 },
    ];
    for (const [i, kind] of streams.entries()) {
      echo(KEY, 'chat', kind);
      const text = await call(`echo stream ${i}`, {
        body: JSON.stringify({
          query: print(ChatStreamDocument),
          variables: { input: { videoNos: [video.videoNo], message: 'What happens?' } },
        }),
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: KEY },
      });
      const deltas = text
        .split('\n')
        .filter((line) => line.startsWith('data:') && line.slice(5).trim() !== '')
        .map((line) => JSON.parse(line.slice(5)) as { data?: { chatStream?: { data?: { delta?: string } } } })
        .map((event) => event.data?.chatStream?.data?.delta ?? '');
      expect(deltas.length, `stream ${i}`).toBeGreaterThan(3);
      streamed.push({ what: `echo stream ${i}`, text: deltas.join('') });
    }
    stack.sim.clearFaults();
    await call('metrics after echoes', {
      path: '/metrics',
      method: 'GET',
      body: null as unknown as BodyInit,
    });
  });

  const secrets = (): [string, string][] => [
    ['the API key', KEY],
    ['the Bearer form', `Bearer ${KEY}`],
    ['the wrong key', WRONG],
    ['the special key', SPECIAL],
    ...tokens.map((t, i): [string, string] => [`O2O token ${i}`, t]),
    ...codes.map((c, i): [string, string] => [`O2O code ${i}`, c]),
  ];

  /**
   * Where a secret shows in `text`: whole, or any piece of PIECE characters of it, compared
   * case-blind, raw or as URL-encoding or JSON would write it; undefined when nowhere.
   */
  function leak(text: string, secret: string): string | undefined {
    const haystack = text.toLowerCase();
    // The Bearer form's pieces are the key's (checked on their own), or " sk-…" across the prefix.
    if (secret.startsWith('Bearer ')) return haystack.includes(secret.toLowerCase()) ? secret : undefined;
    const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
    for (const form of forms) {
      const lower = form.toLowerCase();
      if (haystack.includes(lower)) return form;
      for (let i = 0; i + PIECE <= lower.length; i++) {
        if (haystack.includes(lower.slice(i, i + PIECE))) return lower.slice(i, i + PIECE);
      }
    }
    return undefined;
  }

  it('leaves no secret, nor a piece of one, in any log line, at trace level', () => {
    const log = logLines.join('\n');
    for (const [name, secret] of secrets()) expect(leak(log, secret), name).toBeUndefined();
  });

  it('leaves no secret, nor a piece of one, in any response body, error messages included', () => {
    expect(bodies.filter((b) => b.what.startsWith('echo')).length).toBeGreaterThan(150);
    for (const { what, text } of [...bodies, ...streamed]) {
      for (const [name, secret] of secrets()) {
        // The token calls answer their own tokens: that is what they are for.
        const ownAnswer = /^(echo )?(obtain|refresh)/.test(what) && name.startsWith('O2O token');
        if (!ownAnswer) expect(leak(text, secret), `${name} in ${what}`).toBeUndefined();
      }
    }
  });

  it('answers the echoes as data: typed errors, or the data with the secret removed', () => {
    const answer = (what: string) => bodies.find((b) => b.what === what)?.text ?? '';
    expect(answer('echo msg raw')).toContain('"__typename":"UnauthorizedError"');
    expect(answer('echo msg raw')).toContain('[redacted]');
    // A secret where the code goes is no code: the answer is not MAVI's envelope.
    expect(answer('echo code raw')).toContain('"code":"UPSTREAM_BAD_RESPONSE"');
    expect(answer('echo data raw')).toContain('"name":"[redacted].mp4"');
    expect(answer('echo data unicode')).toContain('"name":"[redacted].mp4"');
    expect(answer('echo html raw')).toContain('"httpStatus":502');
    expect(answer('echo header raw')).toContain('"__typename":"RateLimitedError"');
    expect(answer('echo refresh data raw')).toContain('"refreshToken":null');
    expect(streamed[0]?.text).toMatch(/Your key is \[redacted\]\. /);
  });

  it('leaves no secret, nor a piece of one, nor a credential id, in /metrics', () => {
    const scrapes = bodies.filter((b) => b.what.startsWith('metrics'));
    expect(scrapes).toHaveLength(2);
    for (const { text } of scrapes) {
      expect(text).toContain('mavi_gateway_upstream_requests_total');
      for (const [name, secret] of secrets()) expect(leak(text, secret), name).toBeUndefined();
      expect(text).not.toContain(credentialId(KEY));
      expect(text).not.toContain(credentialId(SPECIAL));
    }
  });

  it('leaves no secret, nor a piece of one, nor a file name or callback URL, in any exported span', async () => {
    await tracing?.forceFlush();
    const finished = spans.getFinishedSpans();
    expect(finished.some((s) => s.name === 'MAVI upload')).toBe(true);
    expect(finished.some((s) => s.name.startsWith('mutation '))).toBe(true);
    const text = JSON.stringify(
      finished.map((s) => [s.name, s.attributes, s.events, s.links, s.status, s.resource.attributes]),
    );
    for (const [name, secret] of secrets()) expect(leak(text, secret), name).toBeUndefined();
    expect(text).not.toContain('clip.mp4');
    expect(text).not.toContain('/webhooks/');
    // The credential as the logs show it, and only so.
    const ids = new Set(finished.map((s) => s.attributes['mavi.credential.id']).filter(Boolean));
    expect(ids).toContain(credentialId(KEY));
  });

  it('shows the credential only as its id, where a log line needs one', () => {
    const failures = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'upstream call failed');
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.map((l) => l.credentialId)).toContain(credentialId(KEY));
  });
});
