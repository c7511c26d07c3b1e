import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListVideosDocument } from '../operations/__generated__/graphql.js';
import { createLogger } from '../src/logger.js';
import { Credential } from '../src/mavi/credential.js';
import type { AttemptReport } from '../src/mavi/transport.js';
import { createMetrics } from '../src/metrics.js';
import { useReadiness } from '../src/plugins/use-readiness.js';
import { schema } from '../src/schema/index.js';
import { eventually, metric, type Stack, startStack } from './helpers.js';

/** Metrics, health and readiness routes, and the operation and upstream log lines. */
let stack: Stack;
let lines: Record<string, unknown>[];
const attempts: AttemptReport[] = [];

beforeAll(async () => {
  lines = [];
  stack = await startStack({
    gateway: {
      logger: createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line)) }),
      onUpstreamAttempt: (attempt) => void attempts.push(attempt),
    },
  });
});
afterAll(() => stack.close());

async function scrape(target: Stack = stack): Promise<{ status: number; type: string | null; text: string }> {
  const res = await target.gateway.yoga.fetch('http://gateway.test/metrics');
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one sample line, e.g. `name{a="b"} 3`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    if (wanted.every(([k, v]) => have[k] === v) && Object.keys(have).length === wanted.length)
      return Number(match[3]);
  }
  return undefined;
}

