import { builder } from '../builder.js';
import { isLoadFailure } from '../loaders.js';
import { LIMITS } from '../mavi/endpoints.js';
import type { ClipRecord } from '../mavi/types.js';
import { COST, callsFor } from './cost.js';
import { idList, MAX_PROMPT_LENGTH, text } from './validate.js';
import { ClipRef, VideoRef } from './video.js';

builder.queryField('searchVideos', (t) =>
  t.field({
    type: [VideoRef],
    description: 'Natural-language search over whole videos (MAVI searchAI).',
    args: { query: t.arg.string({ required: true }) },
    errors: {},
    complexity: COST.searchAI,
    resolve: (_root, args, ctx) => {
      const query = text(args.query, 'query', MAX_PROMPT_LENGTH);
      ctx.mavi.requireCredential();
      return ctx.loaders.searchVideos.load(query);
    },
  }),
);

/** Best first: by score where MAVI gave one, then by MAVI's own order within its answer. */
function byRelevance(a: ClipRecord, b: ClipRecord): number {
  const scoreA = a.score ?? Number.NEGATIVE_INFINITY;
  const scoreB = b.score ?? Number.NEGATIVE_INFINITY;
  return scoreB - scoreA || a.rank - b.rank;
}

builder.queryField('searchClips', (t) =>
  t.field({
    type: [ClipRef],
    description:
      'Natural-language search for clips inside the given videos (MAVI searchVideoFragment). More than 50 videos are searched in several calls, and the clips merged by score.',
    args: {
      query: t.arg.string({ required: true }),
      videoNos: t.arg.idList({ required: true }),
    },
    errors: {},
    complexity: (args) => COST.searchVideoFragment * callsFor(args.videoNos.length, LIMITS.maxFragmentVideos),
    resolve: async (_root, args, ctx) => {
      const query = text(args.query, 'query', MAX_PROMPT_LENGTH);
      const videoNos = idList(args.videoNos.map(String), 'videoNos');
      ctx.mavi.requireCredential();
      // Shares the batch with every Video.clips of the same query in this request.
      const perVideo = await ctx.loaders.clips(query).loadMany(videoNos);
      const failure = perVideo.find(isLoadFailure);
      if (failure) throw failure;
      return (perVideo as ClipRecord[][]).flat().sort(byRelevance);
    },
  }),
);
