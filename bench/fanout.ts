/**
 * 3. Subscription fan-out: 10 000 concurrent SSE subscriptions (1 000 credentials x 10
 * videos, one `videoStatusChanged(videoNos: [one])` each), then every video changes status
 * once through a signed MAVI upload callback POSTed to the gateway at an even rate.
 *
 * Measured: delivery latency from just before each callback POST to the client reading its
 * event; the gateway's resident memory per open subscription; upstream status polls per
 * polling interval while the 10 000 are open. Baseline, in the same run: a bare node:http
 * SSE server (bare-server.ts) holding the same number of streams and writing one event per
 * notification POST at the same rate: the floor for holding an SSE connection in Node.
 */
import { performance } from 'node:perf_hooks';
import { createClient as createSseClient, type Client as SingleConnectionClient } from 'graphql-sse';
import { WatchVideosDocument } from '../operations/__generated__/graphql.js';
import { post, type SseStream, subscribeSse, text, upload } from './lib/client.js';
import { scrape } from './lib/metrics.js';
import { atRate, pool } from './lib/pool.js';
import {
  type Service,
  startBareServer,
  startGateway,
  startServer,
  startSimulatorProcess,
} from './lib/procs.js';
import type { BenchAccount, CallCounts } from './lib/sim-protocol.js';
import { percentile, round, sleep } from './lib/stats.js';
import { figure, type Scenario } from './lib/types.js';

/** The gateway's default shortest polling interval (POLL_MIN_MS). */
const POLL_MIN_MS = 2000;

interface Watch {
  apiKey: string;
  clientId: string;
  videoNo: string;
  /** The path of the callback URL the gateway issued for this video's upload. */
  callback: string;
  stream?: SseStream;
  /** performance.now() just before the callback (or notification) POST. */
  sentAt?: number;
  /** When the client read the event. */
  deliveredAt?: number;
  status?: string;
  events: number;
}

interface Phase {
  /** RSS before the streams open (warm process), after they are all open, after they all closed. */
  rssBefore: number;
  rssOpen: number;
  openMs: number;
  latencies: number[];
  /** CPU time of the server over the delivery phase, per delivered event, µs. */
  cpuUsPerEvent: number;
  deliverMs: number;
  /** Delivery p99 (ms) of the notifications sent in each second. */
  p99BySecond: number[];
}

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Waits for the process's RSS to stop moving (GC and allocator settling), then reads it. */
async function settledRss(service: Service, smoke: boolean): Promise<number> {
  let last = service.stats().rssBytes;
  for (let i = 0; i < (smoke ? 1 : 20); i++) {
    await sleep(500);
    const now = service.stats().rssBytes;
    if (Math.abs(now - last) < 512 * 1024) return now;
    last = now;
  }
  return last;
}

