import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { ALL_VIDEOS, type FatalEvent, fromSnapshot, isFinal } from '../live/live.js';
import { SubscriptionScope } from '../live/scope.js';
import { AccountDisabledError, UnauthorizedError, VideoNotFoundError } from '../mavi/errors.js';
import type { VideoRecord, VideoStatus } from '../mavi/types.js';
import { operationSpanContext } from '../tracing.js';
import { ChatInput, chatRequest } from './chat.js';
import { COST } from './cost.js';
import { fromRecord, TranscriptionRef } from './transcription.js';
import { idList, id as validId } from './validate.js';
import { VideoRef, VideoStatusEnum } from './video.js';

/** Most videos one subscription may name. */
const MAX_WATCHED_VIDEOS = 500;

interface StatusChange {
  video: VideoRecord;
  previousStatus: VideoStatus | null;
}

const VideoStatusChangeRef = builder.objectRef<StatusChange>('VideoStatusChange').implement({
  description:
    'A video whose status changed, and what it was before (null when the gateway had not seen it).',
  fields: (t) => ({
    video: t.field({ type: VideoRef, resolve: (change) => change.video }),
    previousStatus: t.field({
      type: VideoStatusEnum,
      nullable: true,
      resolve: (change) => change.previousStatus,
    }),
  }),
});

const ChatChunkRef = builder.objectRef<{ delta: string }>('ChatChunk').implement({
  description: 'The next piece of a streamed chat answer (a delta, to append to the pieces before it).',
  fields: (t) => ({ delta: t.exposeString('delta') }),
});

function fatal(event: FatalEvent): UnauthorizedError | AccountDisabledError {
  return event.code === '0401'
    ? new UnauthorizedError(event.message)
    : new AccountDisabledError(event.message);
}

/** What a status change leaves as it was. */
type StableFields = Pick<VideoRecord, 'name' | 'uploadedAt' | 'durationSeconds'>;

function stableFields(video: VideoRecord): StableFields {
  return { name: video.name, uploadedAt: video.uploadedAt, durationSeconds: video.durationSeconds };
}

/**
 * The video of a status-only event. Fields left undefined are read (through the credential's
 * shared reader) only if the client selected them: all of them when nothing is known of the
 * video, and its length when it was unknown before parsing (MAVI knows it once parsed).
 */
function withStatus(videoNo: string, status: VideoStatus, known: StableFields | undefined): VideoRecord {
  return {
    videoNo,
    status,
    name: known?.name,
    uploadedAt: known?.uploadedAt,
    durationSeconds: known?.durationSeconds ?? undefined,
  };
}

/** The subscription's scope (live/scope.ts): its signal, what to release, its count in the gauge. */
function scopeOf(ctx: Context, operation: string, opts: { endsOnShutdown: boolean }): SubscriptionScope {
  return new SubscriptionScope({
    operation,
    request: ctx.request.signal,
    shutdown: opts.endsOnShutdown ? ctx.services.stopping : undefined,
    active: ctx.services.metrics.subscriptionsActive,
  });
}

