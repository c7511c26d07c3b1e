/**
 * OpenTelemetry traces, for real: the gateway process exports over OTLP/HTTP to a receiver
 * in this test, in front of a simulator in this test (which records the traceparent each
 * MAVI request carried).
 */
import { createHash, randomBytes } from 'node:crypto';
import { print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ListVideosWithClipsDocument, UploadVideoDocument } from '../operations/__generated__/graphql.js';
import { Credential } from '../src/mavi/credential.js';
import { type Simulator, startSimulator } from '../src/simulator/index.js';
import { eventually } from './helpers.js';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './otlp-receiver.js';
import { type GatewayProcess, startGatewayProcess } from './processes.js';

const QUERY = print(ListVideosWithClipsDocument);
/** A variable value no span may carry. */
const SEARCH_TEXT = 'zebra-crossing-4417';

function gatewayEnv(sim: Simulator, receiver: OtlpReceiver, extra: Record<string, string> = {}) {
  return {
    MAVI_BASE_URL: sim.url,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_BSP_SCHEDULE_DELAY: '50',
    OTEL_SERVICE_NAME: 'gateway-under-test',
    MAVI_RETRY_BASE_DELAY_MS: '5',
    MAVI_RETRY_MAX_DELAY_MS: '20',
    ...extra,
  };
}

async function post(gw: GatewayProcess, body: unknown, headers: Record<string, string>) {
  const res = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { data?: unknown; errors?: unknown[] };
}

/** Every string a span holds: name, attribute values and keys, events, resource. */
function textOf(spans: readonly ReceivedSpan[]): string {
  return JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events, s.resource]));
}

const one = (spans: readonly ReceivedSpan[], predicate: (s: ReceivedSpan) => boolean): ReceivedSpan => {
  const found = spans.filter(predicate);
  expect(found, `spans: ${spans.map((s) => s.name).join(', ')}`).toHaveLength(1);
  return found[0] as ReceivedSpan;
};

