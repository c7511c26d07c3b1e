/**
 * 7. Workers: `videos(first: 20)` through one gateway process against `WORKERS=2` (node:cluster,
 * two processes on one port sharing live state and quotas through Redis), both free to use
 * every core of this machine, in the same run against the same static upstream. Each request
 * is a distinct upstream call (MAVI_COALESCE=false), so throughput is the gateway's work.
 *
 * On a machine of two cores the load generator (autocannon in the bench process) and the
 * static upstream share the cores with the gateway, so two workers cannot double throughput;
 * what this shows is how much of the second core the gateway can turn into answers, and what
 * the cluster costs per request (CPU summed over the primary and its workers).
 */
import { ListVideosDocument } from '../operations/__generated__/graphql.js';
import { startRedis } from '../test/redis.js';
import { text } from './lib/client.js';
import { load } from './lib/load.js';
import { type Service, startGateway, startServer, treeStats } from './lib/procs.js';
import { format, MiB, median, round } from './lib/stats.js';
import { figure, type Scenario } from './lib/types.js';

const ENV = { MAVI_GOVERNOR: 'false', MAVI_COALESCE: 'false' };

interface Round {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
  rssBytes: number;
}

export const workers: Scenario = {
  name: 'workers',
  title: 'Workers: one process against WORKERS=2 on this machine',
  async run(ctx) {
    const seconds = ctx.smoke ? 1 : 5;
    const rounds = ctx.smoke ? 1 : 3;
    const connections = 50;
    const redis = await startRedis();
    try {
      const upstream = await startServer(
        ctx,
        'workers-upstream',
        'bench/lib/static-upstream.ts',
        {},
        {
          placement: 'shared',
        },
      );
      const [single, withRedis, cluster] = await Promise.all([
        startGateway(ctx, 'workers-single', upstream.origin, ENV, 'unpinned'),
        startGateway(ctx, 'workers-one-redis', upstream.origin, { ...ENV, REDIS_URL: redis.url }, 'unpinned'),
        startGateway(
          ctx,
          'workers-two',
          upstream.origin,
          { ...ENV, REDIS_URL: redis.url, WORKERS: '2' },
          'unpinned',
        ),
      ]);
      const targets: { label: string; service: Service }[] = [
        { label: 'one process', service: single },
        { label: 'one process, REDIS_URL', service: withRedis },
        { label: 'WORKERS=2, REDIS_URL', service: cluster },
      ];
      const body = JSON.stringify({ query: text(ListVideosDocument), variables: { first: 20 } });
      const request = (service: Service) => ({
        url: `${service.origin}/graphql`,
        method: 'POST' as const,
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body,
        authorizations: ['sk-bench-workers'],
        connections,
      });
      const measured = new Map<string, Round[]>(targets.map((t) => [t.label, []]));
      if (!ctx.smoke) {
        for (const t of targets) {
          ctx.log(`workers: warming ${t.label} up, 3 s`);
          await load({ ...request(t.service), seconds: 3 });
        }
      }
      for (let r = 0; r < rounds; r++) {
        const order = [...targets.slice(r % targets.length), ...targets.slice(0, r % targets.length)];
        for (const t of order) {
          ctx.log(`workers: round ${r + 1}/${rounds}, ${t.label}, ${connections} connections, ${seconds} s`);
          const before = treeStats(t.service.pid).cpuMs;
          const result = await load({
            ...request(t.service),
            seconds,
            ...(ctx.smoke ? { amount: 100 } : {}),
          });
          const after = treeStats(t.service.pid);
          if (result.errors > 0 || result.non2xx > 0) {
            throw new Error(`${t.label}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
          }
          measured.get(t.label)?.push({
            rps: result.rps,
            p50: result.p50,
            p99: result.p99,
            cpuUsPerRequest: ((after.cpuMs - before) * 1000) / result.requests,
            rssBytes: after.rssBytes,
          });
        }
      }
      const med = (label: string, pick: (r: Round) => number) =>
        median((measured.get(label) ?? []).map(pick));
      const base = { label: 'one process', value: med('one process', (r) => r.rps) };
      const twoRps = med('WORKERS=2, REDIS_URL', (r) => r.rps);
      return {
        figures: [
          figure(
            'throughput, WORKERS=2 against one process',
            round(twoRps, 0),
            'req/s',
            { label: base.label, value: round(base.value, 0) },
            ctx.smoke
              ? undefined
              : { text: 'more than one process on this 2-core machine', met: twoRps > base.value },
          ),
          figure(
            'CPU per request, WORKERS=2 (primary and workers) against one process',
            round(
              med('WORKERS=2, REDIS_URL', (r) => r.cpuUsPerRequest),
              1,
            ),
            'µs',
            {
              label: 'one process',
              value: round(
                med('one process', (r) => r.cpuUsPerRequest),
                1,
              ),
            },
          ),
        ],
        tables: [
          {
            header: [
              'target',
              'req/s (median)',
              'CPU µs/request',
              'p50 / p99 ms',
              'RSS MiB (all processes)',
              'req/s by round',
            ],
            rows: targets.map((t) => [
              t.label,
              format(
                round(
                  med(t.label, (r) => r.rps),
                  0,
                ),
              ),
              format(
                round(
                  med(t.label, (r) => r.cpuUsPerRequest),
                  1,
                ),
              ),
              `${format(
                round(
                  med(t.label, (r) => r.p50),
                  2,
                ),
              )} / ${format(
                round(
                  med(t.label, (r) => r.p99),
                  2,
                ),
              )}`,
              format(round(med(t.label, (r) => r.rssBytes) / MiB, 1)),
              (measured.get(t.label) ?? []).map((r) => format(round(r.rps, 0))).join(', '),
            ]),
          },
        ],
        notes: [
          `${connections} connections, ${rounds} rounds of ${seconds} s, targets interleaved, medians; the gateways run as \`npm start\` runs them with MAVI_GOVERNOR=false and MAVI_COALESCE=false (one upstream call per request), none pinned: the load generator and the static upstream share both cores with them.`,
          'CPU per request sums user and system time over the gateway process and its children (the cluster primary and its workers); RSS likewise.',
        ],
      };
    } finally {
      await redis.close();
    }
  },
};