builder.subscriptionField('videoStatusChanged', (t) =>
  t.field({
    type: VideoStatusChangeRef,
    description:
      "Status changes of the given videos (all of this credential's videos when null). Fed by MAVI's upload callbacks and by shared polling; emits only on change; completes when every named video is PARSE or PARSE_ERROR.",
    args: { videoNos: t.arg.idList() },
    errors: { types: [VideoNotFoundError] },
    // The ownership check is one searchDB scan; polling is shared per credential, not per subscriber.
    complexity: COST.searchDB,
    subscribe: async function* (_root, args, ctx) {
      const named = args.videoNos ? idList(args.videoNos.map(String), 'videoNos', MAX_WATCHED_VIDEOS) : null;
      const credential = ctx.mavi.requireCredential();
      const live = ctx.services.live;
      // Listen first, then check: nothing that changes during the check is missed.
      const events = live.subscribeVideos(credential.id);
      const scope = scopeOf(ctx, 'videoStatusChanged', { endsOnShutdown: true });
      scope.onAbort(() => void events.return());
      try {
        const known = new Map<string, VideoStatus>();
        // What the check read of each named video and a status does not change (its name,
        // upload time, and length once known): an event carrying only a status needs no read.
        const records = new Map<string, StableFields>();
        if (named) {
          // Ownership: every named video must be visible to this credential before any event.
          for (const result of await ctx.loaders.video.loadMany(named)) {
            if (result instanceof Error) throw result;
            if (result instanceof VideoNotFoundError) throw result;
            known.set(result.videoNo, result.status ?? 'UNPARSE');
            records.set(result.videoNo, stableFields(result));
          }
          if (named.every((no) => isFinal(known.get(no)))) return;
          // What the check read (a whole searchDB page, or more) is not kept while the
          // subscription waits: with thousands open, it was most of their memory.
          ctx.loaders.clear();
        }
        // What an event does not carry is read with the other events of this credential.
        const reader = live.videoReader(credential);
        scope.defer(reader.release);
        ctx.loaders.shareVideos(reader.loader);
        scope.defer(
          await live.watchVideos(credential, named ?? [ALL_VIDEOS], known, operationSpanContext(ctx)),
        );

        for await (const event of events) {
          // Thrown, the errors plugin sends it as the last event and completes the subscription.
          if (event.kind === 'fatal') throw fatal(event);
          if (named && !known.has(event.videoNo)) continue;
          const previous = known.get(event.videoNo) ?? event.previousStatus;
          if (previous === event.status) continue;
          known.set(event.videoNo, event.status);
          const video = event.video
            ? fromSnapshot(event.video)
            : withStatus(event.videoNo, event.status, records.get(event.videoNo));
          yield { video, previousStatus: previous ?? null };
          if (named?.every((no) => isFinal(known.get(no)))) return;
        }
      } finally {
        scope.dispose();
        await events.return();
      }
    },
    resolve: (change) => change,
  }),
);

builder.subscriptionField('chatStream', (t) =>
  t.field({
    type: ChatChunkRef,
    description:
      'The chat answer as it is generated (MAVI chat, stream=true); a failure mid-stream arrives as an error member, then the stream ends.',
    args: { input: t.arg({ type: ChatInput, required: true }) },
    errors: {},
    complexity: COST.chat,
    subscribe: async function* (_root, args, ctx) {
      const request = chatRequest(args.input);
      // Chat streams finish at shutdown like requests in flight; the scope aborts the upstream
      // request when the subscriber goes away before MAVI has finished.
      const scope = scopeOf(ctx, 'chatStream', { endsOnShutdown: false });
      try {
        for await (const delta of ctx.mavi.chatStream(
          request,
          scope.signal,
          ctx.services.config.timeoutMs.chat,
        )) {
          yield { delta };
        }
      } finally {
        scope.dispose();
      }
    },
    resolve: (chunk) => chunk,
  }),
);

builder.subscriptionField('transcriptionProgress', (t) =>
  t.field({
    type: TranscriptionRef,
    description:
      'A transcription task until it is FINISH: its current state first, then each change (status or segments), fed by shared polling and MAVI callbacks.',
    args: { taskNo: t.arg.id({ required: true }) },
    errors: {},
    complexity: COST.getTranscription,
    subscribe: async function* (_root, args, ctx) {
      const taskNo = validId(String(args.taskNo), 'taskNo');
      const credential = ctx.mavi.requireCredential();
      const live = ctx.services.live;
      const events = live.subscribeTranscription(credential.id, taskNo);
      const scope = scopeOf(ctx, 'transcriptionProgress', { endsOnShutdown: true });
      scope.onAbort(() => void events.return());
      try {
        const first = await ctx.loaders.transcription.load(taskNo);
        yield fromRecord(first);
        // The record (segments and all) is not kept in the loaders while the subscription waits.
        ctx.loaders.clear();
        if (first.status === 'FINISH') return;
        let last = `${first.status}:${first.segments.length}`;
        scope.defer(await live.watchTranscription(credential, first, operationSpanContext(ctx)));
        for await (const event of events) {
          // Thrown, the errors plugin sends it as the last event and completes the subscription.
          if (event.kind === 'fatal') throw fatal(event);
          const fingerprint = `${event.record.status}:${event.record.segments.length}`;
          if (fingerprint === last) continue;
          last = fingerprint;
          yield fromRecord(event.record);
          if (event.record.status === 'FINISH') return;
        }
      } finally {
        scope.dispose();
        await events.return();
      }
    },
    resolve: (progress) => progress,
  }),
);
