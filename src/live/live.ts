import { setTimeout as sleep } from 'node:timers/promises';
import { type SpanContext, trace } from '@opentelemetry/api';
import type DataLoader from 'dataloader';
import type { Logger } from 'pino';
import { MaviClient } from '../mavi/client.js';
import type { Credential } from '../mavi/credential.js';
import { LIMITS } from '../mavi/endpoints.js';
import { type AccountDisabledError, UnauthorizedError, VideoNotFoundError } from '../mavi/errors.js';
import type { MaviTransport } from '../mavi/transport.js';
import type { TranscriptionRecord, VideoRecord, VideoStatus } from '../mavi/types.js';
import { findVideos } from '../mavi/videos.js';
import type { GatewayMetrics } from '../metrics.js';
import { linksTo, TracedLoader, tracingOn } from '../tracing.js';
import { type CallbackPurpose, CallbackSigner, type IssuedCallback } from './callbacks.js';
import type { EventBus, EventSubscription } from './events.js';
import { type PollTiming, SharedPoller } from './poller.js';
import type { LiveState } from './state.js';

/** A video as it travels in an event (JSON across Redis: times as epoch ms). */
export interface VideoSnapshot {
  videoNo: string;
  name: string | null;
  status: VideoStatus;
  uploadedAt: number | null;
  durationSeconds: number | null;
}

export type FatalEvent = { kind: 'fatal'; code: '0401' | '0403'; message: string };

export type VideoEvent =
  | {
      kind: 'status';
      videoNo: string;
      status: VideoStatus;
      previousStatus: VideoStatus | null;
      /** Present when the source read the whole video (polling); callbacks carry only the status. */
      video: VideoSnapshot | null;
    }
  | FatalEvent;

export type TranscriptionEvent = { kind: 'progress'; record: TranscriptionRecord } | FatalEvent;

/** Subscribers of `videoStatusChanged(videoNos: null)` watch this member: every video. */
export const ALL_VIDEOS = '*';

/** Statuses a video never leaves: MAVI may resend or reorder callbacks, the gateway never goes back. */
const FINAL_STATUSES: readonly VideoStatus[] = ['PARSE', 'PARSE_ERROR'];

export function isFinal(status: VideoStatus | null | undefined): boolean {
  return status === 'PARSE' || status === 'PARSE_ERROR';
}

/** A transcription's state as stored: FINISH is final; before it, the segments seen so far. */
function transcriptionState(record: Pick<TranscriptionRecord, 'status' | 'segments'>): string {
  return record.status === 'FINISH' ? 'FINISH' : `UNFINISHED:${record.segments.length}`;
}

/**
 * How long a callback URL stays bound to its upload or task: MAVI calls back once parsing or
 * transcribing is done, which can take a while for a long video; a week covers any.
 */
const CALLBACK_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * How long a callback waits for its URL to be bound: MAVI may call back (an early UNPARSE)
 * before the gateway has read MAVI's answer to the upload that named the video.
 */
const CALLBACK_BIND_WAIT_MS = 5000;
/**
 * How long lookups of one credential's videos wait for others to join them: events of a
 * credential arriving together (a burst of callbacks, each its own HTTP request a millisecond
 * or two apart) then share one searchDB scan, for at most this much added delivery latency.
 */
const SHARED_READ_WINDOW_MS = 10;

/** What an issued callback URL is bound to until MAVI's answer names its video or task. */
const PENDING = '';

export function snapshot(video: VideoRecord): VideoSnapshot {
  return {
    videoNo: video.videoNo,
    name: video.name ?? null,
    status: video.status ?? 'UNPARSE',
    uploadedAt: video.uploadedAt?.getTime() ?? null,
    durationSeconds: video.durationSeconds ?? null,
  };
}

export function fromSnapshot(s: VideoSnapshot): VideoRecord {
  return {
    videoNo: s.videoNo,
    name: s.name,
    status: s.status,
    uploadedAt: s.uploadedAt === null ? null : new Date(s.uploadedAt),
    durationSeconds: s.durationSeconds,
  };
}

function fatalEvent(error: UnauthorizedError | AccountDisabledError): FatalEvent {
  return {
    kind: 'fatal',
    code: error instanceof UnauthorizedError ? '0401' : '0403',
    message: error.message,
  };
}

export interface LiveOptions {
  bus: EventBus;
  state: LiveState;
  transport: MaviTransport;
  timing: PollTiming;
  signer: CallbackSigner;
  publicBaseUrl: string;
  logger: Logger;
  /** For the pollers gauge (mavi_gateway_live_pollers). */
  metrics: GatewayMetrics;
}