describe('a query that batches, waits on the governor and retries after a 503 (http/protobuf)', () => {
  let sim: Simulator;
  let receiver: OtlpReceiver;
  let gw: GatewayProcess;
  let key: string;
  const traceId = randomBytes(16).toString('hex');
  const clientSpanId = randomBytes(8).toString('hex');
  let spans: ReceivedSpan[] = [];
  let output = '';

  beforeAll(async () => {
    sim = await startSimulator({ parseDelayMs: 50 });
    receiver = await startOtlpReceiver();
    key = sim.createAccount({ seed: true }).apiKey;
    gw = await startGatewayProcess(
      gatewayEnv(sim, receiver, {
        // 20 searchDB calls a minute: once 20 are spent, the next waits up to 3 s for a token.
        MAVI_RATE_LIMITS: JSON.stringify({ searchDB: { perMinute: 20, perDay: null } }),
        GOVERNOR_MAX_WAIT_MS: '10000',
        LOG_LEVEL: 'warn',
      }),
    );
    // Spend the searchDB bucket, one call at a time (identical calls in flight would share one).
    for (let i = 0; i < 20; i++) {
      await post(gw, { query: `{ videos(first: ${1 + (i % 5)}) { __typename } }` }, { authorization: key });
    }
    sim.resetCalls();
    sim.injectFault({
      credential: key,
      endpoint: 'searchVideoFragment',
      times: 1,
      kind: { type: 'http', status: 503 },
    });
    const result = await post(
      gw,
      { query: QUERY, variables: { first: 5, query: SEARCH_TEXT } },
      { authorization: key, traceparent: `00-${traceId}-${clientSpanId}-01`, tracestate: 'vendor=test' },
    );
    expect(result.errors).toBeUndefined();
    // The last spans are exported at shutdown.
    await gw.stop();
    spans = receiver.spans.filter((s) => s.traceId === traceId);
    output = gw.output();
  }, 60_000);
  afterAll(async () => {
    await gw?.stop();
    await sim?.close();
    await receiver?.close();
  });

  it('continues the incoming traceparent with one span for the operation', () => {
    const operation = one(spans, (s) => s.name === 'query ListVideosWithClips');
    expect(operation.parentSpanId).toBe(clientSpanId);
    expect(operation.kind).toBe(2);
    expect(operation.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'ListVideosWithClips',
      'graphql.document.hash': createHash('sha256').update(QUERY).digest('hex'),
      'graphql.outcome': 'success',
      'graphql.transport': 'http',
    });
    expect(operation.resource['service.name']).toBe('gateway-under-test');
    for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.execute']) {
      expect(one(spans, (s) => s.name === phase).parentSpanId).toBe(operation.spanId);
    }
    expect(receiver.contentTypes.every((t) => t === 'application/x-protobuf')).toBe(true);
  });

  it('has the searchDB call under the operation, with the governor wait and its attempt as children', () => {
    const execute = one(spans, (s) => s.name === 'graphql.execute');
    const call = one(spans, (s) => s.name === 'MAVI searchDB');
    expect(call.parentSpanId).not.toBe('');
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    // Its ancestors lead to the operation's execute span.
    let ancestor = byId.get(call.parentSpanId);
    while (ancestor && ancestor.spanId !== execute.spanId) ancestor = byId.get(ancestor.parentSpanId);
    expect(ancestor?.spanId).toBe(execute.spanId);
    expect(call.kind).toBe(3);
    expect(call.attributes).toMatchObject({
      'mavi.endpoint': 'searchDB',
      'mavi.coalesced': false,
      'mavi.credential.id': Credential.parse(key).credential?.id,
    });
    const wait = one(spans, (s) => s.name === 'MAVI quota wait' && s.parentSpanId === call.spanId);
    expect(wait.attributes['mavi.quota.waited_ms']).toBeGreaterThan(0);
    const attempt = one(spans, (s) => s.name === 'MAVI searchDB attempt 1');
    expect(attempt.parentSpanId).toBe(call.spanId);
    expect(attempt.attributes).toMatchObject({ 'http.response.status_code': 200, 'mavi.code': '0000' });
  });

  it('has one span for the DataLoader batch of clips, linked to the operation', () => {
    const operation = one(spans, (s) => s.name === 'query ListVideosWithClips');
    const batch = one(spans, (s) => s.name === 'DataLoader clips');
    expect(batch.attributes['dataloader.keys']).toBe(5);
    expect(batch.links).toContainEqual({ traceId, spanId: operation.spanId });
  });

  it('has the searchVideoFragment call under the batch, with the failed attempt and its retry', () => {
    const batch = one(spans, (s) => s.name === 'DataLoader clips');
    const call = one(spans, (s) => s.name === 'MAVI searchVideoFragment');
    expect(call.parentSpanId).toBe(batch.spanId);
    const first = one(spans, (s) => s.name === 'MAVI searchVideoFragment attempt 1');
    const second = one(spans, (s) => s.name === 'MAVI searchVideoFragment attempt 2');
    expect(first.parentSpanId).toBe(call.spanId);
    expect(second.parentSpanId).toBe(call.spanId);
    expect(first.attributes).toMatchObject({
      'http.response.status_code': 503,
      'mavi.retry': 0,
      'error.type': 'UPSTREAM_HTTP_ERROR',
    });
    expect(first.statusCode).toBe(2);
    expect(second.attributes).toMatchObject({
      'http.response.status_code': 200,
      'mavi.retry': 1,
      'mavi.code': '0000',
    });
  });

  it("sends each attempt's traceparent to MAVI", () => {
    const calls = sim.callsTo('searchVideoFragment');
    expect(calls).toHaveLength(2);
    const attempts = [1, 2].map((n) => one(spans, (s) => s.name === `MAVI searchVideoFragment attempt ${n}`));
    expect(calls.map((c) => c.traceparent)).toEqual(attempts.map((a) => `00-${traceId}-${a.spanId}-01`));
    for (const call of sim.callsTo('searchDB')) expect(call.traceparent).toMatch(`00-${traceId}-`);
  });

  it('holds no credential, variable value or query text in any span', () => {
    const text = textOf(receiver.spans);
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(3, 20));
    expect(text).not.toContain(SEARCH_TEXT);
    expect(text).not.toContain('videoNo');
    expect(text.toLowerCase()).not.toContain('authorization');
  });

  it('writes trace_id and span_id on log lines written inside a span', () => {
    const failed = output
      .split('\n')
      .filter((line) => line.includes('"upstream call failed"'))
      .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string });
    const first = one(spans, (s) => s.name === 'MAVI searchVideoFragment attempt 1');
    expect(failed).toContainEqual(expect.objectContaining({ trace_id: traceId, span_id: first.spanId }));
  });
});

