/**
 * 1. Overhead: `videos(first: 20)` with the usual fields (operations/videos.graphql
 * ListVideos) through the gateway, against what a performance-minded team would otherwise run
 * for the same query, every one measured in this run on this machine:
 *
 * - static upstream direct: searchDB's answer from memory (static-upstream.ts), a copy of the
 *   upstream on the measured core: the floor for latency;
 * - bare node:http proxy making the one searchDB call (bare-server.ts): the floor for any
 *   JavaScript forwarder;
 * - graphql-jit on raw node:http, Mercurius (fastify + graphql-jit), graphql-yoga with
 *   @envelop/graphql-jit and graphql-yoga plain, each with the gateway's SDL and one
 *   hand-written resolver making the same searchDB call (peers/listing.ts): the same answer as
 *   the gateway's, field for field;
 * - GraphQL Mesh on Hive Gateway (with its --jit) over an OpenAPI description of searchDB
 *   (peers/), asked for the same videos in the schema Mesh generates;
 * - the gateway with coalescing off (MAVI_COALESCE=false: one upstream call per request) and
 *   as configured (identical concurrent reads of one credential share a call);
 * - the gateway as configured with tracing on, every span exported over OTLP to a local sink
 *   (tracing-off cost is "as configured": no SDK is loaded then).
 *
 * Every target calls the same static upstream, which runs with the load generator on the other
 * core and counts the calls it answers, so the upstream is never the limit and upstream calls
 * per request are counted where they arrive. Each target runs pinned to a core of its own,
 * with the node options of `npm start`: 50 connections in rounds of 5 s (targets interleaved,
 * medians of three rounds), then an even, open-loop rate (half the slower gateway's
 * throughput, the same for every target), which shows the latency a server adds rather than
 * the queue of a saturated one. Every target's answer is checked (shape, not only status)
 * before and after it is loaded.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListVideosDocument } from '../operations/__generated__/graphql.js';
import { text } from './lib/client.js';
import { type LoadOptions, load } from './lib/load.js';
import { gcBetween, gcSnapshot, scrape } from './lib/metrics.js';
import { type PacedResult, paced } from './lib/paced.js';
import {
  ROOT,
  type Service,
  START_NODE_FLAGS,
  startBareServer,
  startGateway,
  startMeshGateway,
  startServer,
} from './lib/procs.js';
import { format, MiB, median, round, sleep } from './lib/stats.js';
import { type Figure, figure, type Scenario } from './lib/types.js';

/** The quota governor would turn a load test into a rate-limit test (searchDB: 200/min). */
const LOAD_ENV = { MAVI_GOVERNOR: 'false' };

type Request = Omit<LoadOptions, 'connections' | 'seconds' | 'rate' | 'authorizations' | 'amount'>;

type Key =
  | 'direct'
  | 'proxy'
  | 'jit'
  | 'mercurius'
  | 'yogaJit'
  | 'yoga'
  | 'mesh'
  | 'gatewayOffYoga'
  | 'gatewayOff'
  | 'gateway'
  | 'gatewayTraced';

interface Target {
  key: Key;
  label: string;
  service: Service;
  request: Request;
  /** What is wrong with one answer's body, or null when it is the expected page of 20. */
  check(body: unknown): string | null;
  /** Calls the shared static upstream (counted there); false for the upstream itself. */
  upstream: boolean;
  gateway: boolean;
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
  /** searchDB calls counted at the upstream per request sent; null for the direct target. */
  upstreamPerRequest: number | null;
  rssBytes: number;
}

interface Measured {
  rounds: Round[];
  fixed?: PacedResult;
  /** Event-loop delay p99 of the upstream during the even-rate run, ms. */
  upstreamLagP99?: number;
}

/** The Mesh peer's document: the same page of videos, in the schema Mesh generates from the OpenAPI description. */
const MESH_QUERY = `query ListVideos($first: PositiveInt) {
  searchDB(page: 1, pageSize: $first) {
    code
    msg
    data { total current pageSize videoData { videoNo videoName videoStatus uploadTime duration } }
  }
}`;

const VIDEO_NO = /^mavi_video_\d{18}$/;

