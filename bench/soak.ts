/**
 * 6. Soak: ten minutes of a steady mix through one gateway: queries (listings, lookups,
 * searches, clips), uploads each followed by a status subscription that MAVI's own callbacks
 * complete, and streamed chats. Every operation must succeed; the gateway's resident memory,
 * sampled every 5 s, must stay flat after the warm-up (growth under 10%).
 */
import { performance } from 'node:perf_hooks';
import {
  ChatStreamDocument,
  GetVideoDocument,
  ListVideosDocument,
  ListVideosWithClipsDocument,
  SearchVideosDocument,
  WatchVideosDocument,
} from '../operations/__generated__/graphql.js';
import { gql, subscribeSse, succeeded, text, upload } from './lib/client.js';
import { atRate } from './lib/pool.js';
import { startGateway, startSimulatorProcess } from './lib/procs.js';
import type { BenchAccount } from './lib/sim-protocol.js';
import { MiB, round, sleep } from './lib/stats.js';
import { figure, type Scenario } from './lib/types.js';

interface Tally {
  ok: number;
  failed: number;
  /** The first few failures, for the report. */
  examples: string[];
}

export const soak: Scenario = {
  name: 'soak',
  title: 'Soak: ten minutes of mixed traffic',
  async run(ctx) {
    const seconds = ctx.smoke ? 1.5 : 600;
    const warmSeconds = ctx.smoke ? 0.3 : 60;
    const sampleMs = ctx.smoke ? 100 : 5000;
    const queryRate = ctx.smoke ? 20 : 40;
    const uploadRate = ctx.smoke ? 2 : 0.5;
    const chatRate = ctx.smoke ? 2 : 0.5;
    const uploadBytes = ctx.smoke ? 256 * 1024 : 4 * MiB;

    const parseDelayMs = ctx.smoke ? 500 : 2000;
    const sim = await startSimulatorProcess(ctx, 'soak-sim', { parseDelayMs, chatChunkDelayMs: 25 });
    const accounts = await sim.command<BenchAccount[]>({
      cmd: 'accounts',
      count: 20,
      seed: true,
      videos: 20,
      status: 'PARSE',
    });
    // Uploads (10/min) and chat (10/min) per credential would be rate-limited under the governor.
    const gateway = await startGateway(ctx, 'soak-gateway', sim.origin, { MAVI_GOVERNOR: 'false' });
    const url = `${gateway.origin}/graphql`;

    const tallies = { query: newTally(), upload: newTally(), subscription: newTally(), chat: newTally() };
    const fail = (tally: Tally, what: string) => {
      tally.failed += 1;
      if (tally.examples.length < 5) tally.examples.push(what.slice(0, 300));
    };
    const pick = <T>(items: readonly T[], i: number) => items[i % items.length] as T;
    const queries = [
      (_: BenchAccount) => ({ q: text(ListVideosDocument), v: { first: 20 } }),
      (a: BenchAccount, i: number) => ({ q: text(GetVideoDocument), v: { videoNo: pick(a.videoNos, i) } }),
      (_: BenchAccount) => ({ q: text(SearchVideosDocument), v: { query: 'kitchen' } }),
      (_: BenchAccount) => ({ q: text(ListVideosWithClipsDocument), v: { first: 10, query: 'bench' } }),
    ];

    const samples: { at: number; rss: number }[] = [];
    const started = performance.now();
    const sampler = setInterval(() => {
      samples.push({ at: (performance.now() - started) / 1000, rss: gateway.stats().rssBytes });
    }, sampleMs);

    const query = atRate(Math.round(seconds * queryRate), queryRate, async (i) => {
      const account = pick(accounts, i);
      const { q, v } = (
        queries[i % queries.length] as (a: BenchAccount, i: number) => { q: string; v: object }
      )(account, i);
      try {
        const result = await gql(url, account.apiKey, q, v as Record<string, unknown>);
        if (succeeded(result)) tallies.query.ok += 1;
        else fail(tallies.query, JSON.stringify(result.body));
      } catch (error) {
        fail(tallies.query, (error as Error).message);
      }
    });

    // An upload through the gateway, then a subscription to its status that MAVI's callback
    // (PARSE after 2 s) completes.
    const uploads = atRate(Math.max(1, Math.round(seconds * uploadRate)), uploadRate, async (i) => {
      const account = pick(accounts, i + 7);
      try {
        const done = await upload(url, account.apiKey, uploadBytes, {
          graphql: true,
          filename: `soak_${i}.mp4`,
        });
        const videoNo = /"videoNo":"([^"]+)"/.exec(done.body)?.[1];
        if (done.status !== 200 || !videoNo) {
          fail(tallies.upload, `${done.status} ${done.body}`);
          return;
        }
        tallies.upload.ok += 1;
        let next = 0;
        let finalStatus = '';
        const stream = subscribeSse(
          url,
          {
            authorization: account.apiKey,
            query: text(WatchVideosDocument),
            variables: { videoNos: [videoNo] },
          },
          (event) => {
            if (event.event !== 'next') return;
            next += 1;
            finalStatus = /"status":"([A-Z_]+)"/.exec(event.data)?.[1] ?? event.data;
          },
        );
        const timer = setTimeout(() => stream.close(), 20_000);
        await stream.ended;
        clearTimeout(timer);
        if (!stream.error && next === 0) {
          // Parsed before the subscription's ownership check: it completes at once, rightly.
          const now = await gql(url, account.apiKey, text(GetVideoDocument), { videoNo });
          if (JSON.stringify(now.body).includes('"status":"PARSE"')) finalStatus = 'PARSE';
        }
        if (stream.error || finalStatus !== 'PARSE') {
          fail(
            tallies.subscription,
            `${videoNo}: ${next} events, last ${finalStatus}, ${stream.error?.message ?? ''}`,
          );
        } else {
          tallies.subscription.ok += 1;
        }
      } catch (error) {
        fail(tallies.upload, (error as Error).message);
      }
    });

    const chats = atRate(Math.max(1, Math.round(seconds * chatRate)), chatRate, async (i) => {
      const account = pick(accounts, i + 3);
      let chunks = 0;
      let errors = '';
      const stream = subscribeSse(
        url,
        {
          authorization: account.apiKey,
          query: text(ChatStreamDocument),
          variables: { input: { videoNos: account.videoNos.slice(0, 2), message: 'what happens here?' } },
        },
        (event) => {
          if (event.event !== 'next') return;
          if (event.data.includes('SubscriptionChatStreamSuccess')) chunks += 1;
          else errors = event.data;
        },
      );
      await stream.ended;
      if (stream.error || errors || chunks === 0) {
        fail(tallies.chat, `${chunks} chunks, ${errors} ${stream.error?.message ?? ''}`);
      } else {
        tallies.chat.ok += 1;
      }
    });

    await Promise.all([query, uploads, chats]);
    clearInterval(sampler);
    await sleep(ctx.smoke ? 100 : 2000);
    samples.push({ at: (performance.now() - started) / 1000, rss: gateway.stats().rssBytes });

    const afterWarm = samples.filter((s) => s.at >= warmSeconds);
    const base = afterWarm[0]?.rss ?? samples[0]?.rss ?? 0;
    const final = samples.at(-1)?.rss ?? 0;
    const peak = Math.max(...afterWarm.map((s) => s.rss));
    // The last minute's mean: one sample (a GC about to run) does not decide the trend.
    const lastMinute = afterWarm.filter((s) => s.at >= (samples.at(-1)?.at ?? 0) - 60);
    const tail = lastMinute.reduce((sum, s) => sum + s.rss, 0) / Math.max(1, lastMinute.length);
    const failures = Object.values(tallies).reduce((sum, t) => sum + t.failed, 0);
    const check = (met: boolean, text: string) => (ctx.smoke ? undefined : { text, met });
    if (ctx.smoke && failures > 0) {
      throw new Error(`soak: ${failures} failures: ${JSON.stringify(tallies)}`);
    }
    const mib = (bytes: number) => round(bytes / MiB, 1);
    return {
      figures: [
        figure(
          'failed operations',
          failures,
          'operations',
          {
            label: 'operations sent',
            value: Object.values(tallies).reduce((sum, t) => sum + t.ok + t.failed, 0),
          },
          check(failures === 0, 'none'),
        ),
        figure(
          'gateway RSS, mean of the last minute',
          tail / MiB,
          'MiB',
          { label: `RSS at the end of the ${warmSeconds} s warm-up`, value: base / MiB },
          check(tail <= base * 1.1, 'growth < 10%'),
        ),
        figure('gateway RSS, highest sample after the warm-up', peak / MiB, 'MiB', {
          label: 'RSS at the end of the warm-up',
          value: base / MiB,
        }),
      ],
      notes: [
        `${seconds} s at a steady ${queryRate} queries/s (ListVideos, GetVideo, SearchVideos, ListVideosWithClips in turn, over ${accounts.length} credentials), ${uploadRate} uploads/s of ${uploadBytes / MiB} MiB through the gateway each followed by a videoStatusChanged subscription that the simulator's callbacks complete (PARSE after ${parseDelayMs / 1000} s), and ${chatRate} chatStream subscriptions/s. The gateway with MAVI_GOVERNOR=false, otherwise defaults.`,
        `Outcomes: ${Object.entries(tallies)
          .map(([k, t]) => `${k} ${t.ok} ok / ${t.failed} failed`)
          .join(
            ', ',
          )}.${failures ? ` First failures: ${JSON.stringify(Object.fromEntries(Object.entries(tallies).map(([k, t]) => [k, t.examples])))}` : ''}`,
        `RSS every ${sampleMs / 1000} s (MiB): ${samples.map((s) => mib(s.rss)).join(' ')}. Final ${mib(final)} MiB.`,
      ],
    };
  },
};

function newTally(): Tally {
  return { ok: 0, failed: 0, examples: [] };
}