describe('GET /metrics', () => {
  it('counts operations by type and outcome, with durations', async () => {
    const before = await scrape();
    const key = stack.newAccount();
    await stack.gql(ListVideosDocument, { first: 3 }, { auth: key });
    await stack.gql('mutation { deleteVideos(videoNos: ["nope"]) { __typename } }', undefined, { auth: key });
    await stack.gql('{ nope }');
    const after = await scrape();
    expect(after.status).toBe(200);
    expect(after.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const delta = (labels: Record<string, string>) =>
      (sample(after.text, 'mavi_gateway_graphql_operations_total', labels) ?? 0) -
      (sample(before.text, 'mavi_gateway_graphql_operations_total', labels) ?? 0);
    expect(delta({ operation_type: 'query', outcome: 'success' })).toBe(1);
    expect(delta({ operation_type: 'mutation', outcome: 'success' })).toBe(1);
    expect(delta({ operation_type: 'query', outcome: 'rejected' })).toBe(1);
    expect(
      sample(after.text, 'mavi_gateway_graphql_operation_duration_seconds_count', {
        operation_type: 'query',
        outcome: 'success',
      }),
    ).toBeGreaterThan(0);
  });

  it('counts upstream calls by endpoint and MAVI code, with latency by endpoint', async () => {
    const key = stack.newAccount();
    stack.sim.injectFault({
      credential: key,
      endpoint: 'searchAI',
      times: 1,
      kind: { type: 'code', code: '0001' },
    });
    const before = await scrape();
    await stack.gql('{ searchVideos(query: "dog") { __typename } }', undefined, { auth: key });
    await stack.gql(ListVideosDocument, { first: 2 }, { auth: key });
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      (sample(after.text, name, labels) ?? 0) - (sample(before.text, name, labels) ?? 0);
    expect(delta('mavi_gateway_upstream_requests_total', { endpoint: 'searchAI', code: '0001' })).toBe(1);
    expect(delta('mavi_gateway_upstream_requests_total', { endpoint: 'searchDB', code: '0000' })).toBe(1);
    expect(delta('mavi_gateway_upstream_request_duration_seconds_count', { endpoint: 'searchDB' })).toBe(1);
    expect(
      sample(after.text, 'mavi_gateway_upstream_request_duration_seconds_bucket', {
        endpoint: 'searchDB',
        le: '+Inf',
      }),
    ).toBeGreaterThan(0);
  });

  it('keeps the onUpstreamAttempt option working for callers', async () => {
    const count = attempts.length;
    await stack.gql(ListVideosDocument, { first: 1 });
    expect(attempts.length).toBe(count + 1);
    expect(attempts.at(-1)).toMatchObject({ endpoint: 'searchDB', outcome: '0000' });
  });

  it('has the subscriptions gauge the live code moves with inc and dec', async () => {
    const labels = { operation: 'testOnlySubscription' };
    stack.gateway.metrics.subscriptionsActive.inc(labels);
    stack.gateway.metrics.subscriptionsActive.inc(labels);
    stack.gateway.services.metrics.subscriptionsActive.dec(labels);
    expect(stack.gateway.services.metrics).toBe(stack.gateway.metrics);
    expect(sample((await scrape()).text, 'mavi_gateway_subscriptions_active', labels)).toBe(1);
    stack.gateway.metrics.subscriptionsActive.dec(labels);
  });

  it('reads the governor queue at scrape time', async () => {
    // The gateway wires its governor's snapshot in; every endpoint is listed, idle at 0.
    expect(sample((await scrape()).text, 'mavi_gateway_governor_queue_length', { endpoint: 'chat' })).toBe(0);
    let queued = 3;
    const metrics = createMetrics({
      governorQueueLength: () => ({ searchAI: queued }),
      processMetrics: false,
    });
    const text = async () => (await metrics.expose()).body;
    expect(sample(await text(), 'mavi_gateway_governor_queue_length', { endpoint: 'searchAI' })).toBe(3);
    queued = 0;
    expect(sample(await text(), 'mavi_gateway_governor_queue_length', { endpoint: 'searchAI' })).toBe(0);
    metrics.setGovernorQueueSource(() => {
      throw new Error('broken');
    });
    // A broken source empties the gauge; the scrape still answers.
    expect(
      sample(await text(), 'mavi_gateway_governor_queue_length', { endpoint: 'searchAI' }),
    ).toBeUndefined();
    metrics.setGovernorQueueSource(undefined);
    expect(await text()).toMatch(/# TYPE mavi_gateway_governor_queue_length gauge/);
  });

  it('counts governor decisions and retry decisions by endpoint, never by credential', async () => {
    const other = await startStack({
      env: {
        MAVI_RETRY_MAX_ATTEMPTS: '3',
        MAVI_RETRY_BASE_DELAY_MS: '1',
        MAVI_RETRY_MAX_DELAY_MS: '2',
        MAVI_RATE_LIMITS: JSON.stringify({ searchAI: { perMinute: 1 } }),
        GOVERNOR_MAX_WAIT_MS: '0',
      },
    });
    try {
      const key = other.newAccount();
      const value = (name: string, labels: Record<string, string>) => metric(other.gateway, name, labels);
      const retries = (decision: string) =>
        value('mavi_gateway_upstream_retries_total', { endpoint: 'searchDB', decision });

      // One 503 absorbed by a retry; then an outage: two retries, and the attempts run out.
      other.sim.injectFault({
        credential: key,
        endpoint: 'searchDB',
        times: 1,
        kind: { type: 'http', status: 503 },
      });
      await other.gql(ListVideosDocument, { first: 1 }, { auth: key });
      expect(await retries('retry')).toBe(1);
      other.sim.injectFault({
        credential: key,
        endpoint: 'searchDB',
        times: 3,
        kind: { type: 'http', status: 503 },
      });
      await other.gql(ListVideosDocument, { first: 1 }, { auth: key });
      expect(await retries('retry')).toBe(3);
      expect(await retries('attempts-exhausted')).toBe(1);

      // searchAI allows one a minute: granted at once, then refused without calling MAVI.
      const search = () =>
        other.gql('{ searchVideos(query: "dog") { __typename } }', undefined, { auth: key });
      await search();
      await search();
      const decisions = (decision: string, reason: string) =>
        value('mavi_gateway_governor_decisions_total', { endpoint: 'searchAI', decision, reason });
      expect(await decisions('granted', 'immediate')).toBe(1);
      expect(await decisions('rejected', 'wait-too-long')).toBe(1);
      expect(other.sim.callsTo('searchAI')).toHaveLength(1);
      // Every searchDB attempt took a token: 2 for the first read, 3 for the second.
      expect(
        await value('mavi_gateway_governor_decisions_total', { endpoint: 'searchDB', decision: 'granted' }),
      ).toBe(5);
      expect(await value('mavi_gateway_quota_store', { state: 'memory' })).toBe(1);

      const text = (await scrape(other)).text;
      const { credential } = Credential.parse(key);
      expect(text).not.toContain(key);
      expect(text).not.toContain(credential?.id);
      // Label values come from the known sets only.
      for (const line of text.split('\n')) {
        if (!/^mavi_gateway_(governor_decisions|upstream_retries|upstream_coalesced)_total\{/.test(line))
          continue;
        for (const [, label, v] of line.matchAll(/(\w+)="([^"]*)"/g)) {
          expect(`${label}=${v}`).toMatch(
            /^(endpoint=[a-zA-Z]+|decision=(granted|rejected|abandoned|retry|attempts-exhausted|budget-exhausted|time-limit|quota)|reason=(immediate|queued|wait-too-long|queue-full|closed|aborted))$/,
          );
        }
      }
    } finally {
      await other.close();
    }
  });

  it('includes Node process metrics', async () => {
    const { text } = await scrape();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('keeps one registry per gateway', async () => {
    const other = await startStack();
    try {
      const count = (t: string) =>
        sample(t, 'mavi_gateway_graphql_operations_total', { operation_type: 'query', outcome: 'success' });
      expect(count((await scrape(other)).text)).toBeUndefined();
      await other.gql('{ __typename }');
      expect(count((await scrape(other)).text)).toBe(1);
      expect(count((await scrape()).text)).toBeGreaterThan(1);
      expect(other.gateway.metrics.registry).not.toBe(stack.gateway.metrics.registry);
    } finally {
      await other.close();
    }
  });
});

describe('GET /health and /ready', () => {
  it('/health answers while the process is alive', async () => {
    const res = await stack.gateway.yoga.fetch('http://gateway.test/health');
    expect(res.status).toBe(200);
  });

  it('/ready answers 200 when every check passes', async () => {
    const ready = await stack.gateway.yoga.fetch('http://gateway.test/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      failing: [],
      checks: [{ name: 'accepting', ok: true }],
    });
  });

  it('/ready answers 503 once shutdown has begun', async () => {
    const other = await startStack();
    try {
      other.gateway.beginShutdown();
      const res = await other.gateway.yoga.fetch('http://gateway.test/ready');
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ failing: ['accepting'] });
    } finally {
      await other.close();
    }
  });

  it('/ready answers 503 naming a failing check, then 200 once it passes', async () => {
    const other = await startStack();
    try {
      let redisUp = false;
      other.gateway.services.readiness.push(
        { name: 'always', check: async () => {} },
        {
          name: 'redis',
          check: async () => {
            if (!redisUp)
              throw Object.assign(new Error('connect ECONNREFUSED redis://:hunter2@10.0.0.1'), {
                code: 'ECONNREFUSED',
              });
          },
        },
      );
      const down = await other.gateway.yoga.fetch('http://gateway.test/ready');
      expect(down.status).toBe(503);
      const text = await down.text();
      expect(JSON.parse(text)).toEqual({
        status: 'unavailable',
        failing: ['redis'],
        checks: [
          { name: 'accepting', ok: true },
          { name: 'always', ok: true },
          { name: 'redis', ok: false, reason: 'failed' },
        ],
      });
      // The dependency's own error text (which may hold a password) stays out of the answer.
      expect(text).not.toContain('hunter2');
      redisUp = true;
      expect((await other.gateway.yoga.fetch('http://gateway.test/ready')).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('/ready fails a check that does not answer in time', async () => {
    const yoga = createYoga({
      schema,
      plugins: [
        useReadiness({ checks: [{ name: 'stuck', check: () => new Promise(() => {}) }], timeoutMs: 20 }),
      ],
    });
    const res = await yoga.fetch('http://gateway.test/ready');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      failing: ['stuck'],
      checks: [{ name: 'stuck', ok: false, reason: 'no answer within 20 ms' }],
    });
  });
});

describe('logs', () => {
  it('one info line per operation: name, type, duration, outcome; never variables or headers', async () => {
    lines.length = 0;
    const key = stack.newAccount();
    await stack.gql(
      ListVideosDocument,
      { first: 2 },
      { auth: key, headers: { 'x-secret-header': 'do-not-log' } },
    );
    const ops = lines.filter((l) => l.msg === 'graphql operation');
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({
      level: 30,
      operationName: 'ListVideos',
      operationType: 'query',
      outcome: 'success',
    });
    expect(typeof ops[0]?.durationMs).toBe('number');
    const all = JSON.stringify(lines);
    expect(all).not.toContain('do-not-log');
    expect(all).not.toContain(key);
    expect(all).not.toContain('"first"');
  });

  it('rejected operations carry their error codes', async () => {
    lines.length = 0;
    await stack.gql(`{ ${'__typename @include(if: true) '.repeat(51)} }`);
    expect(lines.find((l) => l.msg === 'graphql operation')).toMatchObject({
      operationType: 'query',
      outcome: 'rejected',
      errorCodes: ['TOO_MANY_DIRECTIVES'],
    });
  });

  it('upstream failures at warn with endpoint, code and credential id', async () => {
    lines.length = 0;
    const key = stack.newAccount();
    stack.sim.injectFault({
      credential: key,
      endpoint: 'searchDB',
      times: 1,
      kind: { type: 'http', status: 503 },
    });
    await stack.gql(ListVideosDocument, { first: 1 }, { auth: key });
    const warn = lines.find((l) => l.msg === 'upstream call failed');
    expect(warn).toMatchObject({
      level: 40,
      endpoint: 'searchDB',
      code: 'UPSTREAM_HTTP_ERROR',
      httpStatus: 503,
    });
    expect(warn?.credentialId).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(lines)).not.toContain(key);
  });

  it('a client that goes away mid-operation is a debug line, not an unexpected error', async () => {
    lines.length = 0;
    const key = stack.newAccount();
    stack.sim.injectFault({
      credential: key,
      endpoint: 'searchDB',
      times: 1,
      kind: { type: 'delay', ms: 300 },
    });
    const gone = new AbortController();
    const answer = stack
      .gql('{ videos(first: 1) { __typename } }', undefined, { auth: key, signal: gone.signal })
      .catch(() => null);
    setTimeout(() => gone.abort(), 50);
    await answer;
    const op = await eventually(() => lines.find((l) => l.msg === 'graphql operation'));
    expect(op).toMatchObject({ level: 30, outcome: 'aborted' });
    expect(lines.find((l) => l.msg === 'request aborted before it was answered')).toMatchObject({
      level: 20,
    });
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain(key);
  });

  it('requests refused before they hold an operation get a line with method, path and status', async () => {
    lines.length = 0;
    await stack.gateway.yoga.fetch(
      'http://gateway.test/graphql?query=%7B__typename%7D&variables=%7B%22a%22%3A1%7D',
    );
    expect(lines.find((l) => l.msg === 'request refused')).toEqual(
      expect.objectContaining({ method: 'GET', path: '/graphql', status: 403 }),
    );
    expect(JSON.stringify(lines)).not.toContain('variables');
  });
});