export const fanout: Scenario = {
  name: 'fanout',
  title: 'Subscription fan-out: 10 000 SSE subscriptions, one callback per video',
  async run(ctx) {
    const credentials = ctx.smoke ? 5 : 1000;
    const perCredential = 10;
    const total = credentials * perCredential;
    const callbackRate = ctx.smoke ? 200 : 1000;
    const openConcurrency = ctx.smoke ? 20 : 200;
    const pollWindows = ctx.smoke ? 1 : 5;
    const windowMs = ctx.smoke ? 200 : POLL_MIN_MS;

    // Parsing never ends on its own: the bench sends each video's PARSE callback itself.
    const sim = await startSimulatorProcess(ctx, 'fanout-sim', { parseDelayMs: 24 * 3600 * 1000 });
    const bareStarted = startBareServer(ctx, 'fanout-bare', sim.origin);
    const floorStarted = startServer(ctx, 'fanout-yoga-floor', 'bench/lib/yoga-floor.ts');
    const created = await sim.command<BenchAccount[]>({
      cmd: 'accounts',
      count: credentials,
      seed: false,
      videos: 0,
      status: 'UNPARSE',
    });

    // ---------------------------------------------------------------- the gateway
    // Defaults, quota governor and polling intervals included, but for uploads: the videos are
    // uploaded through it (each callback URL is bound to its upload's video), 11 per account.
    const query = text(WatchVideosDocument);
    const startFanoutGateway = async (name: string) => {
      const gateway = await startGateway(ctx, name, sim.origin, {
        MAVI_RATE_LIMITS: JSON.stringify({ upload: { perMinute: 1_000_000, perDay: null } }),
      });
      const url = `${gateway.origin}/graphql`;
      ctx.log(`fanout: uploading ${credentials * (perCredential + 1)} videos through ${name}`);
      const accounts: BenchAccount[] = created.map((a) => ({ ...a, videoNos: [] }));
      await pool(
        accounts.flatMap((a, i) => Array.from({ length: perCredential + 1 }, (_, j) => ({ a, i, j }))),
        32,
        async ({ a, i, j }) => {
          const answer = await upload(url, a.apiKey, 1024, {
            graphql: true,
            filename: `bench_${i}_${j}.mp4`,
          });
          const videoNo = (
            JSON.parse(answer.body) as { data?: { uploadVideo?: { data?: { videoNo?: string } } } }
          ).data?.uploadVideo?.data?.videoNo;
          if (!videoNo) throw new Error(`${name}: an upload failed: ${answer.body.slice(0, 200)}`);
          a.videoNos[j] = videoNo;
        },
      );
      // The simulator's UNPARSE callback for each upload, once the gateway has answered it.
      let callbackUrls: Record<string, string> = {};
      const uploaded = accounts.flatMap((a) => a.videoNos);
      await until(
        async () => {
          callbackUrls = await sim.command<Record<string, string>>({ cmd: 'callbackUrls' });
          return uploaded.every((videoNo) => callbackUrls[videoNo] !== undefined);
        },
        60_000,
        'fanout: the upload callbacks did not all arrive',
      );
      const callbackOf = (videoNo: string) => {
        const found = callbackUrls[videoNo];
        if (!found) throw new Error(`fanout: no callback URL for ${videoNo}`);
        return new URL(found).pathname;
      };
      const makeWatches = (): Watch[] =>
        accounts.flatMap((a) =>
          a.videoNos.slice(0, perCredential).map((videoNo) => ({
            apiKey: a.apiKey,
            clientId: a.clientId,
            videoNo,
            callback: callbackOf(videoNo),
            events: 0,
          })),
        );
      return { gateway, url, accounts, callbackOf, makeWatches };
    };
    /**
     * Warms a gateway as one in service is: every code path of the phase (subscribe, check,
     * callback, event, completion) run and compiled, pools and caches made, before the
     * baseline RSS. Each warm-up subscription watches a video the phase does not use.
     */
    const warm = async (
      g: Awaited<ReturnType<typeof startFanoutGateway>>,
      open: (w: Watch, onEvent: (event: { event: string; data: string; at: number }) => void) => SseStream,
    ) => {
      await pool(g.accounts.slice(0, ctx.smoke ? 5 : 200), 20, async (a) => {
        const videoNo = a.videoNos[perCredential] as string;
        let delivered = false;
        const w: Watch = {
          apiKey: a.apiKey,
          clientId: a.clientId,
          videoNo,
          callback: g.callbackOf(videoNo),
          events: 0,
        };
        const s = open(w, (e) => {
          if (e.event === 'next') delivered = true;
        });
        await s.opened;
        await sleep(ctx.smoke ? 50 : 300);
        await post(
          g.gateway.origin,
          w.callback,
          JSON.stringify({ videoNo, clientId: a.clientId, status: 'PARSE' }),
        );
        await s.ended;
        if (!delivered) throw new Error(`${g.gateway.name}: a warm-up subscription got no event`);
      });
      await sleep(ctx.smoke ? 50 : 500);
    };
    const gatewayPhase = (
      g: Awaited<ReturnType<typeof startFanoutGateway>>,
      open: (w: Watch, onEvent: (event: { event: string; data: string; at: number }) => void) => SseStream,
      measureWhileOpen: () => Promise<unknown>,
    ) =>
      runPhase(ctx, g.gateway, g.makeWatches(), {
        open,
        subscribed: async () => {
          // Every subscription has started (it counts itself before its ownership check)...
          const active = await scrape(g.gateway.origin, 'mavi_gateway_subscriptions_active', {
            operation: 'videoStatusChanged',
          });
          return active >= total;
        },
        notify: (w) =>
          post(
            g.gateway.origin,
            w.callback,
            JSON.stringify({ videoNo: w.videoNo, clientId: w.clientId, status: 'PARSE' }),
          ),
        callbackRate,
        openConcurrency,
        settle: async () => {
          // ...and their ownership checks (unfiltered searchDB scans) are over.
          let last = -1;
          await until(
            async () => {
              const counts = await sim.command<CallCounts>({ cmd: 'counts' });
              const scans = counts.searchDBByStatus.none ?? 0;
              const still = scans === last;
              last = scans;
              return still;
            },
            120_000,
            'ownership checks did not finish',
          );
        },
        measureWhileOpen,
      });

    const first = await startFanoutGateway('fanout-gateway');
    const distinct = (w: Watch, onEvent: (event: { event: string; data: string; at: number }) => void) =>
      subscribeSse(
        first.url,
        { authorization: w.apiKey, query, variables: { videoNos: [w.videoNo] } },
        onEvent,
      );
    await warm(first, distinct);
    const gw = await gatewayPhase(first, distinct, async () => {
      // Upstream calls per shortest polling interval, in consecutive windows.
      const windows: CallCounts[] = [];
      for (let i = 0; i < pollWindows; i++) {
        await sim.command({ cmd: 'resetCalls' });
        await sleep(windowMs);
        windows.push(await sim.command<CallCounts>({ cmd: 'counts' }));
      }
      return windows;
    });
    const windows = gw.measured as CallCounts[];
    await first.gateway.stop();
    const accounts = first.accounts;
    const makeWatches = first.makeWatches;

    // ------------------------------------------- the gateway, graphql-sse single connection mode
    // As a browser's graphql-sse client subscribes: one event stream per credential carrying its
    // ten operations (a fresh gateway, so its RSS says what these subscriptions hold).
    const second = await startFanoutGateway('fanout-gateway-single');
    const singleClients = new Map<string, SingleConnectionClient<true>>();
    const single = (w: Watch, onEvent: (event: { event: string; data: string; at: number }) => void) => {
      let client = singleClients.get(w.apiKey);
      if (!client) {
        client = createSseClient({
          url: second.url,
          singleConnection: true,
          headers: { authorization: w.apiKey },
          retryAttempts: 0,
        });
        singleClients.set(w.apiKey, client);
      }
      return subscribeSingle(client, { query, variables: { videoNos: [w.videoNo] } }, onEvent);
    };
    await warm(second, single);
    const gwSingle = await gatewayPhase(second, single, async () => null);
    for (const client of singleClients.values()) client.dispose();
    await second.gateway.stop();

    // ---------------------------------------------------------------- the yoga floor
    const floor = await floorStarted;
    const floorUrl = `${floor.origin}/graphql`;
    const video = (videoNo: string) =>
      JSON.stringify({
        videoNo,
        name: `${videoNo}.mp4`,
        status: 'PARSE',
        uploadedAt: null,
        durationSeconds: 60,
      });
    await pool(accounts.slice(0, ctx.smoke ? 5 : 200), 20, async (a) => {
      const w = a.videoNos[0] as string;
      const s = subscribeSse(
        floorUrl,
        { authorization: '', query, variables: { videoNos: [`warm-${w}`] } },
        () => {},
      );
      await s.opened;
      await post(floor.origin, `/notify?topic=warm-${w}`, video(w));
      await s.ended;
    });
    await sleep(ctx.smoke ? 50 : 500);
    const yogaFloor = await runPhase(ctx, floor, makeWatches(), {
      open: (w, onEvent) =>
        subscribeSse(floorUrl, { authorization: '', query, variables: { videoNos: [w.videoNo] } }, onEvent),
      subscribed: async () => Number(await (await fetch(`${floor.origin}/waiting`)).text()) >= total,
      notify: (w) => post(floor.origin, `/notify?topic=${w.videoNo}`, video(w.videoNo)),
      callbackRate,
      openConcurrency,
      settle: async () => {},
      measureWhileOpen: async () => null,
    });
    await floor.stop();

    // ---------------------------------------------------------------- the bare floor
    const bare = await bareStarted;
    // The same payload size as the gateway's event, for the same write.
    const payload = JSON.stringify({
      data: {
        videoStatusChanged: {
          __typename: 'SubscriptionVideoStatusChangedSuccess',
          data: {
            previousStatus: 'UNPARSE',
            video: {
              videoNo: 'mavi_video_000000000000000000',
              name: null,
              status: 'PARSE',
              uploadedAt: null,
              durationSeconds: null,
            },
          },
        },
      },
    });
    await pool(accounts.slice(0, ctx.smoke ? 5 : 200), 20, async (a) => {
      const s = subscribeSse(
        `${bare.origin}/sse?topic=warm-${a.clientId}`,
        { authorization: '', query: '' },
        () => {},
      );
      await s.opened;
      await post(bare.origin, `/notify?topic=warm-${a.clientId}`, payload);
      await s.ended;
    });
    await sleep(ctx.smoke ? 50 : 500);
    let opened = 0;
    const base = await runPhase(ctx, bare, makeWatches(), {
      open: (w, onEvent) => {
        const s = subscribeSse(
          `${bare.origin}/sse?topic=${w.videoNo}`,
          { authorization: '', query: '' },
          onEvent,
        );
        void s.opened.then(() => {
          opened += 1;
        });
        return s;
      },
      subscribed: () => opened >= total,
      notify: (w) => post(bare.origin, `/notify?topic=${w.videoNo}`, payload),
      callbackRate,
      openConcurrency,
      settle: async () => {},
      measureWhileOpen: async () => null,
    });
    await bare.stop();

    const pollCalls = windows.map((w) => w.searchDBByStatus.UNPARSE ?? 0);
    const allCalls = windows.map((w) => w.total);
    const maxPoll = Math.max(...pollCalls);
    const maxAll = Math.max(...allCalls);
    const perSubscription = (p: Phase) => (p.rssOpen - p.rssBefore) / total / 1024;
    const check = (met: boolean, text: string) => (ctx.smoke ? undefined : { text, met });
    const p99 = (p: Phase) => percentile(p.latencies, 99);
    return {
      figures: [
        figure(
          'delivery latency p99, callback POST to client',
          p99(gw),
          'ms',
          { label: 'bare SSE server', value: p99(base) },
          check(p99(gw) <= 100, '≤ 100 ms'),
        ),
        figure('delivery latency p99, minimal yoga (no upstream) vs bare SSE server', p99(yogaFloor), 'ms', {
          label: 'bare SSE server',
          value: p99(base),
        }),
        figure('delivery latency p50', percentile(gw.latencies, 50), 'ms', {
          label: 'bare SSE server',
          value: percentile(base.latencies, 50),
        }),
        figure(
          'resident memory per open subscription',
          perSubscription(gw),
          'KiB',
          { label: 'bare SSE server, per stream', value: perSubscription(base) },
          check(perSubscription(gw) <= 20, '≤ 20 KB'),
        ),
        figure(
          'resident memory per open subscription, graphql-sse single connection (a stream per credential)',
          perSubscription(gwSingle),
          'KiB',
          { label: 'distinct connections', value: perSubscription(gw) },
          check(perSubscription(gwSingle) <= 20, '≤ 20 KB'),
        ),
        figure(
          'delivery latency p99, graphql-sse single connection',
          p99(gwSingle),
          'ms',
          { label: 'distinct connections', value: p99(gw) },
          check(p99(gwSingle) <= 100, '≤ 100 ms'),
        ),
        figure('CPU per delivered event, graphql-sse single connection', gwSingle.cpuUsPerEvent, 'µs', {
          label: 'distinct connections',
          value: gw.cpuUsPerEvent,
        }),
        figure('resident memory per open subscription, gateway vs minimal yoga', perSubscription(gw), 'KiB', {
          label: 'minimal yoga subscription, no upstream',
          value: perSubscription(yogaFloor),
        }),
        figure(
          `status polls (searchDB UNPARSE) per ${POLL_MIN_MS} ms interval, worst window`,
          maxPoll,
          'calls',
          { label: `naive: one per subscription`, value: total },
          check(maxPoll <= credentials, `≤ ${credentials} (the credentials watched)`),
        ),
        figure(
          `all upstream calls per ${POLL_MIN_MS} ms interval while open, worst window`,
          maxAll,
          'calls',
          {
            label: 'credentials watched',
            value: credentials,
          },
        ),
        figure('CPU per delivered event (callback in, event out)', gw.cpuUsPerEvent, 'µs', {
          label: 'bare SSE server',
          value: base.cpuUsPerEvent,
        }),
        figure('CPU per delivered event, minimal yoga vs bare SSE server', yogaFloor.cpuUsPerEvent, 'µs', {
          label: 'bare SSE server',
          value: base.cpuUsPerEvent,
        }),
        figure(`time to open ${total} subscriptions (${openConcurrency} at a time)`, gw.openMs / 1000, 's', {
          label: 'bare SSE server',
          value: base.openMs / 1000,
        }),
      ],
      notes: [
        `${credentials} credentials x ${perCredential} UNPARSE videos; one SSE subscription (operations/live.graphql WatchVideos, one videoNo) per video, opened ${openConcurrency} at a time, each its own HTTP/1.1 connection; then one upload callback (status PARSE) per video at an even ${callbackRate}/s, to the callback URL the gateway issued for that video's upload (the videos are uploaded through the gateway first, 1 KiB each), as MAVI's would be. Every subscription received exactly one event and completed, or the scenario fails.`,
        `The gateway at its defaults (quota governor on, POLL_MIN_MS=${POLL_MIN_MS}, POLL_MAX_MS=30000, in-memory live state) on a core of its own; the bench (10 000 client sockets) and the simulator share the other.`,
        `Minimal yoga (bench/lib/yoga-floor.ts): the gateway's schema on graphql-yoga with no plugins, each subscription an async generator waiting for its notification, no upstream, no polling: ${round(yogaFloor.rssBefore / 2 ** 20, 1)} MiB -> ${round(yogaFloor.rssOpen / 2 ** 20, 1)} MiB, delivery p50 ${round(percentile(yogaFloor.latencies, 50), 2)} ms, p99 ${round(p99(yogaFloor), 2)} ms.`,
        `Memory: RSS once warm and settled, against RSS with all ${total} open and settled, divided by ${total}. Gateway ${round(gw.rssBefore / 2 ** 20, 1)} MiB -> ${round(gw.rssOpen / 2 ** 20, 1)} MiB; bare server ${round(base.rssBefore / 2 ** 20, 1)} MiB -> ${round(base.rssOpen / 2 ** 20, 1)} MiB.`,
        `Polls per ${POLL_MIN_MS} ms window (${pollWindows} consecutive windows after the subscriptions settled): UNPARSE listings ${JSON.stringify(pollCalls)}, all calls ${JSON.stringify(allCalls)}. Pollers back off x1.5 per quiet poll up to 30 s, so later windows see fewer.`,
        `graphql-sse single connection mode (the graphql-sse client with singleConnection: true, one client and so one event stream per credential, ten operations on it; a fresh gateway with its own uploads, warmed the same way): ${round(gwSingle.rssBefore / 2 ** 20, 1)} MiB -> ${round(gwSingle.rssOpen / 2 ** 20, 1)} MiB; delivery p50 ${round(percentile(gwSingle.latencies, 50), 2)} ms, p99 by second ${gwSingle.p99BySecond.join(' ')}.`,
        `Delivery p99 by second of sending, ms: gateway ${gw.p99BySecond.join(' ')}; minimal yoga ${yogaFloor.p99BySecond.join(' ')}; bare ${base.p99BySecond.join(' ')}.`,
        `Delivery: ${gw.latencies.length} events in ${round(gw.deliverMs / 1000, 1)} s through the gateway (max ${round(Math.max(...gw.latencies), 1)} ms), ${base.latencies.length} in ${round(base.deliverMs / 1000, 1)} s through the bare server.`,
      ],
    };
  },
};