/**
 * The sources of live updates and what connects them to subscribers: one shared video poller
 * per credential, one transcription poller per credential and task, the webhook entry points
 * (recordVideoStatus, recordTranscription), and the callback URLs handed to MAVI.
 *
 * Every source goes through {@link LiveState.advance}, so a status is published once however
 * many sources report it (a callback, then the poller, then a repeated callback), and a final
 * one (PARSE, PARSE_ERROR, FINISH) is never followed by an older one arriving late.
 */
export class LiveService {
  readonly #o: LiveOptions;
  readonly #videoPollers = new Map<string, SharedPoller>();
  readonly #transcriptionPollers = new Map<string, SharedPoller>();
  /** Per video poller: what was UNPARSE at its last poll, to notice what finished since. */
  readonly #pending = new Map<string, Set<string> | null>();
  /** Per credential: the video lookups its subscriptions share, and how many hold them. */
  readonly #readers = new Map<
    string,
    { holders: number; loader: DataLoader<string, VideoRecord | VideoNotFoundError> }
  >();

  /**
   * With tracing on, the span of each subscription watching a topic on this instance: whatever
   * publishes on it (a callback, a poll) links its trace to them.
   */
  readonly #subscriberLinks = new Map<string, Map<symbol, SpanContext>>();

  constructor(options: LiveOptions) {
    this.#o = options;
  }

