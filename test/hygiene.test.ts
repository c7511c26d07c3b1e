import { createHash } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChatDocument,
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
import { eventually, type Stack, startStack } from './helpers.js';

/**
 * Credential hygiene: a whole session with a known credential, written to a log at trace
 * level, and the credential (raw and as `Bearer `), a wrong key that looks just as secret,
 * and the O2O tokens appear in no log line, no response body and not in /metrics. Only the
 * credential's id (a SHA-256 digest) may show.
 */
const KEY = `sk-${'5eC7e7'.repeat(5)}ab`;
const WRONG = `sk-${'0badc0de'.repeat(4)}`;
const credentialId = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 32);

let stack: Stack;
const logLines: string[] = [];
/** Every response body the session received, with what produced it. */
const bodies: { what: string; text: string }[] = [];
/** The tokens obtainAccessToken handed out: secrets from then on. */
const tokens: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    // Unknown keys get 0401 instead of an account.
    simulator: { autoRegister: false },
    env: { LOG_LEVEL: 'trace' },
    gateway: { logger: createLogger('trace', { write: (line: string) => void logLines.push(line) }) },
  });
  stack.sim.createAccount({ apiKey: KEY });
});
afterAll(() => stack.close());

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

  const secrets = (): [string, string][] => [
    ['the API key', KEY],
    ['the Bearer form', `Bearer ${KEY}`],
    ['the wrong key', WRONG],
    ...tokens.map((t, i): [string, string] => [`O2O token ${i}`, t]),
  ];

  it('leaves no secret in any log line, at trace level', () => {
    const log = logLines.join('\n');
    for (const [name, secret] of secrets()) expect(log.includes(secret), name).toBe(false);
  });

  it('leaves no secret in any response body, error messages included', () => {
    for (const { what, text } of bodies) {
      for (const [name, secret] of secrets()) {
        // The token calls answer their own tokens: that is what they are for.
        const ownAnswer = (what === 'obtain token' || what === 'refresh token') && name.startsWith('O2O');
        if (!ownAnswer) expect(text.includes(secret), `${name} in ${what}`).toBe(false);
      }
    }
  });

  it('leaves no secret, nor a credential id, in /metrics', () => {
    const metrics = bodies.find((b) => b.what === 'metrics')?.text ?? '';
    expect(metrics).toContain('mavi_gateway_upstream_requests_total');
    for (const [name, secret] of secrets()) expect(metrics.includes(secret), name).toBe(false);
    expect(metrics).not.toContain(credentialId(KEY));
  });

  it('shows the credential only as its id, where a log line needs one', () => {
    const failures = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'upstream call failed');
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(failures.map((l) => l.credentialId)).toContain(credentialId(KEY));
  });
});