describe('WebSocket, polls and http/json', () => {
  let sim: Simulator;
  let receiver: OtlpReceiver;
  let gw: GatewayProcess;
  let key: string;

  beforeAll(async () => {
    sim = await startSimulator({ parseDelayMs: 60_000 });
    receiver = await startOtlpReceiver();
    key = sim.createAccount({ seed: false }).apiKey;
    gw = await startGatewayProcess(
      gatewayEnv(sim, receiver, {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        POLL_MIN_MS: '50',
        POLL_MAX_MS: '100',
      }),
    );
  }, 30_000);
  afterAll(async () => {
    await gw?.stop();
    await sim?.close();
    await receiver?.close();
  });

  it('marks a read that joined an identical one in flight as coalesced, linked to the call it joined', async () => {
    // The first search is held 300 ms at the simulator: the second, identical, joins it.
    sim.injectFault({ credential: key, endpoint: 'searchAI', times: 1, kind: { type: 'delay', ms: 300 } });
    const query = { query: 'query Same { searchVideos(query: "cats") { __typename } }' };
    const first = post(gw, query, { authorization: key });
    await eventually(() => (sim.callsTo('searchAI').length > 0 ? true : undefined));
    await Promise.all([first, post(gw, query, { authorization: key })]);
    expect(sim.callsTo('searchAI')).toHaveLength(1);
    await eventually(() =>
      receiver.spans.filter((s) => s.name === 'MAVI searchAI').length >= 2 ? true : undefined,
    );
    const calls = receiver.spans.filter((s) => s.name === 'MAVI searchAI');
    const started = one(calls, (s) => s.attributes['mavi.coalesced'] === false);
    const joined = one(calls, (s) => s.attributes['mavi.coalesced'] === true);
    expect(joined.links).toEqual([{ traceId: started.traceId, spanId: started.spanId }]);
    expect(joined.traceId).not.toBe(started.traceId);
    // Only the call that went to MAVI has an attempt.
    expect(
      receiver.spans.filter((s) => s.name === 'MAVI searchAI attempt 1').map((s) => s.parentSpanId),
    ).toEqual([started.spanId]);
    sim.resetCalls();
  });

  it('traces a subscription over WebSocket, and the polls that fed it link to it', async () => {
    const video = sim.addVideo(key, { status: 'UNPARSE', videoName: 'clip.mp4' });
    const client = createClient({
      url: gw.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: key },
      retryAttempts: 0,
    });
    const statuses: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      client.subscribe(
        {
          query: `subscription Watch($videoNos: [ID!]) { videoStatusChanged(videoNos: $videoNos) { __typename ... on SubscriptionVideoStatusChangedSuccess { data { video { status } } } } }`,
          variables: { videoNos: [video.videoNo] },
        },
        { next: (value) => statuses.push(value), error: reject, complete: resolve },
      );
    });
    // The subscription's check, then a poll or two.
    await eventually(() => (sim.callsTo('searchDB').length > 2 ? true : undefined), 10_000);
    sim.setVideoStatus(key, video.videoNo, 'PARSE');
    await done;
    await client.dispose();
    expect(statuses.length).toBeGreaterThan(0);
    await gw.stop();

    const subscription = one(receiver.spans, (s) => s.name === 'subscription Watch');
    expect(subscription.attributes).toMatchObject({
      'graphql.transport': 'websocket',
      'graphql.outcome': 'stream',
    });
    const polls = receiver.spans.filter((s) => s.name === 'live poll video');
    expect(polls.length).toBeGreaterThan(0);
    for (const poll of polls) {
      // Its own trace, linked to the subscription it polls for.
      expect(poll.parentSpanId).toBe('');
      expect(poll.links).toContainEqual({ traceId: subscription.traceId, spanId: subscription.spanId });
    }
    // The poll's MAVI calls are in the poll's trace.
    const pollTraces = new Set(polls.map((p) => p.traceId));
    expect(receiver.spans.some((s) => s.name === 'MAVI searchDB' && pollTraces.has(s.traceId))).toBe(true);
    expect(receiver.contentTypes.every((t) => t === 'application/json')).toBe(true);
    const text = textOf(receiver.spans);
    expect(text).not.toContain(key);
    expect(text).not.toContain('clip.mp4');
  }, 30_000);
});