  /** Records a subscription's span under its topic; the returned function forgets it. */
  #linkSubscriber(topic: string, link: SpanContext | null): () => void {
    if (!link) return () => {};
    const id = Symbol();
    let links = this.#subscriberLinks.get(topic);
    if (!links) {
      links = new Map();
      this.#subscriberLinks.set(topic, links);
    }
    links.set(id, link);
    return () => {
      const current = this.#subscriberLinks.get(topic);
      current?.delete(id);
      if (current?.size === 0) this.#subscriberLinks.delete(topic);
    };
  }

  /** Links the active span (the callback's or the poll's) to the subscriptions an event on `topic` feeds. */
  #linkPublisher(topic: string): void {
    if (!tracingOn()) return;
    const links = this.#subscriberLinks.get(topic);
    if (links) trace.getActiveSpan()?.addLinks(linksTo(links.values()));
  }

  // ------------------------------------------------------------------ callback URLs

  /**
   * A callback URL for one upload (or one transcription task) by this credential, to hand
   * MAVI; bind it to the videoNo (taskNo) MAVI answers with. The URL is recorded as issued
   * first, so that a callback racing MAVI's answer waits for the binding while one to a URL
   * never issued (or long expired) is refused at once.
   */
  async issueCallback(purpose: CallbackPurpose, credential: Credential): Promise<IssuedCallback> {
    const nonce = CallbackSigner.nonce();
    const token = this.#o.signer.sign(purpose, credential.id, nonce);
    const key = `callback:${purpose}:${credential.id}:${nonce}`;
    // The upload (or task) goes ahead even when the binding cannot be stored (Redis
    // unreachable): MAVI's callback is then refused and polling reports the status instead.
    const store = async (subject: string) => {
      try {
        await this.#o.state.bind(key, subject, CALLBACK_TTL_MS);
      } catch (error) {
        this.#o.logger.warn(
          { err: (error as Error).message, purpose },
          'callback URL could not be recorded; polling will report this one',
        );
      }
    };
    await store(PENDING);
    return {
      url: `${this.#o.publicBaseUrl}/webhooks/mavi/${purpose}/${credential.id}/${nonce}/${token}`,
      bind: (subject) => store(subject),
    };
  }

  /** Whether a callback URL's token is one this gateway signed. */
  verifyCallback(purpose: CallbackPurpose, credentialId: string, nonce: string, token: string): boolean {
    return this.#o.signer.verify(purpose, credentialId, nonce, token);
  }

  /**
   * What a callback URL was issued for (the videoNo or taskNo), waiting up to `waitMs` for the
   * binding when MAVI calls back before the gateway has read MAVI's answer; null when the URL
   * is not bound (never issued here, its upload failed, or its binding outlived its week).
   */
  async callbackSubject(
    purpose: CallbackPurpose,
    credentialId: string,
    nonce: string,
    waitMs = CALLBACK_BIND_WAIT_MS,
  ): Promise<string | null> {
    const key = `callback:${purpose}:${credentialId}:${nonce}`;
    const deadline = Date.now() + waitMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const subject = await this.#o.state.get(key);
      if (subject === null) return null;
      if (subject !== PENDING) return subject;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await sleep(Math.min(delay, left), undefined, { ref: false });
    }
  }

  // ------------------------------------------------------------------ videos

  static videoTopic(credentialId: string): string {
    return `mavi-gw:video:${credentialId}`;
  }

  subscribeVideos(credentialId: string): EventSubscription<VideoEvent> {
    return this.#o.bus.subscribe<VideoEvent>(LiveService.videoTopic(credentialId));
  }

  /**
   * A status from any source. Publishes, with the previous status, only when it differs from
   * the last one known; answers whether it did.
   */
  async recordVideoStatus(
    credentialId: string,
    videoNo: string,
    status: VideoStatus,
    video: VideoRecord | null = null,
  ): Promise<boolean> {
    const { changed, previous } = await this.#o.state.advance(
      `video:${credentialId}:${videoNo}`,
      status,
      FINAL_STATUSES,
    );
    if (!changed) return false;
    const event: VideoEvent = {
      kind: 'status',
      videoNo,
      status,
      previousStatus: (previous as VideoStatus | null) ?? null,
      video: video ? snapshot({ ...video, status }) : null,
    };
    this.#linkPublisher(LiveService.videoTopic(credentialId));
    this.#o.bus.publish(LiveService.videoTopic(credentialId), event);
    return true;
  }

  /**
   * Registers a subscriber's interest in some videos (or {@link ALL_VIDEOS}) with the
   * credential's shared poller, seeding the statuses the subscriber saw so the poller starts
   * from them. Returns the function that withdraws the interest. `link`: the subscription's
   * span, for the traces of the polls and callbacks that feed it.
   */
  async watchVideos(
    credential: Credential,
    members: readonly string[],
    known: ReadonlyMap<string, VideoStatus>,
    link: SpanContext | null = null,
  ): Promise<() => void> {
    await Promise.all(
      [...known].map(([videoNo, status]) => this.#o.state.seed(`video:${credential.id}:${videoNo}`, status)),
    );
    let poller = this.#videoPollers.get(credential.id);
    if (!poller) {
      const name = `video:${credential.id}`;
      poller = new SharedPoller({
        name,
        state: this.#o.state,
        timing: this.#o.timing,
        logger: this.#o.logger,
        tick: (watched) => this.#pollVideos(credential, watched),
        onFatal: (error) => this.#o.bus.publish(LiveService.videoTopic(credential.id), fatalEvent(error)),
        onEmpty: () => {
          this.#o.metrics.livePollers.dec({ kind: 'video' });
          this.#videoPollers.delete(credential.id);
          this.#pending.delete(credential.id);
        },
      });
      this.#videoPollers.set(credential.id, poller);
      this.#o.metrics.livePollers.inc({ kind: 'video' });
    }
    const unwatch = poller.watch(members, link);
    const unlink = this.#linkSubscriber(LiveService.videoTopic(credential.id), link);
    return () => {
      unlink();
      unwatch();
    };
  }

  /**
   * One poll for a credential: the UNPARSE listing (usually one call) shows what is still
   * pending; watched videos that left it since are looked up (one searchDB scan for all of
   * them) unless a callback already reported where they went.
   */
  async #pollVideos(credential: Credential, watched: ReadonlySet<string>): Promise<boolean> {
    const mavi = new MaviClient(this.#o.transport, credential);
    const all = watched.has(ALL_VIDEOS);
    const pending = new Map<string, VideoRecord>();
    for (let page = 1; ; page++) {
      const result = await mavi.listVideos({ page, pageSize: LIMITS.maxPageSize, status: 'UNPARSE' });
      for (const video of result.videos) pending.set(video.videoNo, video);
      if (result.videos.length === 0 || page * LIMITS.maxPageSize >= result.total) break;
    }

    const before = this.#pending.get(credential.id) ?? null;
    this.#pending.set(credential.id, new Set(pending.keys()));
    let changed = false;
    if (all) {
      for (const [videoNo, video] of pending) {
        if (before === null) await this.#o.state.seed(`video:${credential.id}:${videoNo}`, 'UNPARSE');
        else if (await this.recordVideoStatus(credential.id, videoNo, 'UNPARSE', video)) changed = true;
      }
    }

    const candidates = new Set<string>([...watched].filter((m) => m !== ALL_VIDEOS));
    if (all && before) for (const videoNo of before) candidates.add(videoNo);
    const lookups: string[] = [];
    for (const videoNo of candidates) {
      if (pending.has(videoNo)) continue;
      const stored = (await this.#o.state.get(`video:${credential.id}:${videoNo}`)) as VideoStatus | null;
      if (!isFinal(stored)) lookups.push(videoNo);
    }
    // Errors (0401/0403 among them) reach the poller, which ends the subscriptions on them.
    const found = await findVideos(lookups, (page, pageSize) => mavi.listVideos({ page, pageSize }));
    for (const video of found.values()) {
      if (video.status && (await this.recordVideoStatus(credential.id, video.videoNo, video.status, video))) {
        changed = true;
      }
    }
    return changed;
  }

  /**
   * Video lookups shared by every subscription of this credential on this instance: what an
   * event needs and does not carry (a callback carries only the status) is read with the
   * lookups of the other events arriving within a few milliseconds, in one searchDB scan,
   * and nothing is cached past that scan (each event reads fresh). `release` when done.
   */
  videoReader(credential: Credential): {
    loader: DataLoader<string, VideoRecord | VideoNotFoundError>;
    release(): void;
  } {
    let reader = this.#readers.get(credential.id);
    if (!reader) {
      const mavi = new MaviClient(this.#o.transport, credential);
      // One scan at a time per credential: lookups made while one runs wait for it to end and
      // go together in the next, which is still a fresh read.
      let running: Promise<unknown> | null = null;
      const created = {
        holders: 0,
        loader: new TracedLoader<string, VideoRecord | VideoNotFoundError>(
          'liveVideos',
          (videoNos) => {
            const scan = findVideos(videoNos, (page, pageSize) => mavi.listVideos({ page, pageSize })).then(
              (found) => videoNos.map((no) => found.get(no) ?? new VideoNotFoundError(no)),
            );
            const settled = scan.catch(() => {});
            running = settled;
            void settled.then(() => {
              if (running === settled) running = null;
            });
            return scan;
          },
          {
            cache: false,
            batchScheduleFn: (run) => {
              if (running) void running.then(() => setTimeout(run, 0));
              else setTimeout(run, SHARED_READ_WINDOW_MS);
            },
          },
        ),
      };
      this.#readers.set(credential.id, created);
      reader = created;
    }
    const held = reader;
    held.holders += 1;
    let released = false;
    return {
      loader: held.loader,
      release: () => {
        if (released) return;
        released = true;
        held.holders -= 1;
        if (held.holders === 0 && this.#readers.get(credential.id) === held)
          this.#readers.delete(credential.id);
      },
    };
  }

  // ------------------------------------------------------------------ transcriptions

  static transcriptionTopic(credentialId: string, taskNo: string): string {
    return `mavi-gw:transcription:${credentialId}:${taskNo}`;
  }

  subscribeTranscription(credentialId: string, taskNo: string): EventSubscription<TranscriptionEvent> {
    return this.#o.bus.subscribe<TranscriptionEvent>(LiveService.transcriptionTopic(credentialId, taskNo));
  }

  /** A transcription state from any source; published only when status or segments changed. */
  async recordTranscription(credentialId: string, record: TranscriptionRecord): Promise<boolean> {
    const { changed } = await this.#o.state.advance(
      `transcription:${credentialId}:${record.taskNo}`,
      transcriptionState(record),
      ['FINISH'],
    );
    if (changed) {
      const event: TranscriptionEvent = { kind: 'progress', record };
      this.#linkPublisher(LiveService.transcriptionTopic(credentialId, record.taskNo));
      this.#o.bus.publish(LiveService.transcriptionTopic(credentialId, record.taskNo), event);
    }
    return changed;
  }

  /** Seeds the state the subscriber saw and joins (or starts) the task's shared poller. */
  async watchTranscription(
    credential: Credential,
    seen: TranscriptionRecord,
    link: SpanContext | null = null,
  ): Promise<() => void> {
    const { taskNo } = seen;
    await this.#o.state.seed(`transcription:${credential.id}:${taskNo}`, transcriptionState(seen));
    const key = `${credential.id}:${taskNo}`;
    let poller = this.#transcriptionPollers.get(key);
    if (!poller) {
      poller = new SharedPoller({
        name: `transcription:${key}`,
        state: this.#o.state,
        timing: this.#o.timing,
        logger: this.#o.logger,
        tick: async () => {
          const record = await new MaviClient(this.#o.transport, credential).getTranscription(taskNo);
          return this.recordTranscription(credential.id, record);
        },
        onFatal: (error) =>
          this.#o.bus.publish(LiveService.transcriptionTopic(credential.id, taskNo), fatalEvent(error)),
        onEmpty: () => {
          this.#o.metrics.livePollers.dec({ kind: 'transcription' });
          this.#transcriptionPollers.delete(key);
        },
      });
      this.#transcriptionPollers.set(key, poller);
      this.#o.metrics.livePollers.inc({ kind: 'transcription' });
    }
    const unwatch = poller.watch([taskNo], link);
    const unlink = this.#linkSubscriber(LiveService.transcriptionTopic(credential.id, taskNo), link);
    return () => {
      unlink();
      unwatch();
    };
  }

  // ------------------------------------------------------------------ lifecycle

  close(): void {
    for (const poller of [...this.#videoPollers.values(), ...this.#transcriptionPollers.values()])
      poller.stop();
  }
}
