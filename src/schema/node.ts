import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { VideoNotFoundError } from '../mavi/errors.js';
import type { VideoRecord } from '../mavi/types.js';
import { VIDEO_LOOKUP_COST } from './cost.js';
import { rethrowAsGraphQLError } from './errors.js';
import { id as validId } from './validate.js';

/**
 * Relay global object identification: `interface Node { id: ID! }`, and `node`/`nodes` to
 * refetch by global ID. Videos are the only nodes. Their IDs are Pothos's global IDs
 * (base64 of `Video:<videoNo>`): opaque to clients, and the same for a video forever, which
 * is what the normalized caches of Apollo, urql Graphcache and Relay key objects by.
 *
 * The relay plugin's own node fields are off (builder.ts): they raise an error for a malformed
 * ID, where Relay expects null, and would load outside the video loader.
 */
export const NodeRef = builder.nodeInterfaceRef();

const VIDEO = 'Video';

/** The global ID of a video. */
export function videoId(videoNo: string): string {
  return encodeGlobalID(VIDEO, videoNo);
}

/** The videoNo behind a global ID, or null when it is not a video's (malformed, another type). */
function videoNoOf(globalId: string): string | null {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    return typename === VIDEO ? validId(id, 'id') : null;
  } catch {
    return null;
  }
}

/**
 * The videos behind global IDs, in their order: all of them through the request's video loader,
 * so any number of IDs (with `video` lookups of the same request) is one searchDB scan. An ID
 * this credential cannot see, or that is no video's, is null; an upstream failure (no or a bad
 * credential, a quota, MAVI down) is a GraphQL error with the error table's extensions.
 */
async function loadNodes(ids: readonly string[], ctx: Context): Promise<(VideoRecord | null)[]> {
  const videoNos = ids.map(videoNoOf);
  if (videoNos.every((no) => no === null)) return videoNos.map(() => null);
  try {
    ctx.mavi.requireCredential();
    // DataLoader rejects a load whose value is an Error, as the not-found values are.
    const find = (no: string) =>
      ctx.loaders.video.load(no).then(
        (video) => (video instanceof VideoNotFoundError ? null : video),
        (error: unknown) => {
          if (error instanceof VideoNotFoundError) return null;
          throw error;
        },
      );
    return await Promise.all(videoNos.map((no) => (no === null ? null : find(no))));
  } catch (error) {
    return rethrowAsGraphQLError(error);
  }
}

builder.queryField('node', (t) =>
  t.field({
    type: NodeRef,
    nullable: true,
    description: 'Refetch any object by its global ID; null when this credential cannot see it. Batched.',
    args: { id: t.arg.id({ required: true }) },
    complexity: VIDEO_LOOKUP_COST,
    resolve: async (_root, args, ctx) => (await loadNodes([String(args.id)], ctx))[0] ?? null,
  }),
);

builder.queryField('nodes', (t) =>
  t.field({
    type: [NodeRef],
    nullable: { list: false, items: true },
    description:
      'Objects by their global IDs, in the same order; null for each one this credential cannot see. One searchDB scan for all of them.',
    args: { ids: t.arg.idList({ required: true }) },
    complexity: (args) => VIDEO_LOOKUP_COST * Math.max(1, args.ids.length),
    resolve: (_root, args, ctx) => loadNodes(args.ids.map(String), ctx),
  }),
);