/**
 * One operation on a graphql-sse client in single connection mode, as an {@link SseStream}:
 * `opened` resolves at once (the operation rides the client's one stream; `subscribed` in the
 * phase waits for the gateway to count it), each result an event with the time it was read.
 */
function subscribeSingle(
  client: SingleConnectionClient<true>,
  payload: { query: string; variables: Record<string, unknown> },
  onEvent: (event: { event: string; data: string; at: number }) => void,
): SseStream {
  let ended!: () => void;
  const stream: SseStream = {
    opened: Promise.resolve(200),
    ended: new Promise<void>((resolve) => {
      ended = resolve;
    }),
    error: null,
    close: () => dispose(),
  };
  const dispose = client.subscribe(payload, {
    next: (result) => onEvent({ event: 'next', data: JSON.stringify(result), at: performance.now() }),
    error: (error) => {
      stream.error = error instanceof Error ? error : new Error(JSON.stringify(error));
      ended();
    },
    complete: () => ended(),
  });
  return stream;
}

interface PhaseOptions {
  open(watch: Watch, onEvent: (event: { event: string; data: string; at: number }) => void): SseStream;
  subscribed(): boolean | Promise<boolean>;
  settle(): Promise<void>;
  measureWhileOpen(): Promise<unknown>;
  notify(watch: Watch): Promise<number>;
  callbackRate: number;
  openConcurrency: number;
}

