/**
 * 1. Overhead: `videos(first: 20)` with the usual fields (operations/videos.graphql
 * ListVideos) through the gateway, against (a) a bare node:http proxy that makes the same
 * single searchDB call and returns MAVI's JSON, and (b) the simulator's searchDB called
 * directly. Also measured, to explain the gap: a minimal graphql-yoga server answering the same
 * query shape from static data (the floor of anything built on yoga here).
 *
 * Each target runs on a core of its own (the simulator it calls and the load generator share
 * the other): 50 connections for 10 s, then an even, open-loop rate every target sustains
 * (half the gateway's throughput), which shows the latency the gateway adds rather than the
 * queue of a saturated server. The gateway runs at the default log level (info: one line per
 * operation) and at LOG_LEVEL=warn.
 */
import { ListVideosDocument } from '../operations/__generated__/graphql.js';
import { gql, succeeded, text } from './lib/client.js';
import { type LoadOptions, type LoadResult, load } from './lib/load.js';
import { scrape } from './lib/metrics.js';
import { type PacedResult, paced } from './lib/paced.js';
import {
  type Service,
  startBareServer,
  startGateway,
  startServer,
  startSimulatorProcess,
} from './lib/procs.js';
import type { BenchAccount } from './lib/sim-protocol.js';
import { round } from './lib/stats.js';
import { type Figure, figure, type Scenario } from './lib/types.js';

/** The quota governor would turn a load test into a rate-limit test (searchDB: 200/min). */
const LOAD_ENV = { MAVI_GOVERNOR: 'false' };

type Request = Omit<LoadOptions, 'connections' | 'seconds' | 'rate' | 'authorizations' | 'amount'>;

interface Target {
  key: 'direct' | 'proxy' | 'floor' | 'info' | 'warn';
  label: string;
  service: Service;
  request: Request;
  gateway: boolean;
}

interface Measured {
  saturated: LoadResult;
  /** CPU time of the target process per request, µs. */
  cpuUsPerRequest: number;
  /** CPU time of the upstream simulator per request, µs (none for the direct and floor targets). */
  simCpuUsPerRequest: number | null;
  /** searchDB calls the gateway made per request (coalescing can make it < 1). */
  upstreamPerRequest: number | null;
  fixed?: PacedResult;
}

