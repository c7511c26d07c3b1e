import { wrapErrorIfMatches } from '@pothos/plugin-errors';
import { GraphQLError } from 'graphql';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { LIMITS } from '../mavi/endpoints.js';
import { ERROR_CLASSES, GatewayError, InvalidParameterError, VideoNotFoundError } from '../mavi/errors.js';
import type { ClipRecord, VideoPage, VideoRecord, VideoStatus } from '../mavi/types.js';
import { discardUpload, IncomingUpload, type OpenedUpload } from '../uploads.js';
import { COST, callsFor, pageSize, VIDEO_CLIPS_COST, VIDEO_LOOKUP_COST } from './cost.js';
import { ErrorInterface, rethrowAsGraphQLError } from './errors.js';
import { NodeRef, videoId } from './node.js';
import { decodeCursor, encodeCursor, filterFingerprint, planPages } from './paging.js';
import { id, idList, intInRange, MAX_PROMPT_LENGTH, text } from './validate.js';

export const VideoStatusEnum = builder.enumType('VideoStatus', {
  description: 'Processing state of a video in MAVI.',
  values: {
    PARSE: { value: 'PARSE', description: 'Parsed: indexed and searchable.' },
    UNPARSE: { value: 'UNPARSE', description: 'Not parsed yet: uploaded, processing pending.' },
    PARSE_ERROR: {
      value: 'PARSE_ERROR',
      description: 'Parsing failed (MAVI also spells this FAIL in callbacks and filters).',
    },
  } as const,
});

/**
 * The full record for a video that an answer described only in part (searchAI and
 * searchVideoFragment may leave fields out): one batched searchDB scan for all of them.
 */
async function complete(video: VideoRecord, ctx: Context): Promise<VideoRecord> {
  const found = await ctx.loaders.video.load(video.videoNo);
  if (found instanceof VideoNotFoundError) {
    throw new GraphQLError(`MAVI described video ${video.videoNo} in a search answer but does not list it.`);
  }
  return found;
}

function known<K extends 'name' | 'status' | 'uploadedAt' | 'durationSeconds'>(key: K) {
  return (video: VideoRecord, _args: object, ctx: Context) =>
    video[key] !== undefined ? video[key] : complete(video, ctx).then((full) => full[key]);
}

export const ClipRef = builder.objectRef<ClipRecord>('Clip');

export const VideoRef = builder.objectRef<VideoRecord>('Video').implement({
  interfaces: [NodeRef],
  // How Node resolves a video's type (node, nodes): only video records have a videoNo.
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'videoNo' in value,
  fields: (t) => ({
    id: t.globalID({
      description:
        'Global object ID (opaque, stable): what Apollo, urql Graphcache and Relay key their caches by.',
      resolve: (video) => ({ type: 'Video', id: video.videoNo }),
    }),
    videoNo: t.exposeID('videoNo'),
    name: t.string({ nullable: true, resolve: known('name') }),
    status: t.field({
      type: VideoStatusEnum,
      resolve: known('status') as (
        v: VideoRecord,
        a: object,
        c: Context,
      ) => Promise<VideoStatus> | VideoStatus,
    }),
    uploadedAt: t.field({ type: 'DateTime', nullable: true, resolve: known('uploadedAt') }),
    durationSeconds: t.float({
      nullable: true,
      description: 'Length in seconds; null until MAVI has parsed the video.',
      resolve: known('durationSeconds'),
    }),
    clips: t.field({
      type: [ClipRef],
      description:
        'Moments inside this video that match the query. Batched: all Video.clips fields of one request with the same query become one searchVideoFragment call per 50 videos.',
      args: { query: t.arg.string({ required: true }) },
      errors: {},
      // A share of a searchVideoFragment call; batching makes the true cost lower (see cost.ts).
      complexity: VIDEO_CLIPS_COST,
      resolve: (video, args, ctx) =>
        ctx.loaders.clips(text(args.query, 'query', MAX_PROMPT_LENGTH)).load(video.videoNo),
    }),
  }),
});

ClipRef.implement({
  description: 'A moment inside a video that matches a search.',
  fields: (t) => ({
    video: t.field({ type: VideoRef, resolve: (clip) => clip.video }),
    startSeconds: t.exposeFloat('startSeconds'),
    endSeconds: t.exposeFloat('endSeconds'),
    score: t.exposeFloat('score', {
      nullable: true,
      description: 'Relevance from 0 to 1, when MAVI gives one.',
    }),
  }),
});

export const VideoFilterInput = builder.inputType('VideoFilter', {
  fields: (t) => ({
    status: t.field({ type: VideoStatusEnum }),
    uploadedAfter: t.field({ type: 'DateTime', description: 'Inclusive lower bound on upload time.' }),
    uploadedBefore: t.field({ type: 'DateTime', description: 'Inclusive upper bound on upload time.' }),
  }),
});