/** MAVI's searchDB envelope with a page of 20 videos. */
function checkMavi(body: unknown): string | null {
  const b = body as { code?: unknown; data?: { total?: unknown; videoData?: { videoNo?: unknown }[] } };
  if (b?.code !== '0000') return `code is ${JSON.stringify(b?.code)}, not "0000"`;
  const list = b.data?.videoData;
  if (!Array.isArray(list) || list.length !== 20) return `videoData has ${list?.length} videos, not 20`;
  if (b.data?.total !== 25) return `total is ${JSON.stringify(b.data?.total)}, not 25`;
  if (!list.every((v) => typeof v.videoNo === 'string' && VIDEO_NO.test(v.videoNo)))
    return 'a videoNo is malformed';
  return null;
}

interface GqlBody {
  data?: Record<string, unknown> | null;
  errors?: unknown[];
}

/** The gateway's answer to ListVideos: the success member with a connection of 20 edges. */
function checkListVideos(body: unknown): string | null {
  const b = body as GqlBody;
  if (b?.errors?.length) return `errors: ${JSON.stringify(b.errors).slice(0, 300)}`;
  const videos = b?.data?.videos as
    | {
        __typename?: string;
        data?: {
          totalCount?: number;
          pageInfo?: { hasNextPage?: boolean; startCursor?: string; endCursor?: string };
          edges?: {
            cursor?: unknown;
            node?: { videoNo?: unknown; status?: unknown; uploadedAt?: unknown };
          }[];
        };
      }
    | undefined;
  if (videos?.__typename !== 'QueryVideosSuccess')
    return `videos is ${videos?.__typename}, not QueryVideosSuccess`;
  const c = videos.data;
  const edges = c?.edges ?? [];
  if (edges.length !== 20) return `${edges.length} edges, not 20`;
  if (c?.totalCount !== 25) return `totalCount ${c?.totalCount}, not 25`;
  for (const edge of edges) {
    if (typeof edge.cursor !== 'string' || edge.cursor === '') return 'an edge has no cursor';
    const node = edge.node;
    if (typeof node?.videoNo !== 'string' || !VIDEO_NO.test(node.videoNo)) return 'a videoNo is malformed';
    if (node.status !== 'PARSE') return `a status is ${JSON.stringify(node.status)}`;
    if (typeof node.uploadedAt !== 'string' || Number.isNaN(Date.parse(node.uploadedAt)))
      return `an uploadedAt is ${JSON.stringify(node.uploadedAt)}`;
  }
  if (new Set(edges.map((e) => e.cursor)).size !== 20) return 'cursors repeat';
  const info = c?.pageInfo;
  if (
    info?.hasNextPage !== true ||
    info.startCursor !== edges[0]?.cursor ||
    info.endCursor !== edges[19]?.cursor
  )
    return `pageInfo ${JSON.stringify(info)} does not match the edges`;
  return null;
}

/** The Mesh peer's answer: searchDB's envelope as the generated schema gives it. */
function checkMesh(body: unknown): string | null {
  const b = body as GqlBody;
  if (b?.errors?.length) return `errors: ${JSON.stringify(b.errors).slice(0, 300)}`;
  return checkMavi(b?.data?.searchDB);
}

/** One request as the load sends it, its body parsed. */
async function ask(target: Target, authorization: string): Promise<{ status: number; body: unknown }> {
  const { url, method, headers, body } = target.request;
  const res = await fetch(url, { method, headers: { ...headers, authorization }, ...(body ? { body } : {}) });
  const raw = await res.text();
  try {
    return { status: res.status, body: JSON.parse(raw) };
  } catch {
    return { status: res.status, body: raw.slice(0, 300) };
  }
}