export const overhead: Scenario = {
  name: 'overhead',
  title: 'Overhead: videos(first: 20) through the gateway',
  async run(ctx) {
    const seconds = ctx.smoke ? 0.5 : 10;
    const warmSeconds = ctx.smoke ? 0.2 : 3;
    const connections = ctx.smoke ? 5 : 50;
    // 50 credentials with 25 videos each: every request reads a full page of 20, and requests
    // in flight together belong to different credentials, so the gateway's coalescing of
    // identical reads (a feature, but one a bare proxy lacks) rarely applies.
    const setup = { cmd: 'accounts', count: 50, seed: false, videos: 25, status: 'PARSE' } as const;
    // Every process starts at once; the targets are then measured one after another.
    const [upstream, direct] = await Promise.all([
      startSimulatorProcess(ctx, 'overhead-sim'),
      // The direct baseline gets a simulator of its own on the measured core, with the same accounts.
      startSimulatorProcess(ctx, 'overhead-sim-direct', {}, 'measured'),
    ]);
    const started = Promise.all([
      startBareServer(ctx, 'overhead-bare', upstream.origin),
      startServer(ctx, 'overhead-yoga-floor', 'bench/lib/yoga-floor.ts'),
      startGateway(ctx, 'overhead-gateway-info', upstream.origin, LOAD_ENV),
      startGateway(ctx, 'overhead-gateway-warn', upstream.origin, { ...LOAD_ENV, LOG_LEVEL: 'warn' }),
    ]);
    const accounts = await upstream.command<BenchAccount[]>(setup);
    const keys = accounts.map((a) => a.apiKey);
    for (const account of accounts) {
      await direct.command({ ...setup, count: 1, apiKey: account.apiKey });
    }
    const [bare, floor, info, warn] = await started;

    const query = text(ListVideosDocument);
    const body = JSON.stringify({ query, variables: { first: 20 }, operationName: 'ListVideos' });
    const post = (service: Service): Request => ({
      url: `${service.origin}/graphql`,
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body,
    });

    const targets: Target[] = [];
    const add = (key: Target['key'], label: string, service: Service, request: Request, gateway = false) =>
      targets.push({ key, label, service, request, gateway });
    add('direct', 'simulator direct', direct, {
      url: `${direct.origin}/api/serve/video/searchDB?page=1&pageSize=20&endTime=${Date.now() + 3_600_000}`,
      method: 'GET',
      headers: { accept: 'application/json' },
    });
    add('proxy', 'bare proxy', bare, post(bare));
    add('floor', 'minimal yoga, static data', floor, post(floor));
    add('info', 'gateway (LOG_LEVEL=info, default)', info, post(info), true);
    add('warn', 'gateway (LOG_LEVEL=warn)', warn, post(warn), true);
    for (const gw of [info, warn]) {
      const answer = await gql(`${gw.origin}/graphql`, keys[0] as string, query, { first: 20 });
      const edges = (answer.body.data?.videos as { data?: { edges?: unknown[] } })?.data?.edges;
      if (!succeeded(answer) || edges?.length !== 20) {
        throw new Error(
          `${gw.name} did not answer ListVideos with 20 videos: ${JSON.stringify(answer.body)}`,
        );
      }
    }

    const measured = new Map<Target['key'], Measured>();
    for (const target of targets) {
      ctx.log(`overhead: ${target.label}, ${connections} connections, ${seconds} s`);
      // autocannon runs at least a second, so a smoke run skips the warm-up.
      if (!ctx.smoke)
        await load({ ...target.request, authorizations: keys, connections, seconds: warmSeconds });
      const searchDB = () =>
        scrape(target.service.origin, 'mavi_gateway_upstream_requests_total', { endpoint: 'searchDB' });
      const upstreamBefore = target.gateway ? await searchDB() : 0;
      const cpuBefore = target.service.stats().cpuMs;
      const simBefore = upstream.stats().cpuMs;
      const saturated = await load({
        ...target.request,
        authorizations: keys,
        connections,
        seconds,
        ...(ctx.smoke ? { amount: 200 } : {}),
      });
      const cpuMs = target.service.stats().cpuMs - cpuBefore;
      const simMs = upstream.stats().cpuMs - simBefore;
      const calls = target.gateway ? (await searchDB()) - upstreamBefore : null;
      if (saturated.errors > 0 || saturated.non2xx > 0) {
        throw new Error(`${target.label}: ${saturated.errors} errors, ${saturated.non2xx} non-2xx answers`);
      }
      const callsUpstream = target.key === 'proxy' || target.gateway;
      measured.set(target.key, {
        saturated,
        cpuUsPerRequest: (cpuMs * 1000) / saturated.requests,
        simCpuUsPerRequest: callsUpstream ? (simMs * 1000) / saturated.requests : null,
        upstreamPerRequest: calls === null ? null : calls / saturated.requests,
      });
    }

    // An even rate every target sustains: half of the slower gateway's saturated throughput.
    const m = (key: Target['key']) => measured.get(key) as Measured;
    const rate = Math.max(
      10,
      Math.floor((Math.min(m('info').saturated.rps, m('warn').saturated.rps) * 0.5) / 10) * 10,
    );
    const lags: string[] = [];
    for (const target of targets) {
      ctx.log(`overhead: ${target.label}, even ${rate} req/s, ${seconds} s`);
      // Event-loop delays over the run: the gateway's (prom-client, reset by each scrape) and
      // its upstream simulator's, so a tail can be placed.
      const lagged = target.gateway || target.key === 'proxy';
      if (lagged) await upstream.command({ cmd: 'lag' });
      if (target.gateway) await scrape(target.service.origin, 'nodejs_eventloop_lag_p99_seconds');
      const fixed = await paced({ ...target.request, authorizations: keys, connections, seconds, rate });
      if (lagged) {
        const sim = await upstream.command<{ p99Ms: number; maxMs: number }>({ cmd: 'lag' });
        const own = target.gateway
          ? `, the gateway's own p99 ${round((await scrape(target.service.origin, 'nodejs_eventloop_lag_p99_seconds')) * 1000, 1)} ms`
          : '';
        lags.push(
          `${target.label} at ${rate} req/s: event-loop delay (each figure includes its sampling interval: 5 ms for the simulator, 10 ms for the gateway) of the upstream simulator p99 ${round(sim.p99Ms, 1)} ms, max ${round(sim.maxMs, 1)} ms${own}.`,
        );
      }
      if (fixed.errors > 0 || fixed.non2xx > 0) {
        throw new Error(
          `${target.label}: ${fixed.errors} errors, ${fixed.non2xx} non-2xx answers at ${rate} req/s`,
        );
      }
      m(target.key).fixed = fixed;
    }

    const check = (met: boolean, text: string) => (ctx.smoke ? undefined : { text, met });
    const rps = (key: Target['key']) => m(key).saturated.rps;
    const p99 = (key: Target['key']) => m(key).fixed?.p99 ?? Number.NaN;
    const cpu = (key: Target['key']) => m(key).cpuUsPerRequest;
    const added = (key: Target['key']) => round(p99(key) - p99('direct'));
    const figures: Figure[] = [
      figure(
        'throughput, gateway (info) vs bare proxy',
        rps('info'),
        'req/s',
        { label: 'bare proxy', value: rps('proxy') },
        check(rps('info') >= 0.8 * rps('proxy'), '≥ 0.8x'),
      ),
      figure('throughput, gateway (warn) vs bare proxy', rps('warn'), 'req/s', {
        label: 'bare proxy',
        value: rps('proxy'),
      }),
      figure('throughput, gateway (info) vs simulator direct', rps('info'), 'req/s', {
        label: 'simulator direct',
        value: rps('direct'),
      }),
      figure('throughput, bare proxy vs simulator direct', rps('proxy'), 'req/s', {
        label: 'simulator direct',
        value: rps('direct'),
      }),
      figure('throughput, minimal yoga (static data) vs bare proxy', rps('floor'), 'req/s', {
        label: 'bare proxy',
        value: rps('proxy'),
      }),
      figure(
        `p99 latency at an even ${rate} req/s, gateway (info) vs simulator direct`,
        p99('info'),
        'ms',
        { label: 'simulator direct', value: p99('direct') },
        check(added('info') <= 5, `added ≤ 5 ms (added ${added('info')} ms)`),
      ),
      figure(
        `p99 latency at an even ${rate} req/s, gateway (warn) vs simulator direct`,
        p99('warn'),
        'ms',
        { label: 'simulator direct', value: p99('direct') },
        check(added('warn') <= 5, `added ≤ 5 ms (added ${added('warn')} ms)`),
      ),
      figure(`p99 latency at an even ${rate} req/s, gateway (info) vs bare proxy`, p99('info'), 'ms', {
        label: 'bare proxy',
        value: p99('proxy'),
      }),
      figure(
        `p50 latency at an even ${rate} req/s, gateway (info) vs simulator direct`,
        m('info').fixed?.p50 ?? Number.NaN,
        'ms',
        {
          label: 'simulator direct',
          value: m('direct').fixed?.p50 ?? Number.NaN,
        },
      ),
      figure(
        `p99 latency at saturation (${connections} connections), gateway (info) vs bare proxy`,
        m('info').saturated.p99,
        'ms',
        {
          label: 'bare proxy',
          value: m('proxy').saturated.p99,
        },
      ),
      figure('CPU per request, gateway (info) vs bare proxy', cpu('info'), 'µs', {
        label: 'bare proxy',
        value: cpu('proxy'),
      }),
      figure('CPU per request, gateway (warn) vs bare proxy', cpu('warn'), 'µs', {
        label: 'bare proxy',
        value: cpu('proxy'),
      }),
      figure('CPU per request, gateway (info) vs minimal yoga (static data)', cpu('info'), 'µs', {
        label: 'minimal yoga',
        value: cpu('floor'),
      }),
      figure(
        'searchDB calls per gateway request (info)',
        m('info').upstreamPerRequest ?? Number.NaN,
        'calls',
        {
          label: 'bare proxy: one per request',
          value: 1,
        },
      ),
    ];
    const notes = [
      ...lags,
      `${connections} connections, ${seconds} s per measured run after ${warmSeconds} s of warm-up; the even-rate runs send ${rate} req/s (half the slower gateway's saturated throughput) open-loop over at most ${connections} connections, latency counted from when each request was due.`,
      `Requests rotate over ${keys.length} credentials (25 videos each). The gateway runs as \`npm start\` runs it (the tsc build), with NODE_ENV=production and MAVI_GOVERNOR=false (the quota governor would cap searchDB at 200/min per credential), everything else at its defaults.`,
      "Each target runs pinned to one core (taskset); the load generator (autocannon in the bench process) and the upstream simulator share the other. CPU per request is the target's user+system time over its saturated run divided by the requests it answered.",
      'Latencies are per request, 2xx answers only; every run had 0 errors and 0 non-2xx answers or the scenario fails.',
      ...targets.map((t) => {
        const r = m(t.key);
        const sim =
          r.simCpuUsPerRequest === null
            ? ''
            : `, ${round(r.simCpuUsPerRequest, 0)} µs in the upstream simulator`;
        return `${t.label}: ${round(r.saturated.rps, 0)} req/s saturated (p50 ${round(r.saturated.p50)} ms, p99 ${round(r.saturated.p99)} ms); at ${rate} req/s p50 ${round(r.fixed?.p50 ?? Number.NaN)} ms, p99 ${round(r.fixed?.p99 ?? Number.NaN)} ms; ${round(r.cpuUsPerRequest, 0)} µs CPU per request${sim}.`;
      }),
    ];
    return { figures, notes };
  },
};