describe('a callback over SSE', () => {
  let sim: Simulator;
  let receiver: OtlpReceiver;
  let gw: GatewayProcess;
  let key: string;

  beforeAll(async () => {
    sim = await startSimulator({ parseDelayMs: 60_000 });
    receiver = await startOtlpReceiver();
    key = sim.createAccount({ seed: false }).apiKey;
    // One poll when the subscription starts, then none for a minute: the callback reports the change.
    gw = await startGatewayProcess(gatewayEnv(sim, receiver, { POLL_MIN_MS: '60000', POLL_MAX_MS: '60000' }));
  }, 30_000);
  afterAll(async () => {
    await gw?.stop();
    await sim?.close();
    await receiver?.close();
  });

  it("is its own trace, linked to the subscription it fed, and holds neither the URL's token nor the file name", async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: print(UploadVideoDocument), variables: { file: null } }));
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new File([Buffer.alloc(4096, 1)], 'holiday-secret.mp4', { type: 'video/mp4' }));
    const uploaded = (await (
      await fetch(gw.url, {
        method: 'POST',
        headers: { authorization: key, 'graphql-preflight': '1' },
        body: form,
      })
    ).json()) as { data: { uploadVideo: { data: { videoNo: string } } } };
    const videoNo = uploaded.data.uploadVideo.data.videoNo;

    const client = createSseClient({ url: gw.url, headers: { authorization: key }, retryAttempts: 0 });
    const events = client.iterate({
      query: `subscription Follow($videoNos: [ID!]) { videoStatusChanged(videoNos: $videoNos) { __typename } }`,
      variables: { videoNos: [videoNo] },
    });
    const first = events.next();
    // The subscription's check and its poller's first poll, done (its span exported): the
    // change below is then the callback's to report.
    await eventually(
      () => (receiver.spans.some((s) => s.name === 'live poll video') ? true : undefined),
      10_000,
    );
    sim.setVideoStatus(key, videoNo, 'PARSE');
    expect((await first).done).toBe(false);
    await events.return?.();
    client.dispose();
    await gw.stop();

    const subscription = one(receiver.spans, (s) => s.name === 'subscription Follow');
    expect(subscription.attributes['graphql.transport']).toBe('sse');
    // MAVI calls back twice: UNPARSE on upload (before the subscription), then PARSE.
    const callbacks = receiver.spans.filter((s) => s.name === 'MAVI callback upload');
    expect(callbacks).toHaveLength(2);
    for (const callback of callbacks) {
      expect(callback.parentSpanId).toBe('');
      expect(callback.traceId).not.toBe(subscription.traceId);
      expect(callback.attributes).toMatchObject({ 'http.response.status_code': 200 });
    }
    const fed = callbacks.filter((c) => c.links.length > 0);
    expect(fed).toHaveLength(1);
    expect(fed[0]?.links).toEqual([{ traceId: subscription.traceId, spanId: subscription.spanId }]);
    const text = textOf(receiver.spans);
    expect(text).not.toContain(key);
    expect(text).not.toContain('holiday-secret');
    expect(text).not.toContain('/webhooks/');
  }, 30_000);
});