const VideoConnection = builder.connectionObject(
  {
    type: VideoRef,
    name: 'VideoConnection',
    description: "Relay cursor connection over MAVI's page/pageSize listing.",
    // `videos` already multiplies what is under it by `first`; a second ×10 here would overcount.
    edgesField: { complexity: { field: 1, multiplier: 1 } },
    fields: (t) => ({
      totalCount: t.int({
        description: 'Videos matching the filter within the listing window.',
        resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount,
      }),
    }),
  },
  { name: 'VideoEdge' },
);

const DEFAULT_PAGE = 20;

interface ListingArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: { status?: VideoStatus | null; uploadedAfter?: Date | null; uploadedBefore?: Date | null } | null;
}

/** One page of the library: what `videos` and `Viewer.videos` both answer. */
async function libraryPage(args: ListingArgs, ctx: Context) {
  const first = intInRange(args.first, 'first', 1, LIMITS.maxPageSize, DEFAULT_PAGE);
  const filter = args.filter ?? {};
  const after = filter.uploadedAfter?.getTime();
  const before = filter.uploadedBefore?.getTime();
  if (after !== undefined && before !== undefined && after > before) {
    throw new InvalidParameterError(
      'filter.uploadedAfter must not be later than filter.uploadedBefore.',
      'filter',
    );
  }
  const fingerprint = filterFingerprint(filter);
  ctx.mavi.requireCredential();

  const cursor = args.after ? decodeCursor(args.after, fingerprint) : null;
  const offset = cursor ? cursor.offset + 1 : 0;
  // The window closes when the first page is read; later pages keep it.
  const windowEnd = cursor?.windowEnd ?? Math.min(before ?? Number.MAX_SAFE_INTEGER, ctx.loaders.now);

  const plan = planPages(offset, first);
  const pages: VideoPage[] = await Promise.all(
    plan.pages.map((page) =>
      ctx.loaders.videoPage.load({
        page,
        pageSize: plan.pageSize,
        startTime: after,
        endTime: windowEnd,
        status: filter.status ?? undefined,
      }),
    ),
  );
  const total = pages[0]?.total ?? 0;
  const videos = pages.flatMap((p) => p.videos).slice(plan.skip, plan.skip + first);
  const edges = videos.map((node, i) => ({
    node,
    cursor: encodeCursor({ offset: offset + i, windowEnd, filter: fingerprint }),
  }));
  return {
    edges,
    totalCount: total,
    pageInfo: {
      hasNextPage: offset + videos.length < total,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

const LISTING_DESCRIPTION =
  'List videos (MAVI searchDB), newest first as MAVI orders them, as a cursor connection. first: 1..200, default 20.';

builder.queryField('videos', (t) =>
  t.field({
    type: VideoConnection,
    description: LISTING_DESCRIPTION,
    args: {
      first: t.arg.int(),
      after: t.arg.string(),
      filter: t.arg({ type: VideoFilterInput }),
    },
    errors: {},
    // One searchDB page; each of the `first` nodes multiplies the cost of what is selected
    // under it (totalCount and pageInfo too: a small overcount).
    complexity: (args) => ({ field: COST.searchDB, multiplier: pageSize(args.first, DEFAULT_PAGE) }),
    resolve: (_root, args, ctx) => libraryPage(args, ctx),
  }),
);

/**
 * The account behind the caller's credential. It holds no data of its own: it is where the
 * library is a plain connection (no result union between the field and its edges), the shape
 * Relay's @connection and Apollo's relayStylePagination() expect. Its failures are GraphQL
 * errors carrying the error table's code, retryable and type (asGraphQLError).
 */
const ViewerRef = builder.objectRef<{ readonly viewer: true }>('Viewer').implement({
  description: "The MAVI account behind the caller's credential.",
  fields: (t) => ({
    videos: t.field({
      type: VideoConnection,
      description: 'The same listing as Query.videos (paging, window, limits) as a plain Relay connection.',
      args: {
        first: t.arg.int(),
        after: t.arg.string(),
        filter: t.arg({ type: VideoFilterInput }),
      },
      complexity: (args) => ({ field: COST.searchDB, multiplier: pageSize(args.first, DEFAULT_PAGE) }),
      resolve: (_viewer, args, ctx) => libraryPage(args, ctx).catch(rethrowAsGraphQLError),
    }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    nullable: true,
    description:
      "The MAVI account behind the caller's credential. Here failures are GraphQL errors whose extensions carry code, retryable and the error type name, so Relay and Apollo pagination helpers work unchanged.",
    resolve: (_root, _args, ctx) => {
      try {
        ctx.mavi.requireCredential();
      } catch (error) {
        rethrowAsGraphQLError(error);
      }
      return { viewer: true } as const;
    },
  }),
);

builder.queryField('video', (t) =>
  t.field({
    type: VideoRef,
    description: 'One video by its number; VideoNotFoundError when this credential cannot see it.',
    args: { videoNo: t.arg.id({ required: true }) },
    errors: { types: [VideoNotFoundError] },
    complexity: VIDEO_LOOKUP_COST,
    resolve: async (_root, args, ctx) => {
      const videoNo = id(String(args.videoNo), 'videoNo');
      ctx.mavi.requireCredential();
      const video = await ctx.loaders.video.load(videoNo);
      if (video instanceof VideoNotFoundError) throw video;
      return video;
    },
  }),
);

/** Container formats MAVI is known to take, for files sent as application/octet-stream. */
const VIDEO_EXTENSION = /\.(mp4|m4v|mov|avi|mkv|webm|mpe?g|ts|flv|wmv|3gp)$/i;

function checkVideoType(file: { filename: string; mimeType: string }): void {
  const mime = file.mimeType.toLowerCase().split(';')[0]?.trim() ?? '';
  if (mime.startsWith('video/')) return;
  if ((mime === 'application/octet-stream' || mime === '') && VIDEO_EXTENSION.test(file.filename)) return;
  throw new InvalidParameterError(
    `file must be a video (a video/* content type, or a video file extension); got ${JSON.stringify(mime)} for ${JSON.stringify(file.filename.slice(0, 80))}.`,
    'file',
  );
}

async function openFile(file: IncomingUpload | File, maxBytes: number): Promise<OpenedUpload> {
  if (file instanceof IncomingUpload) return file.open();
  if (file.size > maxBytes) {
    throw new InvalidParameterError(
      `The file is larger than the gateway's limit of ${maxBytes} bytes.`,
      'file',
    );
  }
  return { filename: file.name, mimeType: file.type, stream: file.stream() };
}

builder.mutationField('uploadVideo', (t) =>
  t.field({
    type: VideoRef,
    description:
      'Upload a video file (MAVI upload). The file is streamed to MAVI, never held whole in memory.',
    args: { file: t.arg({ type: 'File', required: true }) },
    errors: {},
    complexity: COST.upload,
    resolve: async (_root, args, ctx) => {
      ctx.mavi.requireCredential();
      const file = await openFile(args.file, ctx.services.config.maxUploadBytes);
      try {
        checkVideoType(file);
      } catch (error) {
        await discardUpload(file);
        throw error;
      }
      const callback = await ctx.services.live.issueCallback('upload', ctx.mavi.requireCredential());
      const video = await ctx.mavi.uploadVideo(file, callback.url);
      await callback.bind(video.videoNo);
      return video;
    },
  }),
);

interface DeleteOutcome {
  deleted: string[];
  notDeleted: string[];
  failure: GatewayError | null;
}

const DeleteVideosPayload = builder.objectRef<DeleteOutcome>('DeleteVideosPayload').implement({
  fields: (t) => ({
    deletedVideoNos: t.exposeIDList('deleted'),
    deletedIds: t.idList({
      description: "The deleted videos' global IDs (Relay's @deleteRecord, cache eviction).",
      resolve: (outcome) => outcome.deleted.map(videoId),
    }),
    notDeletedVideoNos: t.exposeIDList('notDeleted', {
      description:
        'Videos not deleted because a later chunk of 500 failed after earlier chunks succeeded (see failure). Empty on full success.',
    }),
    failure: t.field({
      type: ErrorInterface,
      nullable: true,
      description:
        'Why notDeletedVideoNos were not deleted, when some chunks succeeded and a later one failed.',
      // graphql-js treats an Error returned by a resolver as a thrown one; the errors plugin's
      // wrapper makes it a value, as it does for union members.
      resolve: (outcome) =>
        outcome.failure && (wrapErrorIfMatches(outcome.failure, [...ERROR_CLASSES]) as GatewayError),
    }),
  }),
});

builder.mutationField('deleteVideos', (t) =>
  t.field({
    type: DeleteVideosPayload,
    description: 'Delete videos (MAVI delete; chunked by 500).',
    args: { videoNos: t.arg.idList({ required: true }) },
    errors: {},
    complexity: (args) => COST.delete * callsFor(args.videoNos.length, LIMITS.maxDeleteVideos),
    resolve: async (_root, args, ctx) => {
      const videoNos = idList(args.videoNos.map(String), 'videoNos');
      const { deleted, failure } = await ctx.mavi.deleteVideos(videoNos);
      // With nothing deleted, or an unexpected failure, the failure is the answer.
      if (failure !== undefined && (deleted.length === 0 || !(failure instanceof GatewayError)))
        throw failure;
      return {
        deleted,
        notDeleted: videoNos.slice(deleted.length),
        failure: failure instanceof GatewayError ? failure : null,
      };
    },
  }),
);