async function verify(target: Target, authorization: string, when: string): Promise<void> {
  const { status, body } = await ask(target, authorization);
  const problem = status === 200 ? target.check(body) : `HTTP ${status}`;
  if (problem) {
    throw new Error(
      `${target.label} did not answer the page of 20 ${when}: ${problem}; body ${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}

function version(pkg: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'not installed';
  }
}

/** The upstream's count of searchDB calls answered so far. */
async function upstreamCalls(upstream: Service): Promise<number> {
  const res = await fetch(`${upstream.origin}/calls`);
  return ((await res.json()) as { searchDB: number }).searchDB;
}

/**
 * The count once a stopped run's last requests have reached the upstream (unchanged over
 * 100 ms, at most 5 s): a queued target would otherwise make them in the next target's run.
 */
async function settledCalls(upstream: Service): Promise<number> {
  let last = await upstreamCalls(upstream);
  for (let waited = 0; waited < 5000; waited += 100) {
    await sleep(100);
    const now = await upstreamCalls(upstream);
    if (now === last) return now;
    last = now;
  }
  return last;
}

export const overhead: Scenario = {
  name: 'overhead',
  title: 'Overhead: videos(first: 20) through the gateway and its peers',
  async run(ctx) {
    const seconds = ctx.smoke ? 0.5 : 5;
    const rounds = ctx.smoke ? 1 : 3;
    const pacedSeconds = ctx.smoke ? 0.5 : 10;
    const pacedWarmSeconds = ctx.smoke ? 0 : 3;
    const warmSeconds = ctx.smoke ? 0 : 3;
    const connections = ctx.smoke ? 5 : 50;
    // One credential for every request, as an application holding one MAVI key sends them:
    // identical reads in flight together then meet, which the configured gateway coalesces
    // (requests of the same millisecond share one searchDB call; never across credentials).
    // Coalescing off, and every peer, make one call per request whatever the credentials.
    const keys = [`sk-${createHash('md5').update('overhead-bench').digest('hex')}`];

    const upstream = await startServer(
      ctx,
      'overhead-upstream',
      'bench/lib/static-upstream.ts',
      {},
      {
        placement: 'shared',
      },
    );
    const origin = upstream.origin;
    const peer = { BENCH_UPSTREAM: origin };
    const measuredOpts = { nodeArgs: START_NODE_FLAGS };
    const [
      direct,
      bare,
      jit,
      mercurius,
      yogaJit,
      yoga,
      mesh,
      gatewayOffYoga,
      gatewayOff,
      gateway,
      gatewayTraced,
    ] = await Promise.all([
      startServer(ctx, 'overhead-upstream-direct', 'bench/lib/static-upstream.ts', {}, measuredOpts),
      startBareServer(ctx, 'overhead-bare', origin, measuredOpts),
      startServer(ctx, 'overhead-jit', 'bench/lib/peers/jit-server.ts', peer, measuredOpts),
      startServer(ctx, 'overhead-mercurius', 'bench/lib/peers/mercurius-server.ts', peer, measuredOpts),
      startServer(
        ctx,
        'overhead-yoga-jit',
        'bench/lib/peers/yoga-server.ts',
        { ...peer, BENCH_JIT: '1' },
        measuredOpts,
      ),
      startServer(ctx, 'overhead-yoga', 'bench/lib/peers/yoga-server.ts', peer, measuredOpts),
      // --jit: graphql-jit for the documents it executes, the gateway's documented speed option.
      startMeshGateway(ctx, 'overhead-mesh', origin, { ...measuredOpts, args: ['--jit'] }),
      // The same without the fast lane (src/fast-lane.ts): every request through yoga.
      startGateway(ctx, 'overhead-gateway-nocoalesce-yoga', origin, {
        ...LOAD_ENV,
        MAVI_COALESCE: 'false',
        FAST_LANE: 'false',
      }),
      startGateway(ctx, 'overhead-gateway-nocoalesce', origin, { ...LOAD_ENV, MAVI_COALESCE: 'false' }),
      startGateway(ctx, 'overhead-gateway', origin, LOAD_ENV),
      // Every span recorded and exported (OTLP/HTTP protobuf) to the static upstream, which
      // answers /v1/traces as a collector would; a queue large enough that none is dropped.
      startGateway(ctx, 'overhead-gateway-traced', origin, {
        ...LOAD_ENV,
        OTEL_EXPORTER_OTLP_ENDPOINT: origin,
        OTEL_BSP_SCHEDULE_DELAY: '1000',
        OTEL_BSP_MAX_QUEUE_SIZE: '200000',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096',
      }),
    ]);

    const listVideos = JSON.stringify({
      query: text(ListVideosDocument),
      variables: { first: 20 },
      operationName: 'ListVideos',
    });
    const post = (service: Service, body = listVideos): Request => ({
      url: `${service.origin}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body,
    });
    const targets: Target[] = [];
    const add = (
      key: Key,
      label: string,
      service: Service,
      request: Request,
      check: Target['check'],
      kind: 'upstream' | 'peer' | 'gateway' = 'peer',
    ) =>
      targets.push({
        key,
        label,
        service,
        request,
        check,
        upstream: kind !== 'upstream',
        gateway: kind === 'gateway',
      });
    add(
      'direct',
      'static upstream direct',
      direct,
      {
        url: `${direct.origin}/api/serve/video/searchDB?page=1&pageSize=20&endTime=${Date.now() + 3_600_000}`,
        method: 'GET',
        headers: { accept: 'application/json' },
      },
      checkMavi,
      'upstream',
    );
    add('proxy', 'bare node:http proxy', bare, post(bare), checkMavi);
    add('jit', 'graphql-jit on node:http', jit, post(jit), checkListVideos);
    add('mercurius', 'Mercurius (fastify, graphql-jit)', mercurius, post(mercurius), checkListVideos);
    add('yogaJit', 'graphql-yoga + graphql-jit', yogaJit, post(yogaJit), checkListVideos);
    add('yoga', 'graphql-yoga', yoga, post(yoga), checkListVideos);
    add(
      'mesh',
      'GraphQL Mesh on Hive Gateway --jit (OpenAPI)',
      mesh,
      post(
        mesh,
        JSON.stringify({ query: MESH_QUERY, variables: { first: 20 }, operationName: 'ListVideos' }),
      ),
      checkMesh,
    );
    add(
      'gatewayOffYoga',
      'gateway, coalescing off, FAST_LANE=false',
      gatewayOffYoga,
      post(gatewayOffYoga),
      checkListVideos,
      'gateway',
    );
    add('gatewayOff', 'gateway, coalescing off', gatewayOff, post(gatewayOff), checkListVideos, 'gateway');
    add('gateway', 'gateway as configured', gateway, post(gateway), checkListVideos, 'gateway');
    add(
      'gatewayTraced',
      'gateway, tracing on',
      gatewayTraced,
      post(gatewayTraced),
      checkListVideos,
      'gateway',
    );
    for (const target of targets) await verify(target, keys[0] as string, 'before the load');

    const measured = new Map<Key, Measured>(targets.map((t) => [t.key, { rounds: [] }]));
    const m = (key: Key) => measured.get(key) as Measured;
    for (const target of targets) {
      // autocannon runs at least a second, so a smoke run skips the warm-up.
      if (warmSeconds === 0) break;
      ctx.log(`overhead: warming ${target.label} up, ${warmSeconds} s`);
      await load({ ...target.request, authorizations: keys, connections, seconds: warmSeconds });
    }
    for (let r = 0; r < rounds; r++) {
      // Each round starts one target later, so that no target always follows the same one.
      const order = [...targets.slice(r % targets.length), ...targets.slice(0, r % targets.length)];
      for (const target of order) {
        ctx.log(
          `overhead: round ${r + 1}/${rounds}, ${target.label}, ${connections} connections, ${seconds} s`,
        );
        const callsBefore = await settledCalls(upstream);
        const cpuBefore = target.service.stats().cpuMs;
        const result = await load({
          ...target.request,
          authorizations: keys,
          connections,
          seconds,
          ...(ctx.smoke ? { amount: 100 } : {}),
        });
        const calls = (await settledCalls(upstream)) - callsBefore;
        const after = target.service.stats();
        if (result.errors > 0 || result.non2xx > 0) {
          throw new Error(`${target.label}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
        }
        m(target.key).rounds.push({
          rps: result.rps,
          p50: result.p50,
          p99: result.p99,
          cpuUsPerRequest: ((after.cpuMs - cpuBefore) * 1000) / result.requests,
          upstreamPerRequest: target.upstream ? calls / result.sent : null,
          rssBytes: after.rssBytes,
        });
      }
    }
    const med = (key: Key, pick: (r: Round) => number) => median(m(key).rounds.map(pick));
    const rps = (key: Key) => med(key, (r) => r.rps);
    const cpu = (key: Key) => med(key, (r) => r.cpuUsPerRequest);

    // One even rate for every target: half the slower gateway's saturated throughput.
    const rate = Math.max(10, Math.floor((Math.min(rps('gateway'), rps('gatewayOff')) * 0.5) / 10) * 10);
    const lags: string[] = [];
    // Every target shares core 1: while one is measured at the even rate, the others are
    // stopped (SIGSTOP), so that an idle peer's timers, GC or export queue (the traced
    // gateway's spans) cannot take the core in the middle of another's tail.
    const processes = [...new Set(targets.map((t) => t.service))];
    const pause = (except: Service, signal: 'SIGSTOP' | 'SIGCONT') => {
      for (const service of processes) if (service !== except) process.kill(service.pid, signal);
    };
    for (const target of targets) {
      ctx.log(`overhead: ${target.label}, even ${rate} req/s, ${pacedSeconds} s`);
      pause(target.service, 'SIGSTOP');
      try {
        await evenRate(target);
      } finally {
        pause(target.service, 'SIGCONT');
      }
    }
    async function evenRate(target: Target): Promise<void> {
      const evenLoad = { ...target.request, authorizations: keys, connections, rate };
      // Event-loop delays over the run: the upstream's (reset by each read) and the gateway's
      // own (prom-client, reset by each scrape), so a tail can be placed.
      // The same rate for a while first, not measured: the even-rate client's own code and
      // connections warm, and the target settled at this rate rather than just after the
      // saturated runs (without it, the first half second's queue was most of the p99).
      if (pacedWarmSeconds > 0) {
        await paced({ ...evenLoad, seconds: pacedWarmSeconds });
      }
      await fetch(`${upstream.origin}/lag`).then((res) => res.body?.cancel());
      if (target.gateway) await scrape(target.service.origin, 'nodejs_eventloop_lag_p99_seconds');
      const gcBefore = target.gateway ? await gcSnapshot(target.service.origin) : null;
      const fixed = await paced({ ...evenLoad, seconds: pacedSeconds });
      const lag = (await (await fetch(`${upstream.origin}/lag`)).json()) as { p99Ms: number; maxMs: number };
      if (target.upstream) {
        const own = target.gateway
          ? `, the gateway's own p99 ${round((await scrape(target.service.origin, 'nodejs_eventloop_lag_p99_seconds')) * 1000, 1)} ms; its GC pauses: ${gcBetween(gcBefore ?? new Map(), await gcSnapshot(target.service.origin), pacedSeconds)}`
          : '';
        lags.push(
          `${target.label} at ${rate} req/s: event-loop delay of the upstream p99 ${round(lag.p99Ms, 1)} ms, max ${round(lag.maxMs, 1)} ms${own}${fixed.resent > 0 ? `; ${fixed.resent} requests sent again after the target closed the kept-alive socket they were written to` : ''}.`,
        );
      }
      if (fixed.errors > 0 || fixed.non2xx > 0) {
        throw new Error(
          `${target.label}: ${fixed.errors} errors (${fixed.errorCodes.join(', ')}), ${fixed.non2xx} non-2xx answers at ${rate} req/s`,
        );
      }
      m(target.key).fixed = fixed;
    }
    for (const target of targets) await verify(target, keys[0] as string, 'after the load');

    const check = (met: boolean, text: string) => (ctx.smoke ? undefined : { text, met });
    const p99 = (key: Key) => m(key).fixed?.p99 ?? Number.NaN;
    const p50 = (key: Key) => m(key).fixed?.p50 ?? Number.NaN;
    const added = (key: Key) => round(p99(key) - p99('direct'));
    const proxyBase = (value: number) => ({ label: 'bare proxy', value });
    const mercuriusBase = (value: number) => ({ label: 'Mercurius', value });
    const figures: Figure[] = [
      figure(
        'throughput, gateway vs bare proxy',
        rps('gateway'),
        'req/s',
        proxyBase(rps('proxy')),
        check(rps('gateway') >= 0.8 * rps('proxy'), '≥ 0.8x'),
      ),
      figure(
        'throughput, gateway (coalescing off) vs bare proxy',
        rps('gatewayOff'),
        'req/s',
        proxyBase(rps('proxy')),
      ),
      figure('throughput, gateway vs Mercurius', rps('gateway'), 'req/s', mercuriusBase(rps('mercurius'))),
      figure(
        'throughput, gateway (coalescing off) vs Mercurius',
        rps('gatewayOff'),
        'req/s',
        mercuriusBase(rps('mercurius')),
      ),
      figure('CPU per request, gateway vs bare proxy', cpu('gateway'), 'µs', proxyBase(cpu('proxy'))),
      figure(
        'CPU per request, gateway (coalescing off) vs bare proxy',
        cpu('gatewayOff'),
        'µs',
        proxyBase(cpu('proxy')),
        check(cpu('gatewayOff') <= 2 * cpu('proxy'), '≤ 2x'),
      ),
      figure('CPU per request, gateway tracing on vs off', cpu('gatewayTraced'), 'µs', {
        label: 'gateway as configured',
        value: cpu('gateway'),
      }),
      figure('throughput, gateway tracing on vs off', rps('gatewayTraced'), 'req/s', {
        label: 'gateway as configured',
        value: rps('gateway'),
      }),
      figure('CPU per request, gateway vs Mercurius', cpu('gateway'), 'µs', mercuriusBase(cpu('mercurius'))),
      figure(
        'CPU per request, gateway (coalescing off) vs Mercurius',
        cpu('gatewayOff'),
        'µs',
        mercuriusBase(cpu('mercurius')),
        check(cpu('gatewayOff') <= cpu('mercurius'), '≤ 1x'),
      ),
      figure(
        'CPU per request, gateway (coalescing off) vs the same with FAST_LANE=false',
        cpu('gatewayOff'),
        'µs',
        { label: 'FAST_LANE=false', value: cpu('gatewayOffYoga') },
      ),
      figure(
        'CPU per request, gateway (coalescing off) vs graphql-yoga + graphql-jit',
        cpu('gatewayOff'),
        'µs',
        {
          label: 'graphql-yoga + graphql-jit',
          value: cpu('yogaJit'),
        },
      ),
      figure('CPU per request, Mercurius vs bare proxy', cpu('mercurius'), 'µs', proxyBase(cpu('proxy'))),
      figure(
        `p99 latency at an even ${rate} req/s, gateway vs static upstream direct`,
        p99('gateway'),
        'ms',
        { label: 'upstream direct', value: p99('direct') },
        check(added('gateway') <= 5, `added ≤ 5 ms (added ${added('gateway')} ms)`),
      ),
      figure(
        `p99 latency at an even ${rate} req/s, gateway (coalescing off) vs static upstream direct`,
        p99('gatewayOff'),
        'ms',
        { label: 'upstream direct', value: p99('direct') },
        check(added('gatewayOff') <= 5, `added ≤ 5 ms (added ${added('gatewayOff')} ms)`),
      ),
      figure(
        `p99 latency at an even ${rate} req/s, gateway vs bare proxy`,
        p99('gateway'),
        'ms',
        proxyBase(p99('proxy')),
      ),
      figure(
        `p99 latency at an even ${rate} req/s, gateway vs Mercurius`,
        p99('gateway'),
        'ms',
        mercuriusBase(p99('mercurius')),
      ),
      figure(
        `p50 latency at an even ${rate} req/s, gateway vs static upstream direct`,
        p50('gateway'),
        'ms',
        {
          label: 'upstream direct',
          value: p50('direct'),
        },
      ),
      figure(
        `p99 latency at saturation (${connections} connections), gateway vs bare proxy`,
        med('gateway', (r) => r.p99),
        'ms',
        proxyBase(med('proxy', (r) => r.p99)),
      ),
      figure(
        'searchDB calls per gateway request, counted at the upstream',
        med('gateway', (r) => r.upstreamPerRequest ?? Number.NaN),
        'calls',
        { label: 'bare proxy', value: med('proxy', (r) => r.upstreamPerRequest ?? Number.NaN) },
      ),
    ];

    const ms = (value: number) => format(round(value, 2));
    const ratio = (value: number, base: number) => `${format(value / base)}x`;
    const table = {
      header: [
        'target',
        'CPU µs/request',
        'req/s',
        `p50 / p99 ms, ${connections} connections`,
        `p50 / p99 ms, even ${rate} req/s`,
        'RSS MiB',
        'upstream calls/request',
        'CPU vs proxy',
        'CPU vs Mercurius',
        'req/s vs proxy',
        'req/s vs Mercurius',
      ],
      rows: targets.map((t) => {
        const fixed = m(t.key).fixed;
        const overCapacity = rps(t.key) < rate ? ' (over its capacity)' : '';
        const calls = med(t.key, (r) => r.upstreamPerRequest ?? Number.NaN);
        return [
          t.label,
          format(cpu(t.key)),
          format(rps(t.key)),
          `${ms(med(t.key, (r) => r.p50))} / ${ms(med(t.key, (r) => r.p99))}`,
          `${ms(fixed?.p50 ?? Number.NaN)} / ${ms(fixed?.p99 ?? Number.NaN)}${overCapacity}`,
          format(Math.max(...m(t.key).rounds.map((r) => r.rssBytes)) / MiB),
          t.upstream ? format(round(calls, 3)) : '–',
          ratio(cpu(t.key), cpu('proxy')),
          ratio(cpu(t.key), cpu('mercurius')),
          ratio(rps(t.key), rps('proxy')),
          ratio(rps(t.key), rps('mercurius')),
        ];
      }),
    };

    const versions = [
      'fastify',
      'mercurius',
      'graphql-jit',
      'graphql-yoga',
      '@envelop/graphql-jit',
      '@graphql-hive/gateway',
      '@graphql-mesh/compose-cli',
      '@omnigraph/openapi',
      '@graphql-mesh/transport-rest',
      'graphql',
    ].map((pkg) => `${pkg} ${version(pkg)}`);
    const spanBytes = ((await (await fetch(`${upstream.origin}/calls`)).json()) as { spans: number }).spans;
    const notes = [
      `${connections} connections, ${rounds} round(s) of ${seconds} s per target (targets interleaved, each round starting one target later) after ${warmSeconds} s of warm-up; every figure from the saturated runs is the median over the rounds. The even-rate runs send ${rate} req/s (half the slower gateway's median throughput) for ${pacedWarmSeconds} s unmeasured, then ${pacedSeconds} s measured, open-loop over at most ${connections} connections, latency counted from when each request was due; a target whose saturated throughput is below that rate builds a queue there, marked in the table.`,
      `Each target runs pinned to one core (taskset) with the node options of \`npm start\` (${START_NODE_FLAGS.join(' ') || 'none'}); the load generator (autocannon in the bench process) and the static upstream (bench/lib/static-upstream.ts, one page of 20 of 25 videos from memory, counting the calls it answers) share the other. CPU per request is the target's user+system time over a saturated run divided by the requests it answered; RSS is the largest resident size read after a saturated run.`,
      `Every request carries one credential, as an application holding one MAVI key sends them: identical reads in flight together meet, and the configured gateway shares one searchDB call among those of the same millisecond; upstream calls per request are the calls the upstream answered during a run over the requests sent (counted once the run's last requests reached it). The gateway runs as \`npm start\` runs it (the tsc build), with NODE_ENV=production and MAVI_GOVERNOR=false (the quota governor would cap searchDB at 200/min per credential), everything else at its defaults; "coalescing off" adds MAVI_COALESCE=false, and "FAST_LANE=false" serves every request through yoga (the fast lane, src/fast-lane.ts, is on by default).`,
      `"Tracing on" adds OTEL_EXPORTER_OTLP_ENDPOINT (the static upstream answers /v1/traces as a collector; it was sent ${round(spanBytes / 1e6, 1)} MB of OTLP protobuf over the whole run), every span sampled, OTEL_BSP_SCHEDULE_DELAY=1000 and a queue of 200,000 so that no span is dropped under load; every other gateway runs with tracing off, which loads no SDK.`,
      "graphql-jit on node:http, Mercurius, graphql-yoga + graphql-jit and graphql-yoga: the gateway's schema.graphql with one hand-written resolver (bench/lib/peers/listing.ts: one searchDB call over node:http with a keep-alive agent, the envelope checked, the gateway's cursors); each answers ListVideos with the same JSON as the gateway (checked). Mercurius with `jit: 1` and its document cache; yoga + graphql-jit with @envelop/graphql-jit at its defaults; the raw server validates and compiles each distinct document once.",
      `GraphQL Mesh: bench/lib/peers/mesh.config.ts (loadOpenAPISubgraph over bench/lib/peers/mavi-searchdb.openapi.json, the caller's Authorization forwarded) composed by mesh-compose, served by the hive-gateway CLI (\`supergraph --jit\`, one process, NODE_ENV=production, defaults otherwise); asked \`searchDB(page: 1, pageSize: 20) { code msg data { total current pageSize videoData { videoNo videoName videoStatus uploadTime duration } } }\`, the same upstream call and videos in the shape Mesh generates.`,
      `Versions: ${versions.join(', ')}; Node ${process.version}.`,
      'Latencies are per request, 2xx answers only; every run had 0 errors and 0 non-2xx answers, and every target answered the expected page (checked field by field) before and after its runs, or the scenario fails.',
      ...lags,
      ...targets.map((t) => {
        const rs = m(t.key).rounds;
        return `${t.label}, by round: ${rs.map((r) => format(r.cpuUsPerRequest)).join(', ')} µs CPU per request; ${rs.map((r) => format(r.rps)).join(', ')} req/s; p99 ${rs.map((r) => ms(r.p99)).join(', ')} ms${t.upstream ? `; ${rs.map((r) => format(round(r.upstreamPerRequest ?? Number.NaN, 3))).join(', ')} upstream calls per request` : ''}.`;
      }),
    ];
    return { figures, tables: [table], notes };
  },
};
