import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { ALL_VIDEOS, type FatalEvent, fromSnapshot, isFinal, type LiveService } from '../live/live.js';
import { Loaders } from '../loaders.js';
import {
  AccountDisabledError,
  UnauthorizedError,
  UpstreamError,
  VideoNotFoundError,
} from '../mavi/errors.js';
import type { VideoRecord, VideoStatus } from '../mavi/types.js';
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

function live(ctx: Context): LiveService {
  const service = ctx.services.live;
  if (!service)
    throw new UpstreamError('UPSTREAM_UNREACHABLE', 'Live updates are not enabled on this gateway.');
  return service;
}

function fatal(event: FatalEvent): UnauthorizedError | AccountDisabledError {
  return event.code === '0401'
    ? new UnauthorizedError(event.message)
    : new AccountDisabledError(event.message);
}

/**
 * Calls `stop` when the subscriber goes away: the request's signal (closed SSE connection,
 * WebSocket complete or disconnect) ends whatever the subscription waits on, so watchers and
 * upstream requests are released at once rather than at the next event. Watch-type
 * subscriptions also end when the gateway shuts down (they would otherwise never finish).
 */
/**
 * Counts an open subscription in the `subscriptions_active` gauge until the returned function
 * runs (in the subscription's finally).
 */
function countActive(ctx: Context, operation: string): () => void {
  ctx.services.metrics.subscriptionsActive.inc({ operation });
  return () => ctx.services.metrics.subscriptionsActive.dec({ operation });
}

function onGone(ctx: Context, stop: () => void, opts: { orShutdown: boolean }): () => void {
  const request = ctx.request.signal;
  const shutdown = opts.orShutdown ? ctx.services.stopping : null;
  if (request.aborted || shutdown?.aborted) {
    stop();
    return () => {};
  }
  request.addEventListener('abort', stop, { once: true });
  const unshared = shutdown ? onSharedAbort(shutdown, stop) : () => {};
  return () => {
    request.removeEventListener('abort', stop);
    unshared();
  };
}

/** What waits on a signal every subscription shares (the gateway's shutdown), by signal. */
const sharedWaiters = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Calls `stop` when a signal shared by every subscription aborts, through one listener on the
 * signal for all of them. Node's EventTarget walks every listener already added on each
 * addEventListener and removeEventListener, so ten thousand subscriptions listening on one
 * signal directly cost O(n²): seconds of CPU as they open and close.
 */
function onSharedAbort(signal: AbortSignal, stop: () => void): () => void {
  let waiters = sharedWaiters.get(signal);
  if (!waiters) {
    const set = new Set<() => void>();
    waiters = set;
    sharedWaiters.set(signal, set);
    signal.addEventListener(
      'abort',
      () => {
        for (const waiter of [...set]) waiter();
        set.clear();
      },
      { once: true },
    );
  }
  const mine = waiters;
  mine.add(stop);
  return () => void mine.delete(stop);
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
      const service = live(ctx);
      // Listen first, then check: nothing that changes during the check is missed.
      const events = service.subscribeVideos(credential.id);
      const detach = onGone(ctx, () => void events.return(), { orShutdown: true });
      const uncount = countActive(ctx, 'videoStatusChanged');
      let release: (() => void) | null = null;
      try {
        const known = new Map<string, VideoStatus>();
        if (named) {
          // Ownership: every named video must be visible to this credential before any event.
          for (const result of await ctx.loaders.video.loadMany(named)) {
            if (result instanceof Error) throw result;
            if (result instanceof VideoNotFoundError) throw result;
            known.set(result.videoNo, result.status ?? 'UNPARSE');
          }
          if (named.every((no) => isFinal(known.get(no)))) return;
          // What the check read (a whole searchDB page, or more) is not kept while the
          // subscription waits: with thousands open, it was most of their memory.
          ctx.loaders = new Loaders(ctx.mavi);
        }
        release = await service.watchVideos(credential, named ?? [ALL_VIDEOS], known);

        for await (const event of events) {
          // Thrown, the errors plugin sends it as the last event and completes the subscription.
          if (event.kind === 'fatal') throw fatal(event);
          if (named && !known.has(event.videoNo)) continue;
          const previous = known.get(event.videoNo) ?? event.previousStatus;
          if (previous === event.status) continue;
          known.set(event.videoNo, event.status);
          const video = event.video
            ? fromSnapshot(event.video)
            : {
                videoNo: event.videoNo,
                status: event.status,
                name: undefined,
                uploadedAt: undefined,
                durationSeconds: undefined,
              };
          yield { video, previousStatus: previous ?? null };
          // Each event reads fresh (loaders would otherwise serve what they cached for the
          // one before, from before this change), and nothing read is kept between events.
          ctx.loaders = new Loaders(ctx.mavi);
          if (named?.every((no) => isFinal(known.get(no)))) return;
        }
      } finally {
        uncount();
        detach();
        release?.();
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
      const abort = new AbortController();
      const detach = onGone(ctx, () => abort.abort(), { orShutdown: false });
      const uncount = countActive(ctx, 'chatStream');
      try {
        for await (const delta of ctx.mavi.chatStream(
          request,
          abort.signal,
          ctx.services.config.timeoutMs.chat,
        )) {
          yield { delta };
        }
      } finally {
        uncount();
        detach();
        // Ends the upstream request when the subscriber left before MAVI finished.
        abort.abort();
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
      const service = live(ctx);
      const events = service.subscribeTranscription(credential.id, taskNo);
      const detach = onGone(ctx, () => void events.return(), { orShutdown: true });
      const uncount = countActive(ctx, 'transcriptionProgress');
      let release: (() => void) | null = null;
      try {
        const first = await ctx.loaders.transcription.load(taskNo);
        yield fromRecord(first);
        // The record (segments and all) is not kept in the loaders while the subscription waits.
        ctx.loaders = new Loaders(ctx.mavi);
        if (first.status === 'FINISH') return;
        let last = `${first.status}:${first.segments.length}`;
        release = await service.watchTranscription(credential, first);
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
        uncount();
        detach();
        release?.();
        await events.return();
      }
    },
    resolve: (progress) => progress,
  }),
);
