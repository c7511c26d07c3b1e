/**
 * 2. Batching: upstream calls per query against the naive count (one call per field that
 * reads MAVI). A page of 200 videos with the clips of each for one query, and 200 aliased
 * `video(videoNo:)` lookups, each once on a fresh credential, counted by the simulator.
 */
import { performance } from 'node:perf_hooks';
import { ListVideosWithClipsDocument } from '../operations/__generated__/graphql.js';
import { gql, text, typenames } from './lib/client.js';
import { startGateway, startSimulatorProcess } from './lib/procs.js';
import type { BenchAccount, CallCounts } from './lib/sim-protocol.js';
import { round } from './lib/stats.js';
import { figure, type Scenario } from './lib/types.js';

/** MAVI's searchVideoFragment takes at most 50 videos a call. */
const FRAGMENT_VIDEOS = 50;

function lookups(videoNos: readonly string[]): string {
  const fields = videoNos.map(
    (no, i) =>
      `v${i}: video(videoNo: "${no}") { __typename ... on QueryVideoSuccess { data { videoNo name status uploadedAt durationSeconds } } ... on Error { code message } }`,
  );
  return `query Lookups {\n  ${fields.join('\n  ')}\n}`;
}

export const batching: Scenario = {
  name: 'batching',
  title: 'Batching: upstream calls per query',
  async run(ctx) {
    const videos = ctx.smoke ? 20 : 200;
    const sim = await startSimulatorProcess(ctx, 'batching-sim');
    const [forClips, forLookups] = await sim.command<BenchAccount[]>({
      cmd: 'accounts',
      count: 2,
      seed: false,
      videos,
      status: 'PARSE',
    });
    if (!forClips || !forLookups) throw new Error('no accounts');
    // Defaults throughout, quota governor included: each query runs once per credential.
    const gateway = await startGateway(ctx, 'batching-gateway', sim.origin);
    const url = `${gateway.origin}/graphql`;

    const measure = async (apiKey: string, query: string, variables: Record<string, unknown>) => {
      await sim.command({ cmd: 'resetCalls' });
      const t0 = performance.now();
      const result = await gql(url, apiKey, query, variables);
      const ms = performance.now() - t0;
      const counts = await sim.command<CallCounts>({ cmd: 'counts' });
      return { result, ms, counts };
    };

    const clips = await measure(forClips.apiKey, text(ListVideosWithClipsDocument), {
      first: videos,
      query: 'bench',
    });
    const edges =
      (clips.result.body.data?.videos as { data?: { edges?: { node: { clips: { __typename: string } } }[] } })
        ?.data?.edges ?? [];
    if (
      typenames(clips.result)[0] !== 'QueryVideosSuccess' ||
      edges.length !== videos ||
      !edges.every((e) => e.node.clips.__typename === 'VideoClipsSuccess')
    ) {
      throw new Error(`the clips query failed: ${JSON.stringify(clips.result.body).slice(0, 500)}`);
    }
    const lookup = await measure(forLookups.apiKey, lookups(forLookups.videoNos), {});
    const answers = typenames(lookup.result);
    if (answers.length !== videos || !answers.every((t) => t === 'QueryVideoSuccess')) {
      throw new Error(`the lookups failed: ${JSON.stringify(lookup.result.body).slice(0, 500)}`);
    }

    const fragmentCalls = clips.counts.byEndpoint.searchVideoFragment ?? 0;
    const clipsTotal = clips.counts.total;
    const lookupCalls = lookup.counts.byEndpoint.searchDB ?? 0;
    const expectedFragments = Math.ceil(videos / FRAGMENT_VIDEOS);
    const check = (met: boolean, text: string) => (ctx.smoke ? undefined : { text, met });
    return {
      figures: [
        figure(
          `searchVideoFragment calls, clips of ${videos} videos`,
          fragmentCalls,
          'calls',
          { label: 'naive: one per Video.clips', value: videos },
          check(fragmentCalls === expectedFragments, `${expectedFragments} calls`),
        ),
        figure(`all upstream calls, clips of ${videos} videos`, clipsTotal, 'calls', {
          label: 'naive: searchDB + one per Video.clips',
          value: videos + 1,
        }),
        figure(
          `searchDB calls, ${videos} video(videoNo) lookups`,
          lookupCalls,
          'calls',
          { label: 'naive: one scan per lookup', value: videos },
          check(lookupCalls === 1, 'one searchDB scan (1 call at 200 a page)'),
        ),
      ],
      notes: [
        `One account of ${videos} parsed videos per query, no other videos; the gateway at its defaults (quota governor on), each query sent once.`,
        `Clips query (operations/videos.graphql ListVideosWithClips, first: ${videos}): ${JSON.stringify(clips.counts.byEndpoint)} in ${round(clips.ms, 1)} ms.`,
        `Lookups (${videos} aliases of video(videoNo:) with the Video fields): ${JSON.stringify(lookup.counts.byEndpoint)} in ${round(lookup.ms, 1)} ms.`,
      ],
    };
  },
};
