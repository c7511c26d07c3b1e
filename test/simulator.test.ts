import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChatChunkWritten,
  DEMO_API_KEY,
  type RecordedCall,
  type Simulator,
  startSimulator,
} from '../src/simulator/index.js';
import type { FaultKind } from '../src/simulator/types.js';

const API = '/api/serve/video';
const PARSE_DELAY_MS = 80;
const TRANSCRIPTION_DELAY_MS = 60;

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

interface CallOptions {
  method?: string;
  body?: unknown;
  /** The Authorization header; null sends none. */
  auth?: string | null;
  rawBody?: string;
}

/** Waits until `check` returns a truthy value (polling), failing after `timeoutMs`. */
async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 2_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function lastCall(sim: Simulator): RecordedCall {
  const call = sim.calls.at(-1);
  if (!call) throw new Error('no call recorded');
  return call;
}

/** A small HTTP server that records the callbacks POSTed to it. */
async function startReceiver(): Promise<{
  url: string;
  received: Array<{ path: string; body: Record<string, unknown> }>;
  close: () => Promise<void>;
}> {
  const received: Array<{ path: string; body: Record<string, unknown> }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A multipart body generated on the fly: `size` bytes of file content, never held in memory. */
function multipartStream(boundary: string, filename: string, size: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const head = encoder.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: video/mp4\r\n\r\n',
  );
  const tail = encoder.encode(`\r\n--${boundary}--\r\n`);
  const block = new Uint8Array(64 * 1024).fill(0x6d);
  let sent = -1;
  return new ReadableStream({
    pull(controller) {
      if (sent < 0) {
        controller.enqueue(head);
        sent = 0;
      } else if (sent < size) {
        const n = Math.min(block.length, size - sent);
        controller.enqueue(block.subarray(0, n));
        sent += n;
      } else {
        controller.enqueue(tail);
        controller.close();
      }
    },
  });
}

