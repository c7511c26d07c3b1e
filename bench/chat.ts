/**
 * 5. Streamed chat: the time from the simulator writing a chunk of a streamed chat answer
 * (its onChatChunk hook, called right after the write) to the client reading that chunk as
 * a `chatStream` subscription event through the gateway over SSE; baseline, the same chunks
 * read by a client of the simulator's own stream (chat with stream=true) directly.
 *
 * The simulator runs inside the bench process here, so the write and the read are timed by one
 * clock; the gateway runs in its own process on a core of its own.
 */
import { performance } from 'node:perf_hooks';
import { ChatStreamDocument } from '../operations/__generated__/graphql.js';
import { type ChatChunkWritten, startSimulator } from '../src/simulator/index.js';
import { subscribeSse, text } from './lib/client.js';
import { gcBetween, gcSnapshot, scrape, scrapeAll } from './lib/metrics.js';
import { pool } from './lib/pool.js';
import { startGateway } from './lib/procs.js';
import { percentile, round, sleep } from './lib/stats.js';
import { figure, type Scenario } from './lib/types.js';

/** The tag in each request's message that ties the simulator's writes to a client's reads. */
const TAG = /#stream-(\d+)-(\d+)/;

export const chat: Scenario = {
  name: 'chat',
  title: 'Streamed chat: chunk written by MAVI to chunk read by the client',
  async run(ctx) {
    const seconds = ctx.smoke ? 0.5 : 10;
    const concurrent = ctx.smoke ? 2 : 10;
    /** Write time of chunk `index` of stream `tag`, from the simulator's hook. */
    const written = new Map<string, number[]>();
    const chunkDelayMs = ctx.smoke ? 5 : 25;
    const sim = await startSimulator({
      chatChunkDelayMs: chunkDelayMs,
      onChatChunk: (chunk: ChatChunkWritten) => {
        const at = performance.now();
        const tag = TAG.exec((chunk.call.body as { message?: string } | undefined)?.message ?? '')?.[0];
        if (!tag) return;
        const times = written.get(tag) ?? [];
        times[chunk.index] = at;
        written.set(tag, times);
      },
    });
    try {
      const account = sim.createAccount();
      const videoNos = [...account.videos.values()].filter((v) => v.status === 'PARSE').map((v) => v.videoNo);
      // Chat is 10/min per credential under the quota governor: off, or this is a rate-limit test.
      const gateway = await startGateway(ctx, 'chat-gateway', sim.url, { MAVI_GOVERNOR: 'false' });
      const query = text(ChatStreamDocument);

      /** Latencies of every chunk of every stream, per way of reading it. */
      const viaGateway: number[] = [];
      const direct: number[] = [];
      /** The same latencies split: a stream's first chunk (which waits for its set-up) and the rest. */
      const firsts = { gateway: [] as number[], direct: [] as number[] };
      const rest = { gateway: [] as number[], direct: [] as number[] };
      let streams = 0;
      let chunks = 0;
      const run = async (mode: 'gateway' | 'direct', until: number, out: number[]) => {
        await pool(
          Array.from({ length: concurrent }, (_, i) => i),
          concurrent,
          async (worker) => {
            for (let n = 0; performance.now() < until; n++) {
              const tag = `#stream-${worker}-${mode === 'gateway' ? n * 2 : n * 2 + 1}`;
              const message = `What happens in these videos? ${tag}`;
              const received: number[] = [];
              const onEvent = (event: { event: string; data: string; at: number }) => {
                if (mode === 'gateway' && event.event === 'next') received.push(event.at);
                if (mode === 'direct' && event.data.includes('"0000"')) received.push(event.at);
              };
              const stream =
                mode === 'gateway'
                  ? subscribeSse(
                      `${gateway.origin}/graphql`,
                      { authorization: account.apiKey, query, variables: { input: { videoNos, message } } },
                      onEvent,
                    )
                  : subscribeSse(
                      `${sim.url}/api/serve/video/chat`,
                      {
                        authorization: account.apiKey,
                        query: '',
                        body: JSON.stringify({ videoNos, message, stream: true }),
                      },
                      onEvent,
                    );
              await stream.ended;
              if (stream.error) throw stream.error;
              const writes = written.get(tag) ?? [];
              if (writes.length === 0 || received.length !== writes.length) {
                throw new Error(`${mode}: ${tag} read ${received.length} chunks of ${writes.length} written`);
              }
              for (const [i, at] of received.entries()) {
                const latency = at - (writes[i] as number);
                out.push(latency);
                (i === 0 ? firsts : rest)[mode].push(latency);
              }
              written.delete(tag);
              streams += 1;
              chunks += received.length;
            }
          },
        );
      };
      ctx.log(`chat: ${concurrent} streams at a time straight from the simulator, ${seconds} s`);
      await run('direct', performance.now() + (ctx.smoke ? 100 : 2000), []);
      ctx.log(`chat: ${concurrent} streams at a time through the gateway, ${seconds} s`);
      await run('gateway', performance.now() + (ctx.smoke ? 100 : 2000), []);
      await sleep(100);
      const before = { streams, chunks };
      for (const split of [firsts, rest]) {
        split.gateway.length = 0;
        split.direct.length = 0;
      }
      await run('direct', performance.now() + seconds * 1000, direct);
      // prom-client's event-loop delay gauges cover the time since the last scrape.
      await scrape(gateway.origin, 'nodejs_eventloop_lag_max_seconds');
      const gcBefore = await gcSnapshot(gateway.origin);
      await run('gateway', performance.now() + seconds * 1000, viaGateway);
      const [lagP99, lagMax] = (
        await scrapeAll(gateway.origin, [
          'nodejs_eventloop_lag_p99_seconds',
          'nodejs_eventloop_lag_max_seconds',
        ])
      ).map((seconds) => seconds * 1000) as [number, number];
      const gc = gcBetween(gcBefore, await gcSnapshot(gateway.origin), seconds);
      const p99 = percentile(viaGateway, 99);
      const check = (met: boolean, text: string) => (ctx.smoke ? undefined : { text, met });
      return {
        figures: [
          figure(
            'chunk delivery latency p99, written by MAVI to read by the client',
            p99,
            'ms',
            { label: 'read from the simulator directly', value: percentile(direct, 99) },
            check(p99 <= 5, '≤ 5 ms'),
          ),
          figure('chunk delivery latency p50', percentile(viaGateway, 50), 'ms', {
            label: 'read from the simulator directly',
            value: percentile(direct, 50),
          }),
        ],
        notes: [
          `${concurrent} chatStream subscriptions at a time (operations/live.graphql ChatStream over SSE), each started again as soon as it ends, for ${seconds} s after a warm-up; the simulator writes a chunk (three words) every ${chunkDelayMs} ms. Through the gateway: ${streams - before.streams} streams, ${viaGateway.length} chunks; directly: ${direct.length} chunks. Every chunk written was read, in order, or the scenario fails.`,
          `p50/p99 of each stream's first chunk (it waits for the stream to be set up: the subscription, the upstream request, its answer's headers) against the others, ms: through the gateway first ${round(percentile(firsts.gateway, 50), 2)}/${round(percentile(firsts.gateway, 99), 2)}, others ${round(percentile(rest.gateway, 50), 2)}/${round(percentile(rest.gateway, 99), 2)}; directly first ${round(percentile(firsts.direct, 50), 2)}/${round(percentile(firsts.direct, 99), 2)}, others ${round(percentile(rest.direct, 50), 2)}/${round(percentile(rest.direct, 99), 2)}.`,
          `The gateway's own event-loop delay over the measured run (prom-client, sampled every 10 ms, which the figure includes): p99 ${round(lagP99, 2)} ms, max ${round(lagMax, 2)} ms. Its GC pauses over the same run (prom-client): ${gc}.`,
          `The gateway with MAVI_GOVERNOR=false (chat is 10/min per credential), otherwise defaults, on a core of its own; the simulator and the clients share the bench process on the other core, so both are timed by one clock. Max through the gateway ${round(Math.max(...viaGateway), 2)} ms, directly ${round(Math.max(...direct), 2)} ms.`,
        ],
      };
    } finally {
      await sim.close();
    }
  },
};