async function runPhase(
  ctx: { log(message: string): void; smoke: boolean },
  server: Service,
  watches: Watch[],
  o: PhaseOptions,
): Promise<Phase & { measured: unknown }> {
  const total = watches.length;
  const rssBefore = await settledRss(server, ctx.smoke);
  ctx.log(`fanout: ${server.name}: opening ${total} streams`);
  const t0 = performance.now();
  await pool(watches, o.openConcurrency, async (w) => {
    w.stream = o.open(w, (event) => {
      if (event.event !== 'next') return;
      w.events += 1;
      w.deliveredAt ??= event.at;
      w.status ??= event.data;
    });
    const status = await w.stream.opened;
    if (status !== 200) throw new Error(`${server.name}: a stream opened with HTTP ${status}`);
  });
  await until(o.subscribed, 120_000, `${server.name}: not every stream was subscribed`).catch((error) => {
    const failed = watches.filter((w) => w.stream?.error);
    const first = failed[0]?.stream?.error;
    throw new Error(
      `${(error as Error).message}; ${failed.length} of ${total} failed${first ? `, the first with ${first.message}` : ''}`,
    );
  });
  const openMs = performance.now() - t0;
  await o.settle();
  const rssOpen = await settledRss(server, ctx.smoke);
  const measured = await o.measureWhileOpen();
  const broken = watches.filter((w) => w.stream?.error || w.events > 0);
  if (broken.length > 0)
    throw new Error(`${server.name}: ${broken.length} streams broke or got an event early`);

  ctx.log(`fanout: ${server.name}: ${total} notifications at ${o.callbackRate}/s`);
  const cpuBefore = server.stats().cpuMs;
  const t1 = performance.now();
  let refused = 0;
  await atRate(total, o.callbackRate, async (i) => {
    const w = watches[i] as Watch;
    w.sentAt = performance.now();
    const status = await o.notify(w);
    if (status !== 200) refused += 1;
  });
  await until(
    () => watches.every((w) => w.deliveredAt !== undefined),
    60_000,
    `${server.name}: events missing`,
  ).catch((error: Error) => {
    const missing = watches.filter((w) => w.deliveredAt === undefined).length;
    throw new Error(
      `${error.message}: ${missing} of ${total} not delivered, ${refused} notifications refused`,
    );
  });
  const deliverMs = performance.now() - t1;
  // p99 of the events sent in each second of the delivery phase: a queue grows, a pause spikes.
  const bySecond: number[][] = [];
  for (const w of watches) {
    const second = Math.floor(((w.sentAt as number) - t1) / 1000);
    const slice = bySecond[second] ?? [];
    bySecond[second] = slice;
    slice.push((w.deliveredAt as number) - (w.sentAt as number));
  }
  const p99BySecond = bySecond.map((l) => round(percentile(l ?? [], 99), 0));
  const cpuUsPerEvent = ((server.stats().cpuMs - cpuBefore) * 1000) / total;
  // Each stream ends after its one event (the video is final); wait for them to close.
  await Promise.all(watches.map((w) => w.stream?.ended));
  const extra = watches.filter((w) => w.events !== 1).length;
  if (refused > 0 || extra > 0)
    throw new Error(`${server.name}: ${refused} refused, ${extra} streams with ≠ 1 event`);
  return {
    rssBefore,
    rssOpen,
    openMs,
    latencies: watches.map((w) => (w.deliveredAt as number) - (w.sentAt as number)),
    cpuUsPerEvent,
    deliverMs,
    p99BySecond,
    measured,
  };
}
