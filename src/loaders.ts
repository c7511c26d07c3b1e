import type DataLoader from 'dataloader';
import type { MaviClient } from './mavi/client.js';
import { LIMITS } from './mavi/endpoints.js';
import { VideoNotFoundError } from './mavi/errors.js';
import type {
  ClipRecord,
  TranscriptionRecord,
  VideoListParams,
  VideoPage,
  VideoRecord,
} from './mavi/types.js';
import { findVideos } from './mavi/videos.js';
import { TracedLoader } from './tracing.js';

/**
 * The DataLoader contract in one place: answers in the keys' order, one per key; a key the
 * batch did not answer becomes `missing(key)` (a typed value, not a thrown error); a batch
 * failure becomes that error for every key of the batch.
 */
function loader<K, V, C = K>(
  name: string,
  batch: (keys: readonly K[]) => Promise<Map<C, V>>,
  missing: (key: K) => V,
  options: DataLoader.Options<K, V, C> = {},
): DataLoader<K, V, C> {
  const cacheKey = options.cacheKeyFn ?? ((key: K) => key as unknown as C);
  return new TracedLoader<K, V, C>(
    name,
    async (keys) => {
      const found = await batch(keys);
      return keys.map((key) => found.get(cacheKey(key)) ?? missing(key));
    },
    options,
  );
}

/** One MAVI read per distinct key: for endpoints that take one key and cannot batch. */
function once<K, V>(
  name: string,
  read: (key: K) => Promise<V>,
  cacheKeyFn?: (key: K) => string,
): DataLoader<K, V, unknown> {
  return new TracedLoader<K, V, unknown>(
    name,
    // `read` may throw before it returns a promise (no credential): that is the key's failure
    // too, not a batch function breaking DataLoader's contract ("Unexpected error.").
    (keys) => Promise.all(keys.map(async (key) => read(key)).map((p) => p.catch((e: Error) => e))),
    {
      batch: false,
      ...(cacheKeyFn ? { cacheKeyFn } : {}),
    },
  );
}

/**
 * Per-request loaders over one caller's MaviClient. Created lazily: a request that never
 * touches a loader never builds it. Never shared between requests, so nothing crosses
 * credentials.
 */
export class Loaders {
  /**
   * The request's "now" in epoch ms. Listings close their upload-time window here, so two
   * identical listings in one request make identical (and so shared) searchDB reads.
   */
  readonly now = Date.now();
  readonly #mavi: MaviClient;
  #video?: DataLoader<string, VideoRecord | VideoNotFoundError>;
  #videoPage?: DataLoader<VideoListParams, VideoPage, unknown>;
  #searchVideos?: DataLoader<string, VideoRecord[], unknown>;
  #transcription?: DataLoader<string, TranscriptionRecord, unknown>;
  readonly #clips = new Map<string, DataLoader<string, ClipRecord[]>>();
  /** Set by {@link shareVideos}: video lookups go through a loader other contexts share. */
  #sharedVideo?: DataLoader<string, VideoRecord | VideoNotFoundError>;

  constructor(mavi: MaviClient) {
    this.#mavi = mavi;
  }

  /** A searchDB page, read once per request for the same parameters. Primes {@link video}. */
  get videoPage(): DataLoader<VideoListParams, VideoPage, unknown> {
    this.#videoPage ??= once(
      'videoPage',
      async (params: VideoListParams) => {
        const page = await this.#mavi.listVideos(params);
        for (const video of page.videos) this.video.prime(video.videoNo, video);
        return page;
      },
      (params) =>
        JSON.stringify([params.page, params.pageSize, params.startTime, params.endTime, params.status]),
    );
    return this.#videoPage;
  }

  /**
   * Videos by number: every number asked for in one tick is found by one searchDB scan
   * (mavi/videos.ts findVideos) through {@link videoPage}, so pages this request already read
   * are not read again. Numbers not found become VideoNotFoundError values.
   */
  get video(): DataLoader<string, VideoRecord | VideoNotFoundError> {
    if (this.#sharedVideo) return this.#sharedVideo;
    this.#video ??= loader<string, VideoRecord | VideoNotFoundError>(
      'video',
      (videoNos) => findVideos(videoNos, (page, pageSize) => this.videoPage.load({ page, pageSize })),
      (videoNo) => new VideoNotFoundError(videoNo),
    );
    return this.#video;
  }

  /**
   * The clips of many videos for one query. Every Video.clips and searchClips of a request
   * with the same query joins one batch, sent as one searchVideoFragment call per 50 videos
   * (MAVI's limit), and each video gets its own clips back.
   */
  clips(query: string): DataLoader<string, ClipRecord[]> {
    let clips = this.#clips.get(query);
    if (!clips) {
      clips = loader(
        'clips',
        async (videoNos) => {
          const byVideo = new Map<string, ClipRecord[]>(videoNos.map((no) => [no, []]));
          for (const clip of await this.#mavi.searchClips(query, videoNos))
            byVideo.get(clip.videoNo)?.push(clip);
          return byVideo;
        },
        () => [],
        { maxBatchSize: LIMITS.maxFragmentVideos },
      );
      this.#clips.set(query, clips);
    }
    return clips;
  }

  /**
   * From now on, looks videos up through `shared`, a loader every subscription of one credential
   * uses (live/live.ts videoReader): events of a credential arriving together share one scan.
   */
  shareVideos(shared: DataLoader<string, VideoRecord | VideoNotFoundError>): void {
    this.#sharedVideo = shared;
    this.#video = undefined;
  }

  /**
   * Forgets everything read so far. A subscription keeps its context for as long as it is
   * open: between events nothing it read is kept (with thousands open it was most of their
   * memory), and each event reads fresh rather than what was cached before the change.
   */
  clear(): void {
    this.#video = undefined;
    this.#videoPage = undefined;
    this.#searchVideos = undefined;
    this.#transcription = undefined;
    this.#clips.clear();
  }

  /** searchAI, once per distinct query in a request. */
  get searchVideos(): DataLoader<string, VideoRecord[], unknown> {
    this.#searchVideos ??= once('searchVideos', (query: string) => this.#mavi.searchVideos(query));
    return this.#searchVideos;
  }

  /** getTranscription, once per task in a request. */
  get transcription(): DataLoader<string, TranscriptionRecord, unknown> {
    this.#transcription ??= once('transcription', (taskNo: string) => this.#mavi.getTranscription(taskNo));
    return this.#transcription;
  }
}

/** loadMany answers an Error in place of each key that failed. */
export function isLoadFailure(value: unknown): value is Error {
  return value instanceof Error;
}