describe('MAVI v1.0 simulator', () => {
  let sim: Simulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const extraSims: Simulator[] = [];

  async function call(sim0: Simulator, path: string, opts: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    const auth = opts.auth === undefined ? DEMO_API_KEY : opts.auth;
    if (auth !== null) headers.authorization = auth;
    let body: string | undefined = opts.rawBody;
    if (opts.body !== undefined) body = JSON.stringify(opts.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${sim0.url}${path}`, { method: opts.method ?? 'GET', headers, body });
    const text = await res.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // Not JSON: the test looks at `text`.
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  const api = (path: string, opts?: CallOptions): Promise<Answer> => call(sim, path, opts);

  /** A fresh seeded account, so tests do not see each other's uploads and deletes. */
  function freshAccount(seed = true): { apiKey: string; parsed: string[]; clientId: string } {
    const account = sim.createAccount({ seed });
    const parsed = [...account.videos.values()].filter((v) => v.status === 'PARSE').map((v) => v.videoNo);
    return { apiKey: account.apiKey, parsed, clientId: account.clientId };
  }

  async function extraSim(opts: Parameters<typeof startSimulator>[0]): Promise<Simulator> {
    const extra = await startSimulator(opts);
    extraSims.push(extra);
    return extra;
  }

  beforeAll(async () => {
    sim = await startSimulator({
      parseDelayMs: PARSE_DELAY_MS,
      transcriptionDelayMs: TRANSCRIPTION_DELAY_MS,
      chatChunkDelayMs: 5,
    });
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await Promise.all([sim.close(), receiver.close(), ...extraSims.map((extra) => extra.close())]);
  });

  describe('routing and auth', () => {
    it('answers 404 on unknown paths and 405 on wrong methods', async () => {
      expect((await api(`${API}/nope`)).status).toBe(404);
      const wrong = await api(`${API}/searchAI`);
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('POST');
    });

    it('accepts the credential with and without a Bearer prefix', async () => {
      const raw = await api(`${API}/searchDB`);
      const bearer = await api(`${API}/searchDB`, { auth: `Bearer ${DEMO_API_KEY}` });
      expect(raw.json.code).toBe('0000');
      expect(bearer.json.code).toBe('0000');
      expect(lastCall(sim).authorization).toBe(`Bearer ${DEMO_API_KEY}`);
    });

    it('answers 0401 for a missing or unknown credential, with HTTP 200', async () => {
      const missing = await api(`${API}/searchDB`, { auth: null });
      expect(missing.status).toBe(200);
      expect(missing.json.code).toBe('0401');
      expect(missing.json).not.toHaveProperty('data');
      expect((await api(`${API}/searchDB`, { auth: 'not-a-key' })).json.code).toBe('0401');
    });

    it('auto-registers MAVI-shaped keys with the sample library', async () => {
      const key = `sk-${'ab12'.repeat(8)}`;
      const answer = await api(`${API}/searchDB`, { auth: key });
      expect(answer.json.code).toBe('0000');
      const data = answer.json.data as { total: number };
      expect(data.total).toBeGreaterThanOrEqual(6);
      expect(sim.account(key)?.clientId).toMatch(/^[0-9a-f]{32}$/);
    });

    it('refuses unknown keys when autoRegister is off', async () => {
      const strict = await extraSim({ autoRegister: false });
      expect((await call(strict, `${API}/searchDB`, { auth: `sk-${'cd34'.repeat(8)}` })).json.code).toBe(
        '0401',
      );
      expect((await call(strict, `${API}/searchDB`)).json.code).toBe('0000');
    });

    it('answers 0403 for a disabled account', async () => {
      const { apiKey } = freshAccount(false);
      sim.disableAccount(apiKey);
      expect((await api(`${API}/searchDB`, { auth: apiKey })).json.code).toBe('0403');
      sim.disableAccount(apiKey, false);
      expect((await api(`${API}/searchDB`, { auth: apiKey })).json.code).toBe('0000');
    });

    it('runs the O2O token flow: latest code only, single use, refresh', async () => {
      const { apiKey } = freshAccount(false);
      const older = sim.issueAuthCode(apiKey);
      const latest = sim.issueAuthCode(apiKey);
      const stale = await api('/auth/api/token/getAccessToken', {
        method: 'POST',
        auth: null,
        body: { clientId: older.clientId, code: older.code },
      });
      expect(stale.json.code).toBe('0401');

      const granted = await api('/auth/api/token/getAccessToken', {
        method: 'POST',
        auth: null,
        body: { clientId: latest.clientId, code: latest.code },
      });
      expect(granted.json.code).toBe('0000');
      const tokens = granted.json.data as Record<string, unknown>;
      expect(tokens).toMatchObject({ type: 'Bearer', expiresIn: 7200, refreshExpiresIn: 5184000 });
      expect(typeof tokens.accessToken).toBe('string');
      expect(typeof tokens.refreshToken).toBe('string');
      const asToken = await api(`${API}/searchDB`, { auth: `Bearer ${tokens.accessToken as string}` });
      expect(asToken.json.code).toBe('0000');

      const reused = await api('/auth/api/token/getAccessToken', {
        method: 'POST',
        auth: null,
        body: { clientId: latest.clientId, code: latest.code },
      });
      expect(reused.json.code).toBe('0401');
      const missing = await api('/auth/api/token/getAccessToken', { method: 'POST', auth: null, body: {} });
      expect(missing.json.code).toBe('0001');

      const refreshed = await api('/auth/api/token/refreshAccessToken', {
        method: 'POST',
        auth: null,
        body: { refreshToken: tokens.refreshToken },
      });
      expect(refreshed.json.code).toBe('0000');
      const fresh = refreshed.json.data as Record<string, unknown>;
      expect(Object.keys(fresh).sort()).toEqual(['accessToken', 'expiresIn', 'type']);
      expect((await api(`${API}/searchDB`, { auth: fresh.accessToken as string })).json.code).toBe('0000');
      const unknown = await api('/auth/api/token/refreshAccessToken', {
        method: 'POST',
        auth: null,
        body: { refreshToken: 'nope' },
      });
      expect(unknown.json.code).toBe('0401');
    });
  });

  describe('searchDB', () => {
    let apiKey: string;
    const base = 1_700_000_000_000;

    beforeAll(() => {
      apiKey = sim.createAccount({ seed: false }).apiKey;
      for (let i = 0; i < 45; i++) {
        sim.addVideo(apiKey, {
          videoName: i % 2 === 0 ? `Beach_${i}.mp4` : `city_${i}.mp4`,
          uploadTime: base + i * 1000,
          status: i % 9 === 0 ? 'FAIL' : i % 7 === 0 ? 'UNPARSE' : 'PARSE',
        });
      }
    });

    const list = async (query: string) => {
      const answer = await api(`${API}/searchDB?${query}`, { auth: apiKey });
      return answer.json as {
        code: string;
        msg: string;
        data: {
          page: number;
          current: number;
          total: number;
          pageSize: number;
          videoData: Array<Record<string, unknown>>;
        };
      };
    };

    it('answers the documented shape with strings where MAVI sends strings', async () => {
      const { code, data } = await list('');
      expect(code).toBe('0000');
      expect(data).toMatchObject({ page: 3, current: 1, total: 45, pageSize: 20 });
      const first = data.videoData[0]!;
      expect(first).toMatchObject({ videoName: 'Beach_44.mp4', videoStatus: 'PARSE' });
      expect(first.uploadTime).toBe(String(base + 44_000));
      expect(typeof first.duration).toBe('string');
      expect(first.videoNo).toMatch(/^mavi_video_\d{18}$/);
    });

    it('pages with page/pageSize (pageSize as a numeric string)', async () => {
      const second = await list('page=2&pageSize=20');
      expect(second.data.videoData).toHaveLength(20);
      expect(second.data.videoData[0]!.uploadTime).toBe(String(base + 24_000));
      const third = await list('page=3&pageSize=20');
      expect(third.data).toMatchObject({ page: 3, current: 3, total: 45 });
      expect(third.data.videoData).toHaveLength(5);
      expect((await list('page=9')).data.videoData).toHaveLength(0);
      expect((await list('pageSize=200')).data.videoData).toHaveLength(45);
    });

    it('refuses out-of-range or non-numeric paging with 0001', async () => {
      for (const query of [
        'pageSize=0',
        'pageSize=201',
        'pageSize=abc',
        'page=0',
        'page=1.5',
        'startTime=soon',
      ]) {
        expect((await list(query)).code, query).toBe('0001');
      }
    });

    it('filters by inclusive time bounds, status (PARSE_ERROR = FAIL) and name', async () => {
      const bounded = await list(`startTime=${base + 10_000}&endTime=${base + 14_000}`);
      expect(bounded.data.videoData.map((v) => v.uploadTime)).toEqual(
        [14, 13, 12, 11, 10].map((i) => String(base + i * 1000)),
      );
      const failed = await list('videoStatus=FAIL');
      expect(failed.data.total).toBe(5);
      expect(failed.data.videoData.every((v) => v.videoStatus === 'FAIL')).toBe(true);
      expect((await list('videoStatus=PARSE_ERROR')).data.total).toBe(5);
      const unparsed = await list('videoStatus=UNPARSE');
      expect(
        unparsed.data.videoData.every((v) => v.videoStatus === 'UNPARSE' && v.duration === undefined),
      ).toBe(true);
      expect((await list('videoStatus=DONE')).code).toBe('0001');
      const named = await list('videoName=beach&pageSize=5&page=2');
      expect(named.data).toMatchObject({ total: 23, page: 5, current: 2 });
      expect(named.data.videoData.every((v) => String(v.videoName).startsWith('Beach_'))).toBe(true);
    });

    it('orders by uploadTime then videoNo, both descending', async () => {
      const { apiKey: key } = freshAccount(false);
      const a = sim.addVideo(key, { uploadTime: base });
      const b = sim.addVideo(key, { uploadTime: base });
      const c = sim.addVideo(key, { uploadTime: base + 1 });
      const answer = await api(`${API}/searchDB`, { auth: key });
      const order = (answer.json.data as { videoData: Array<{ videoNo: string }> }).videoData.map(
        (v) => v.videoNo,
      );
      expect(order).toEqual([c.videoNo, b.videoNo, a.videoNo]);
    });
  });

  describe('searchAI and searchVideoFragment', () => {
    it('searchAI returns matching PARSE videos best first, without a score', async () => {
      const answer = await api(`${API}/searchAI`, {
        method: 'POST',
        body: { searchValue: 'dog chasing a ball in the park' },
      });
      expect(answer.json.code).toBe('0000');
      const videos = (answer.json.data as { videos: Array<Record<string, unknown>> }).videos;
      expect(videos[0]).toMatchObject({ videoName: 'golden_retriever_park.mp4', videoStatus: 'PARSE' });
      expect(typeof videos[0]!.uploadTime).toBe('string');
      expect(typeof videos[0]!.duration).toBe('string');
      expect(videos[0]).not.toHaveProperty('score');
      expect(videos.every((v) => v.videoStatus === 'PARSE')).toBe(true);
      expect((await api(`${API}/searchAI`, { method: 'POST', body: { searchValue: '' } })).json.code).toBe(
        '0001',
      );
      expect((await api(`${API}/searchAI`, { method: 'POST', body: {} })).json.code).toBe('0001');
    });

    it('searchVideoFragment returns one entry per matching scene with string times and a score', async () => {
      const { apiKey, parsed } = freshAccount();
      const answer = await api(`${API}/searchVideoFragment`, {
        method: 'POST',
        auth: apiKey,
        body: {
          videoNos: [...parsed, 'mavi_video_000000000000000000'],
          searchValue: 'goalkeeper saves a penalty',
        },
      });
      expect(answer.json.code).toBe('0000');
      const videos = (answer.json.data as { videos: Array<Record<string, unknown>> }).videos;
      expect(videos.length).toBeGreaterThan(0);
      const best = videos[0]!;
      expect(best).toMatchObject({
        videoName: 'sunday_league_soccer_final.mp4',
        fragmentStartTime: '320.0',
        fragmentEndTime: '430.0',
        score: 1,
      });
      const scores = videos.map((v) => v.score as number);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
      expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
    });

    it('searchVideoFragment validates videoNos (1..50 strings)', async () => {
      const post = (body: unknown) => api(`${API}/searchVideoFragment`, { method: 'POST', body });
      expect((await post({ videoNos: [], searchValue: 'x' })).json.code).toBe('0001');
      expect((await post({ videoNos: 'mavi_video_1', searchValue: 'x' })).json.code).toBe('0001');
      expect((await post({ videoNos: [1], searchValue: 'x' })).json.code).toBe('0001');
      const many = Array.from({ length: 51 }, (_, i) => `mavi_video_${i}`);
      expect((await post({ videoNos: many, searchValue: 'x' })).json.code).toBe('0001');
      expect((await post({ videoNos: many.slice(0, 50), searchValue: 'x' })).json.code).toBe('0000');
    });
  });

  describe('chat', () => {
    it('answers with data.msg when stream is false, from the relevant scenes', async () => {
      const { apiKey, parsed } = freshAccount();
      const answer = await api(`${API}/chat`, {
        method: 'POST',
        auth: apiKey,
        body: { videoNos: parsed, message: 'How is the guanciale cooked?', history: [], stream: false },
      });
      expect(answer.json.code).toBe('0000');
      expect(answer.headers.get('content-type')).toContain('application/json');
      expect((answer.json.data as { msg: string }).msg).toContain('guanciale');
    });

    it('validates the request and needs PARSE videos of the account', async () => {
      const { apiKey, parsed } = freshAccount();
      // Added directly, it stays UNPARSE (a seeded one turns PARSE after the parse delay, which a
      // loaded machine can reach before the last request below).
      const unparsed = sim.addVideo(apiKey, { status: 'UNPARSE' });
      const post = (body: unknown) => api(`${API}/chat`, { method: 'POST', auth: apiKey, body });
      const ok = { videoNos: parsed.slice(0, 1), message: 'hi', stream: false };
      expect((await post(ok)).json.code).toBe('0000');
      expect((await post({ ...ok, stream: undefined })).json.code).toBe('0001');
      expect((await post({ ...ok, stream: 'yes' })).json.code).toBe('0001');
      expect((await post({ ...ok, message: '' })).json.code).toBe('0001');
      expect((await post({ ...ok, videoNos: [] })).json.code).toBe('0001');
      expect((await post({ ...ok, history: [{ user: 'q' }] })).json.code).toBe('0001');
      expect((await post({ ...ok, videoNos: [unparsed.videoNo] })).json.code).toBe('0001');
      expect((await post({ ...ok, videoNos: ['mavi_video_000000000000000001'] })).json.code).toBe('0001');
      expect((await post({ ...ok, history: [{ user: 'q', robot: 'a' }] })).json.code).toBe('0000');
    });

    it('puts a data: prefix on the non-streamed body when chatDataPrefix is set', async () => {
      const prefixed = await extraSim({ chatDataPrefix: true });
      const videoNo = [...prefixed.demoAccount.videos.values()].find((v) => v.status === 'PARSE')!.videoNo;
      const answer = await call(prefixed, `${API}/chat`, {
        method: 'POST',
        body: { videoNos: [videoNo], message: 'what happens?', stream: false },
      });
      expect(answer.text.startsWith('data:{')).toBe(true);
      const envelope = JSON.parse(answer.text.slice('data:'.length)) as {
        code: string;
        data: { msg: string };
      };
      expect(envelope.code).toBe('0000');
      expect(envelope.data.msg.length).toBeGreaterThan(10);
    });

    it('streams deltas as text/event-stream that add up to the non-streamed answer', async () => {
      const { apiKey, parsed } = freshAccount();
      const body = { videoNos: parsed.slice(0, 2), message: 'what is boiling in the pot?' };
      const whole = await api(`${API}/chat`, {
        method: 'POST',
        auth: apiKey,
        body: { ...body, stream: false },
      });
      const streamed = await api(`${API}/chat`, {
        method: 'POST',
        auth: apiKey,
        body: { ...body, stream: true },
      });
      expect(streamed.headers.get('content-type')).toBe('text/event-stream');
      const events = streamed.text
        .split('\n\n')
        .filter((e) => e !== '')
        .map((e) => {
          expect(e.startsWith('data:')).toBe(true);
          return JSON.parse(e.slice(5)) as { code: string; msg: string; data: { msg: string } };
        });
      expect(events.length).toBeGreaterThan(3);
      expect(events.every((e) => e.code === '0000' && e.msg === 'success')).toBe(true);
      expect(events.map((e) => e.data.msg).join('')).toBe((whole.json.data as { msg: string }).msg);
    });

    it('stream-error sends the good chunks, then one chunk with the code', async () => {
      const { apiKey, parsed } = freshAccount();
      sim.injectFault({
        endpoint: 'chat',
        credential: apiKey,
        times: 1,
        kind: { type: 'stream-error', code: '0429', afterChunks: 2 },
      });
      const body = { videoNos: parsed.slice(0, 1), message: 'what happens?', stream: true };
      const streamed = await api(`${API}/chat`, { method: 'POST', auth: apiKey, body });
      const events = streamed.text
        .split('\n\n')
        .filter((e) => e !== '')
        .map((e) => JSON.parse(e.slice(5)) as { code: string; msg: string });
      expect(events.map((e) => e.code)).toEqual(['0000', '0000', '0429']);
      expect(events[2]!.msg).toBe('Request has exceeded the limit.');
      expect(lastCall(sim)).toMatchObject({ endpoint: 'chat', code: '0429', done: true, aborted: false });
      // times: 1 used up, the next stream is clean; stream=false never consumed it.
      const again = await api(`${API}/chat`, { method: 'POST', auth: apiKey, body });
      expect(again.text).not.toContain('0429');
    });

    it('reports each streamed chunk to onChatChunk once it is written', async () => {
      const seen: ChatChunkWritten[] = [];
      const extra = await extraSim({ chatChunkDelayMs: 1, onChatChunk: (chunk) => void seen.push(chunk) });
      const account = extra.createAccount();
      const parsed = [...account.videos.values()].filter((v) => v.status === 'PARSE').map((v) => v.videoNo);
      const res = await fetch(`${extra.url}${API}/chat`, {
        method: 'POST',
        headers: { authorization: account.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ videoNos: parsed.slice(0, 1), message: 'what happens?', stream: true }),
      });
      const deltas = (await res.text())
        .split('\n\n')
        .filter((e) => e !== '')
        .map((e) => (JSON.parse(e.slice(5)) as { data: { msg: string } }).data.msg);
      expect(seen.map((chunk) => chunk.index)).toEqual(deltas.map((_, i) => i));
      expect(seen.map((chunk) => chunk.text)).toEqual(deltas);
      expect(
        seen.every((chunk) => chunk.call.endpoint === 'chat' && chunk.call.authorization === account.apiKey),
      ).toBe(true);
    });

    it('stops streaming and marks the call aborted when the client goes away', async () => {
      const { apiKey, parsed } = freshAccount();
      const controller = new AbortController();
      const res = await fetch(`${sim.url}${API}/chat`, {
        method: 'POST',
        headers: { authorization: apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ videoNos: parsed, message: 'what happens in these videos?', stream: true }),
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      await reader.read();
      controller.abort();
      const chatCall = await waitFor(() => sim.calls.find((c) => c.authorization === apiKey && c.aborted));
      expect(chatCall).toMatchObject({ endpoint: 'chat', done: true });
    });
  });

  describe('transcription', () => {
    it('runs a task to FINISH and POSTs the unwrapped data to callBackURI', async () => {
      const { apiKey, parsed } = freshAccount();
      const videoNo = parsed[0]!;
      const submitted = await api(`${API}/subTranscription`, {
        method: 'POST',
        auth: apiKey,
        body: { videoNo, type: 'AUDIO', callBackURI: `${receiver.url}/transcribed` },
      });
      expect(submitted.json.code).toBe('0000');
      const { taskNo } = submitted.json.data as { taskNo: string };
      expect(taskNo).toMatch(/^project_\d{18}$/);

      const get = () => api(`${API}/getTranscription?taskNo=${taskNo}`, { auth: apiKey });
      const pending = (await get()).json.data as Record<string, unknown>;
      expect(pending).toEqual({ taskNo, status: 'UNFINISHED', type: 'AUDIO', videoNo, transcriptions: [] });

      const delivered = await waitFor(() => receiver.received.find((r) => r.path === '/transcribed'));
      expect(delivered.body).toMatchObject({ taskNo, status: 'FINISH', type: 'AUDIO', videoNo });
      expect(delivered.body).not.toHaveProperty('code');
      const finished = (await get()).json.data as {
        status: string;
        transcriptions: Array<{ id: number; startTime: number; endTime: number; content: string }>;
      };
      expect(finished.status).toBe('FINISH');
      expect(finished.transcriptions.length).toBeGreaterThanOrEqual(3);
      const first = finished.transcriptions[0]!;
      expect(first).toMatchObject({ id: 0, startTime: 0 });
      expect(typeof first.endTime).toBe('number');
      expect(first.content.length).toBeGreaterThan(0);
      const record = await waitFor(() => sim.callbacks.find((c) => c.url === `${receiver.url}/transcribed`));
      expect(record.status).toBe(200);
    });

    it('transcribes VIDEO as visual descriptions and accepts callBackUri too', async () => {
      const { apiKey, parsed } = freshAccount();
      const video = sim.account(apiKey)!.videos.get(parsed[0]!)!;
      const submitted = await api(`${API}/subTranscription`, {
        method: 'POST',
        auth: apiKey,
        body: { videoNo: video.videoNo, type: 'VIDEO', callBackUri: `${receiver.url}/video-task` },
      });
      const { taskNo } = submitted.json.data as { taskNo: string };
      await waitFor(() => receiver.received.find((r) => r.path === '/video-task'));
      const data = (await api(`${API}/getTranscription?taskNo=${taskNo}`, { auth: apiKey })).json.data as {
        transcriptions: Array<{ content: string }>;
      };
      expect(data.transcriptions.map((t) => t.content)).toEqual(video.scenes.map((s) => s.text));
    });

    it('validates type, video and task ownership', async () => {
      const { apiKey, parsed } = freshAccount();
      const other = freshAccount();
      // Added directly, it stays UNPARSE (a seeded one turns PARSE after the parse delay, which a
      // loaded machine can reach before the last request below).
      const unparsed = sim.addVideo(apiKey, { status: 'UNPARSE' });
      const submit = (body: unknown) =>
        api(`${API}/subTranscription`, { method: 'POST', auth: apiKey, body });
      expect((await submit({ videoNo: parsed[0], type: 'AUDIO/VIDEO' })).json.code).toBe('0001');
      expect((await submit({ videoNo: unparsed.videoNo, type: 'AUDIO' })).json.code).toBe('0001');
      expect((await submit({ videoNo: 'mavi_video_000000000000000002', type: 'AUDIO' })).json.code).toBe(
        '0001',
      );
      const ok = await submit({ videoNo: parsed[0], type: 'VIDEO' });
      const { taskNo } = ok.json.data as { taskNo: string };
      expect((await api(`${API}/getTranscription?taskNo=${taskNo}`, { auth: other.apiKey })).json.code).toBe(
        '0001',
      );
      expect((await api(`${API}/getTranscription?taskNo=project_1`, { auth: apiKey })).json.code).toBe(
        '0001',
      );
      expect((await api(`${API}/getTranscription`, { auth: apiKey })).json.code).toBe('0001');
    });
  });

  describe('upload', () => {
    it('streams a multipart upload, then turns UNPARSE -> PARSE with both callbacks', async () => {
      const { apiKey, clientId } = freshAccount(false);
      const boundary = `----sim${Date.now()}`;
      const size = 4 * 1024 * 1024;
      const init: RequestInit & { duplex: 'half' } = {
        method: 'POST',
        headers: { authorization: apiKey, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: multipartStream(boundary, 'Kitchen Knife Skills.mp4', size),
        duplex: 'half',
      };
      const callbackUri = `${receiver.url}/upload-1`;
      const res = await fetch(`${sim.url}${API}/upload?callBackUri=${encodeURIComponent(callbackUri)}`, init);
      const answer = (await res.json()) as { code: string; data: Record<string, unknown> };
      expect(answer.code).toBe('0000');
      expect(answer.data).toMatchObject({ videoName: 'Kitchen Knife Skills.mp4', videoStatus: 'UNPARSE' });
      expect(answer.data).not.toHaveProperty('duration');
      expect(answer.data.uploadTime).toMatch(/^\d{13}$/);
      const videoNo = answer.data.videoNo as string;
      expect(lastCall(sim).body).toEqual({
        filename: 'Kitchen Knife Skills.mp4',
        mimeType: 'video/mp4',
        bytes: size,
        aborted: false,
      });

      const listed = await api(`${API}/searchDB`, { auth: apiKey });
      const item = (listed.json.data as { videoData: Array<Record<string, unknown>> }).videoData[0]!;
      expect(item).toMatchObject({ videoNo, videoStatus: 'UNPARSE' });
      expect(item).not.toHaveProperty('duration');

      const callbacks = await waitFor(() => {
        const got = receiver.received.filter((r) => r.path === '/upload-1');
        return got.length >= 2 && got;
      });
      expect(callbacks.map((c) => c.body)).toEqual([
        { videoNo, clientId, status: 'UNPARSE' },
        { videoNo, clientId, status: 'PARSE' },
      ]);
      const video = sim.account(apiKey)!.videos.get(videoNo)!;
      expect(video.status).toBe('PARSE');
      expect(video.duration).toBeGreaterThanOrEqual(1);
      expect(video.scenes.length).toBeGreaterThan(0);
      const found = await api(`${API}/searchAI`, {
        method: 'POST',
        auth: apiKey,
        body: { searchValue: 'knife skills' },
      });
      expect((found.json.data as { videos: Array<{ videoNo: string }> }).videos[0]!.videoNo).toBe(videoNo);
    });

    it('turns a file named *fail* into FAIL', async () => {
      const { apiKey } = freshAccount(false);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(1000)], { type: 'video/mp4' }), 'will_FAIL.mp4');
      const res = await fetch(`${sim.url}${API}/upload?callBackUri=${receiver.url}/upload-fail`, {
        method: 'POST',
        headers: { authorization: apiKey },
        body: form,
      });
      const { data } = (await res.json()) as { data: { videoNo: string } };
      const final = await waitFor(() =>
        receiver.received.find((r) => r.path === '/upload-fail' && r.body.status !== 'UNPARSE'),
      );
      expect(final.body).toMatchObject({ videoNo: data.videoNo, status: 'FAIL' });
      expect(sim.account(apiKey)!.videos.get(data.videoNo)!.status).toBe('FAIL');
    });

    it('refuses non-multipart bodies and a missing file part with 0001', async () => {
      expect((await api(`${API}/upload`, { method: 'POST', body: { file: 'x' } })).json.code).toBe('0001');
      const form = new FormData();
      form.append('video', new Blob([new Uint8Array(10)]), 'a.mp4');
      const res = await fetch(`${sim.url}${API}/upload`, {
        method: 'POST',
        headers: { authorization: DEMO_API_KEY },
        body: form,
      });
      expect(((await res.json()) as { code: string }).code).toBe('0001');
    });

    it('records an aborted upload and creates no video', async () => {
      const { apiKey } = freshAccount(false);
      const boundary = 'abortboundary';
      const req = httpRequest(`${sim.url}${API}/upload`, {
        method: 'POST',
        headers: { authorization: apiKey, 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      req.on('error', () => {});
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.mp4"\r\n` +
          'Content-Type: video/mp4\r\n\r\n',
      );
      req.write(Buffer.alloc(256 * 1024));
      const uploadCall = await waitFor(() =>
        sim.calls.find(
          (c) => c.authorization === apiKey && (c.body as { bytes?: number } | undefined) !== undefined,
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      req.destroy();
      await waitFor(() => uploadCall.aborted);
      expect(uploadCall.done).toBe(true);
      expect((uploadCall.body as { aborted: boolean }).aborted).toBe(true);
      expect(sim.account(apiKey)!.videos.size).toBe(0);
    });

    it('setVideoStatus fires the upload callback', async () => {
      const { apiKey, clientId } = freshAccount(false);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(10)]), 'manual.mp4');
      const res = await fetch(`${sim.url}${API}/upload?callBackUri=${receiver.url}/manual`, {
        method: 'POST',
        headers: { authorization: apiKey },
        body: form,
      });
      const { data } = (await res.json()) as { data: { videoNo: string } };
      sim.setVideoStatus(apiKey, data.videoNo, 'FAIL');
      const got = await waitFor(() => {
        const list = receiver.received.filter((r) => r.path === '/manual');
        return list.length >= 2 && list;
      });
      expect(got[1]!.body).toEqual({ videoNo: data.videoNo, clientId, status: 'FAIL' });
      // The pending parse was cancelled by the manual change: no third callback turns it PARSE.
      await new Promise((resolve) => setTimeout(resolve, PARSE_DELAY_MS + 40));
      expect(receiver.received.filter((r) => r.path === '/manual')).toHaveLength(2);
    });

    it('turns the seeded UNPARSE video PARSE after parseDelayMs', async () => {
      const account = sim.createAccount();
      const pending = [...account.videos.values()].find((v) => v.status === 'UNPARSE')!;
      expect(pending.duration).toBeUndefined();
      await waitFor(() => pending.status === 'PARSE');
      expect(pending.duration).toBeGreaterThan(0);
      expect([...account.videos.values()].filter((v) => v.status === 'FAIL')).toHaveLength(1);
    });
  });

  describe('delete', () => {
    it('deletes a bare array, answers without data, and 0409s a second time', async () => {
      const { apiKey, parsed } = freshAccount();
      const del = (body: unknown) => api(`${API}/delete`, { method: 'DELETE', auth: apiKey, body });
      const first = await del(parsed.slice(0, 2));
      expect(first.json).toEqual({ code: '0000', msg: 'success' });
      expect(sim.account(apiKey)!.videos.has(parsed[0]!)).toBe(false);
      expect((await del(parsed.slice(0, 1))).json.code).toBe('0409');
      // All or nothing: one unknown videoNo keeps the known one.
      expect((await del([parsed[2], 'mavi_video_000000000000000003'])).json.code).toBe('0409');
      expect(sim.account(apiKey)!.videos.has(parsed[2]!)).toBe(true);
      expect((await del({ videoNos: [parsed[2]] })).json.code).toBe('0000');
    });

    it('refuses an empty list or more than 500 with 0001', async () => {
      const del = (body: unknown) => api(`${API}/delete`, { method: 'DELETE', body });
      expect((await del([])).json.code).toBe('0001');
      expect((await del(Array.from({ length: 501 }, (_, i) => `mavi_video_${i}`))).json.code).toBe('0001');
      expect((await del({ nope: true })).json.code).toBe('0001');
    });
  });

  describe('robustness', () => {
    it('answers 0001 for malformed JSON, non-object bodies and bodies over 1 MiB', async () => {
      const post = (rawBody: string) => api(`${API}/searchAI`, { method: 'POST', rawBody });
      expect((await post('{"searchValue":')).json.code).toBe('0001');
      expect((await post('[1,2]')).json.code).toBe('0001');
      expect((await post('')).json.code).toBe('0001');
      const big = JSON.stringify({ searchValue: 'x'.repeat(1024 * 1024 + 10) });
      const answer = await post(big);
      expect(answer.json.code).toBe('0001');
      expect(answer.json.msg).toContain('at most');
    });
  });

  describe('faults', () => {
    /** Each fault test uses its own credential so faults never leak into other tests. */
    const key = () => sim.createAccount().apiKey;

    it('code: answers 200 with the code, counting down times', async () => {
      const apiKey = key();
      sim.injectFault({
        endpoint: 'searchDB',
        credential: apiKey,
        times: 2,
        kind: { type: 'code', code: '0429' },
      });
      const get = () => api(`${API}/searchDB`, { auth: `Bearer ${apiKey}` });
      const first = await get();
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ code: '0429', msg: 'Request has exceeded the limit.' });
      expect(lastCall(sim)).toMatchObject({ code: '0429', httpStatus: 200, done: true });
      expect((await get()).json.code).toBe('0429');
      expect((await get()).json.code).toBe('0000');
    });

    it('code on upload answers at once and discards the body', async () => {
      const apiKey = key();
      const before = sim.account(apiKey)!.videos.size;
      sim.injectFault({
        endpoint: 'upload',
        credential: apiKey,
        kind: { type: 'code', code: '0001', msg: 'bad file' },
      });
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(2 * 1024 * 1024)]), 'x.mp4');
      const res = await fetch(`${sim.url}${API}/upload`, {
        method: 'POST',
        headers: { authorization: apiKey },
        body: form,
      });
      expect(await res.json()).toEqual({ code: '0001', msg: 'bad file' });
      expect(sim.account(apiKey)!.videos.size).toBe(before);
    });

    it("echo: writes the request's secret back where and as asked", async () => {
      const apiKey = key();
      const echo = (kind: Omit<Extract<FaultKind, { type: 'echo' }>, 'type'>) =>
        sim.injectFault({
          credential: apiKey,
          endpoint: 'searchDB',
          times: 1,
          kind: { type: 'echo', ...kind },
        });
      const get = () => api(`${API}/searchDB`, { auth: apiKey });

      echo({ where: 'msg' });
      expect((await get()).json).toEqual({
        code: '0401',
        msg: `Authorization ${apiKey} is invalid or incorrect`,
      });
      echo({ where: 'code', form: 'upper' });
      expect((await get()).json).toEqual({ code: apiKey.toUpperCase(), msg: 'error' });
      echo({ where: 'data', form: 'masked' });
      const masked = `${apiKey.slice(0, 12)}${'*'.repeat(apiKey.length - 24)}${apiKey.slice(-12)}`;
      const name = (a: { json: Record<string, unknown> }) =>
        (a.json.data as { videoData: { videoName: string }[] }).videoData[0]?.videoName;
      expect(name(await get())).toBe(`${masked}.mp4`);
      echo({ where: 'data', form: 'unicode' });
      const unicode = await get();
      expect(unicode.text).toContain('\\u0073\\u006b\\u002d');
      expect(name(unicode)).toBe(`${apiKey}.mp4`);
      echo({ where: 'html', form: 'bearer' });
      const page = await get();
      expect(page.status).toBe(502);
      expect(page.text).toContain(`Authorization: Bearer ${apiKey}</p>`);
      echo({ where: 'header' });
      const limited = await get();
      expect(limited.status).toBe(429);
      expect(limited.headers.get('x-authorization')).toBe(apiKey);
      expect(limited.headers.get('retry-after')).toBe(apiKey);

      // Mid stream, in deltas of 4 characters after one good chunk.
      const { apiKey: chatKey, parsed } = freshAccount();
      sim.injectFault({
        credential: chatKey,
        endpoint: 'chat',
        times: 1,
        kind: { type: 'echo', where: 'stream', pieceChars: 4 },
      });
      const body = { videoNos: parsed.slice(0, 1), message: 'what happens?', stream: true };
      const streamed = await api(`${API}/chat`, { method: 'POST', auth: chatKey, body });
      const deltas = streamed.text
        .split('\n\n')
        .filter((e) => e !== '')
        .map((e) => (JSON.parse(e.slice(5)) as { data: { msg: string } }).data.msg);
      expect(deltas[1]).toBe('Your key is ');
      expect(deltas[2]).toBe(chatKey.slice(0, 4));
      expect(deltas.join('')).toContain(`Your key is ${chatKey}. `);

      // The token calls carry no Authorization: their code is what comes back.
      const grant = sim.issueAuthCode(apiKey);
      sim.injectFault({
        endpoint: 'getAccessToken',
        times: 1,
        kind: { type: 'echo', where: 'msg', code: '0001' },
      });
      const refused = await api('/auth/api/token/getAccessToken', {
        method: 'POST',
        auth: null,
        body: grant,
      });
      expect(refused.json).toEqual({
        code: '0001',
        msg: `Authorization ${grant.code} is invalid or incorrect`,
      });
      expect(() =>
        sim.injectFault({ kind: { type: 'echo', where: 'nowhere' } as unknown as FaultKind }),
      ).toThrow(/kind.where must be one of msg, code, data, html, header, stream; received "nowhere"/);
    });

    it('http: answers the status, body and headers', async () => {
      const apiKey = key();
      sim.injectFault({
        credential: apiKey,
        kind: { type: 'http', status: 503, body: 'busy', headers: { 'retry-after': '1' } },
      });
      const answer = await api(`${API}/searchDB`, { auth: apiKey });
      expect(answer.status).toBe(503);
      expect(answer.text).toBe('busy');
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(lastCall(sim)).toMatchObject({ httpStatus: 503, code: undefined });
      sim.clearFaults();
      expect((await api(`${API}/searchDB`, { auth: apiKey })).status).toBe(200);
    });

    it('delay: waits, then the next matching fault still applies', async () => {
      const apiKey = key();
      sim.injectFault({ credential: apiKey, times: 1, kind: { type: 'delay', ms: 120 } });
      sim.injectFault({ credential: apiKey, times: 1, kind: { type: 'code', code: '0403' } });
      const started = Date.now();
      const answer = await api(`${API}/searchDB`, { auth: apiKey });
      expect(Date.now() - started).toBeGreaterThanOrEqual(110);
      expect(answer.json.code).toBe('0403');
      expect((await api(`${API}/searchDB`, { auth: apiKey })).json.code).toBe('0000');
    });

    it('body: html, truncated, empty, garbage, wrong-types, not-envelope', async () => {
      const apiKey = key();
      const once = (body: 'html' | 'truncated' | 'empty' | 'garbage' | 'wrong-types' | 'not-envelope') => {
        sim.injectFault({ credential: apiKey, times: 1, kind: { type: 'body', body } });
        return api(`${API}/searchDB`, { auth: apiKey });
      };
      const html = await once('html');
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toContain('text/html');
      expect(html.text).toContain('502 Bad Gateway');
      const truncated = await once('truncated');
      expect(truncated.text.startsWith('{"code":"0000"')).toBe(true);
      expect(() => JSON.parse(truncated.text)).toThrow();
      expect((await once('empty')).text).toBe('');
      const garbage = await once('garbage');
      expect(() => JSON.parse(garbage.text)).toThrow();
      const wrong = await once('wrong-types');
      expect(wrong.json.code).toBe('0000');
      expect(typeof (wrong.json.data as { videoData: unknown }).videoData).toBe('string');
      expect((await once('not-envelope')).json).toEqual({ status: 'ok' });
      expect(lastCall(sim).code).toBeUndefined();
    });

    it('wrong-types fits the endpoint (upload: uploadTime is an object)', async () => {
      const apiKey = key();
      sim.injectFault({
        endpoint: 'upload',
        credential: apiKey,
        kind: { type: 'body', body: 'wrong-types' },
      });
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(10)]), 'x.mp4');
      const res = await fetch(`${sim.url}${API}/upload`, {
        method: 'POST',
        headers: { authorization: apiKey },
        body: form,
      });
      const json = (await res.json()) as { code: string; data: { uploadTime: unknown } };
      expect(json.code).toBe('0000');
      expect(typeof json.data.uploadTime).toBe('object');
    });

    it('reset: the body is cut off by a dropped connection', async () => {
      const apiKey = key();
      sim.injectFault({ credential: apiKey, times: 1, kind: { type: 'reset' } });
      await expect(api(`${API}/searchDB`, { auth: apiKey })).rejects.toThrow();
      const recorded = await waitFor(() => sim.calls.find((c) => c.authorization === apiKey && c.done));
      expect(recorded.aborted).toBe(false);
      expect((await api(`${API}/searchDB`, { auth: apiKey })).json.code).toBe('0000');
    });

    it('hang: never answers; the call shows as pending, then aborted when the client gives up', async () => {
      const apiKey = key();
      const remove = sim.injectFault({ credential: apiKey, kind: { type: 'hang' } });
      const pending = fetch(`${sim.url}${API}/searchDB`, {
        headers: { authorization: apiKey },
        signal: AbortSignal.timeout(150),
      });
      const recorded = await waitFor(() => sim.calls.find((c) => c.authorization === apiKey));
      expect(recorded.done).toBe(false);
      await expect(pending).rejects.toThrow();
      await waitFor(() => recorded.aborted);
      remove();
      expect((await api(`${API}/searchDB`, { auth: apiKey })).json.code).toBe('0000');
    });

    it('matches faults by endpoint and credential, in insertion order', async () => {
      const apiKey = key();
      const other = key();
      sim.injectFault({
        endpoint: 'searchAI',
        credential: apiKey,
        times: 1,
        kind: { type: 'code', code: '0409' },
      });
      sim.injectFault({ credential: apiKey, times: 1, kind: { type: 'code', code: '0403' } });
      expect((await api(`${API}/searchDB`, { auth: other })).json.code).toBe('0000');
      expect(
        (await api(`${API}/searchAI`, { method: 'POST', auth: apiKey, body: { searchValue: 'dog' } })).json
          .code,
      ).toBe('0409');
      expect(
        (await api(`${API}/searchAI`, { method: 'POST', auth: apiKey, body: { searchValue: 'dog' } })).json
          .code,
      ).toBe('0403');
      expect((await api(`${API}/searchDB`, { auth: apiKey })).json.code).toBe('0000');
    });

    it('close() ends promptly with a hanging request open', async () => {
      const hanging = await startSimulator({});
      hanging.injectFault({ kind: { type: 'hang' } });
      const pending = fetch(`${hanging.url}${API}/searchDB`, { headers: { authorization: DEMO_API_KEY } });
      pending.catch(() => {});
      await waitFor(() => hanging.calls.length > 0);
      const started = Date.now();
      await hanging.close();
      expect(Date.now() - started).toBeLessThan(1_000);
      await expect(pending).rejects.toThrow();
    });
  });

  describe('control routes', () => {
    const control = (path: string, method = 'GET', body?: unknown) =>
      api(`/__sim${path}`, { method, body, auth: null });

    it('drives accounts, videos, statuses, faults, auth codes, calls and callbacks over HTTP', async () => {
      expect((await control('/health')).json.ok).toBe(true);
      const created = await control('/accounts', 'POST', { seed: false });
      const account = created.json as { apiKey: string; clientId: string; videos: unknown[] };
      expect(account.apiKey).toMatch(/^sk-[0-9a-f]{32}$/);
      expect(account.videos).toEqual([]);

      const added = await control('/videos', 'POST', {
        apiKey: account.apiKey,
        videoName: 'ctl.mp4',
        status: 'UNPARSE',
      });
      const video = added.json as { videoNo: string; status: string };
      expect(video.status).toBe('UNPARSE');
      await control('/videos/status', 'POST', {
        apiKey: account.apiKey,
        videoNo: video.videoNo,
        status: 'PARSE',
      });
      expect(sim.account(account.apiKey)!.videos.get(video.videoNo)!.status).toBe('PARSE');

      await control('/accounts/disable', 'POST', { apiKey: account.apiKey, disabled: true });
      expect((await api(`${API}/searchDB`, { auth: account.apiKey })).json.code).toBe('0403');
      await control('/accounts/disable', 'POST', { apiKey: account.apiKey, disabled: false });

      const code = (await control('/auth-codes', 'POST', { apiKey: account.apiKey })).json;
      expect(code).toMatchObject({ clientId: account.clientId });

      expect(
        (
          await control('/faults', 'POST', {
            credential: account.apiKey,
            times: 1,
            kind: { type: 'code', code: '0409' },
          })
        ).json,
      ).toEqual({ ok: true });
      expect((await api(`${API}/searchDB`, { auth: account.apiKey })).json.code).toBe('0409');
      await control('/faults', 'POST', { credential: account.apiKey, kind: { type: 'code', code: '0409' } });
      await control('/faults', 'DELETE');
      expect((await api(`${API}/searchDB`, { auth: account.apiKey })).json.code).toBe('0000');
      const badFault = await control('/faults', 'POST', { kind: { type: 'explode' } });
      expect(badFault.status).toBe(400);
      expect(badFault.json.error).toContain('explode');

      const calls = (await control('/calls')).json as unknown as RecordedCall[];
      expect(calls.at(-1)).toMatchObject({
        endpoint: 'searchDB',
        authorization: account.apiKey,
        code: '0000',
      });
      await control('/calls', 'DELETE');
      expect(sim.calls).toHaveLength(0);
      expect(Array.isArray((await control('/callbacks')).json)).toBe(true);
      expect((await control('/nope')).status).toBe(404);
    });

    it('are off when controlRoutes is false', async () => {
      const quiet = await extraSim({ controlRoutes: false });
      expect((await call(quiet, '/__sim/health', { auth: null })).status).toBe(404);
    });
  });

  describe('rate limits', () => {
    it('enforces the per-minute limits per credential and endpoint (0429)', async () => {
      const limited = await extraSim({ enforceRateLimits: true });
      const a = limited.createAccount();
      const b = limited.createAccount();
      const videoNos = [...a.videos.values()].filter((v) => v.status === 'PARSE').map((v) => v.videoNo);
      const clip = (apiKey: string) =>
        call(limited, `${API}/searchVideoFragment`, {
          method: 'POST',
          auth: apiKey,
          body: { videoNos, searchValue: 'dog' },
        });
      for (let i = 0; i < 10; i++) expect((await clip(a.apiKey)).json.code).toBe('0000');
      expect((await clip(a.apiKey)).json).toEqual({ code: '0429', msg: 'Request has exceeded the limit.' });
      expect((await clip(b.apiKey)).json.code).not.toBe('0429');
      expect((await call(limited, `${API}/searchDB`, { auth: a.apiKey })).json.code).toBe('0000');

      const transcribe = (type: string) =>
        call(limited, `${API}/subTranscription`, {
          method: 'POST',
          auth: a.apiKey,
          body: { videoNo: videoNos[0], type },
        });
      for (let i = 0; i < 20; i++) expect((await transcribe('VIDEO')).json.code).toBe('0000');
      expect((await transcribe('VIDEO')).json.code).toBe('0429');
      expect((await transcribe('AUDIO')).json.code).toBe('0000');
    });
  });
});
