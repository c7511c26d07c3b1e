import type { CallbackSender } from './callbacks.js';
import { API_KEY_PATTERN, clientIdFor, newApiKey, newVideoNo, randomHex } from './ids.js';
import { SEED_VIDEOS } from './seed.js';
import type { Timers } from './timers.js';
import type { SimAccount, SimScene, SimVideo, SimVideoStatus } from './types.js';

/** Seconds per byte for uploads: a 2 Mbit/s video, so a few MiB make a plausible clip. */
const BYTES_PER_SECOND = 250_000;
/** Token lifetimes in seconds, as documented (2 hours, 2 months). */
export const ACCESS_TOKEN_TTL_S = 7_200;
export const REFRESH_TOKEN_TTL_S = 5_184_000;

/** Newest first: uploadTime descending, then videoNo descending (longer ids are larger). */
export function compareNewestFirst(a: SimVideo, b: SimVideo): number {
  if (a.uploadTime !== b.uploadTime) return b.uploadTime - a.uploadTime;
  if (a.videoNo.length !== b.videoNo.length) return b.videoNo.length - a.videoNo.length;
  return a.videoNo < b.videoNo ? 1 : a.videoNo > b.videoNo ? -1 : 0;
}

/**
 * An account's videos, kept in searchDB order as they are added and removed, so listing a big
 * library costs a slice instead of a sort per request. Order is fixed when a video is inserted:
 * change a video's uploadTime by re-adding it, not by mutating it in place.
 */
export class VideoMap extends Map<string, SimVideo> {
  private readonly order: SimVideo[] = [];

  /** All videos, newest first. Do not mutate. */
  newestFirst(): readonly SimVideo[] {
    return this.order;
  }

  override set(videoNo: string, video: SimVideo): this {
    const previous = super.get(videoNo);
    if (previous) this.unorder(previous);
    super.set(videoNo, video);
    this.order.splice(this.lowerBound(video), 0, video);
    return this;
  }

  override delete(videoNo: string): boolean {
    const previous = super.get(videoNo);
    if (!previous) return false;
    this.unorder(previous);
    return super.delete(videoNo);
  }

  override clear(): void {
    this.order.length = 0;
    super.clear();
  }

  /** First index whose video does not sort before `video`. */
  private lowerBound(video: SimVideo): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNewestFirst(this.order[mid]!, video) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private unorder(video: SimVideo): void {
    let index = this.lowerBound(video);
    // Someone mutated uploadTime in place: fall back to a scan rather than lose the entry.
    if (this.order[index] !== video) index = this.order.indexOf(video);
    if (index >= 0) this.order.splice(index, 1);
  }
}

/** What parsing reveals about a video. */
interface ParsedDetails {
  duration: number;
  description: string;
  scenes: SimScene[];
}

interface PendingParse {
  timer: NodeJS.Timeout;
  details: ParsedDetails;
}

interface Grant {
  apiKey: string;
  expiresAt: number;
}

export interface IssuedTokens {
  accessToken: string;
  type: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface LibraryOptions {
  parseDelayMs: number;
  seed: boolean;
  autoRegister: boolean;
}

function round1(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}

/** Words of a filename without extension or bare numbers: what an upload is "about". */
function topicOf(videoName: string): string {
  const words = videoName
    .replace(/\.[a-z0-9]{1,5}$/i, '')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '' && !/^\d+$/.test(word))
    .map((word) => word.toLowerCase());
  return words.length > 0 ? words.join(' ') : 'untitled footage';
}

/** Description and three scenes made from the filename, spread over the duration. */
function detailsFromName(videoName: string, duration: number): ParsedDetails {
  const topic = topicOf(videoName);
  const lines: Array<[string, string]> = [
    [`Opening shot introducing ${topic}.`, `Welcome, this video is about ${topic}.`],
    [`A closer look at ${topic}.`, `Here you can see ${topic} up close.`],
    [`Closing view of ${topic}.`, `That was ${topic}, thanks for watching.`],
  ];
  return {
    duration,
    description: `An uploaded video about ${topic}.`,
    scenes: lines.map(([text, speech], i) => ({
      start: round1((duration * i) / lines.length),
      end: round1((duration * (i + 1)) / lines.length),
      text,
      speech,
    })),
  };
}

/** Accounts, their videos and credentials, plus the status machine of uploaded videos. */
export class Library {
  readonly accounts = new Map<string, SimAccount>();
  private readonly byClientId = new Map<string, SimAccount>();
  private readonly accessTokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, Grant>();
  /** clientId -> the latest authorization code; a newer code replaces (invalidates) the older. */
  private readonly authCodes = new Map<string, string>();
  /** videoNo -> callBackUri given on upload; status changes are POSTed there. */
  private readonly uploadCallbacks = new Map<string, string>();
  private readonly pending = new Map<string, PendingParse>();
  private sampleCounter = 0;

  constructor(
    private readonly options: LibraryOptions,
    private readonly timers: Timers,
    private readonly callbacks: CallbackSender,
  ) {}

  createAccount(opts: { apiKey?: string; clientId?: string; seed?: boolean } = {}): SimAccount {
    const apiKey = opts.apiKey ?? newApiKey();
    if (apiKey.trim() === '' || /\s/.test(apiKey)) {
      throw new Error(`an API key must be non-empty without whitespace; received ${JSON.stringify(apiKey)}`);
    }
    if (this.accounts.has(apiKey)) throw new Error(`an account with API key ${apiKey} already exists`);
    const clientId = opts.clientId ?? clientIdFor(apiKey);
    if (this.byClientId.has(clientId)) throw new Error(`an account with clientId ${clientId} already exists`);
    const account: SimAccount = { apiKey, clientId, disabled: false, videos: new VideoMap() };
    this.accounts.set(apiKey, account);
    this.byClientId.set(clientId, account);
    if (opts.seed ?? this.options.seed) this.seed(account);
    return account;
  }

  account(apiKey: string): SimAccount | undefined {
    return this.accounts.get(apiKey);
  }

  requireAccount(apiKey: string): SimAccount {
    const account = this.accounts.get(apiKey);
    if (!account) throw new Error(`no account has the API key ${JSON.stringify(apiKey)}`);
    return account;
  }

  /**
   * The account a credential (API key or access token) stands for. Unknown MAVI-shaped keys
   * become new accounts when autoRegister is on, so any `sk-…` key works against a fresh simulator.
   */
  authenticate(credential: string): SimAccount | undefined {
    const account = this.accounts.get(credential);
    if (account) return account;
    const grant = this.accessTokens.get(credential);
    if (grant) {
      if (grant.expiresAt > Date.now()) return this.accounts.get(grant.apiKey);
      this.accessTokens.delete(credential);
      return undefined;
    }
    if (this.options.autoRegister && API_KEY_PATTERN.test(credential)) {
      return this.createAccount({ apiKey: credential });
    }
    return undefined;
  }

  disableAccount(apiKey: string, disabled: boolean): void {
    this.requireAccount(apiKey).disabled = disabled;
  }

  addVideo(account: SimAccount, partial: Partial<SimVideo> = {}): SimVideo {
    this.sampleCounter += 1;
    const status = partial.status ?? 'PARSE';
    const videoName = partial.videoName ?? `sample_video_${this.sampleCounter}.mp4`;
    const lastSceneEnd = partial.scenes?.at(-1)?.end;
    const parsed = status === 'PARSE';
    const duration = partial.duration ?? (parsed ? (lastSceneEnd ?? 60) : undefined);
    const derived = detailsFromName(videoName, duration ?? 60);
    const video: SimVideo = {
      videoNo: partial.videoNo ?? newVideoNo(),
      videoName,
      status,
      uploadTime: partial.uploadTime ?? Date.now(),
      duration,
      size: partial.size ?? 0,
      description: partial.description ?? derived.description,
      scenes: partial.scenes ?? (parsed ? derived.scenes : []),
    };
    account.videos.set(video.videoNo, video);
    return video;
  }

  /**
   * A finished upload: UNPARSE now, PARSE (FAIL when the name says "fail") after parseDelayMs,
   * with the upload callback fired for both, as the doc allows more than one.
   */
  registerUpload(account: SimAccount, videoName: string, bytes: number, callbackUri?: string): SimVideo {
    const video: SimVideo = {
      videoNo: newVideoNo(),
      videoName,
      status: 'UNPARSE',
      uploadTime: Date.now(),
      duration: undefined,
      size: bytes,
      description: '',
      scenes: [],
    };
    account.videos.set(video.videoNo, video);
    if (callbackUri) {
      this.uploadCallbacks.set(video.videoNo, callbackUri);
      this.notify(account, video);
    }
    const finalStatus = /fail/i.test(videoName) ? 'FAIL' : 'PARSE';
    const duration = Math.max(1, Math.round(bytes / BYTES_PER_SECOND));
    this.scheduleParse(account, video, finalStatus, detailsFromName(videoName, duration));
    return video;
  }

  setVideoStatus(account: SimAccount, videoNo: string, status: SimVideoStatus): void {
    const video = account.videos.get(videoNo);
    if (!video) throw new Error(`account ${account.apiKey} has no video ${JSON.stringify(videoNo)}`);
    const pending = this.pending.get(videoNo);
    if (pending) {
      this.timers.cancel(pending.timer);
      this.pending.delete(videoNo);
    }
    this.applyStatus(account, video, status, pending?.details);
  }

  /** Deletes all or nothing; returns the videoNos the account does not hold (then nothing changed). */
  deleteVideos(account: SimAccount, videoNos: readonly string[]): string[] {
    const missing = videoNos.filter((videoNo) => !account.videos.has(videoNo));
    if (missing.length > 0) return missing;
    for (const videoNo of videoNos) {
      account.videos.delete(videoNo);
      this.uploadCallbacks.delete(videoNo);
      const pending = this.pending.get(videoNo);
      if (pending) this.timers.cancel(pending.timer);
      this.pending.delete(videoNo);
    }
    return [];
  }

  issueAuthCode(apiKey: string): { clientId: string; code: string } {
    const account = this.requireAccount(apiKey);
    const code = randomHex(16);
    this.authCodes.set(account.clientId, code);
    return { clientId: account.clientId, code };
  }

  /** Single use: the code is spent even when the account turns out to be disabled. */
  exchangeCode(clientId: string, code: string): IssuedTokens | undefined {
    const account = this.byClientId.get(clientId);
    if (!account || this.authCodes.get(clientId) !== code) return undefined;
    this.authCodes.delete(clientId);
    const refreshToken = randomHex(32);
    this.refreshTokens.set(refreshToken, {
      apiKey: account.apiKey,
      expiresAt: Date.now() + REFRESH_TOKEN_TTL_S * 1000,
    });
    return {
      accessToken: this.grantAccess(account.apiKey),
      type: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_S,
      refreshToken,
      refreshExpiresIn: REFRESH_TOKEN_TTL_S,
    };
  }

  refreshAccess(refreshToken: string): string | undefined {
    const grant = this.refreshTokens.get(refreshToken);
    if (!grant || grant.expiresAt <= Date.now() || !this.accounts.has(grant.apiKey)) return undefined;
    return this.grantAccess(grant.apiKey);
  }

  private grantAccess(apiKey: string): string {
    const accessToken = randomHex(32);
    this.accessTokens.set(accessToken, { apiKey, expiresAt: Date.now() + ACCESS_TOKEN_TTL_S * 1000 });
    return accessToken;
  }

  private seed(account: SimAccount): void {
    const now = Date.now();
    for (const sample of SEED_VIDEOS) {
      const parsed = sample.status === 'PARSE';
      const video: SimVideo = {
        videoNo: newVideoNo(),
        videoName: sample.videoName,
        status: sample.status,
        uploadTime: now - sample.ageMs,
        duration: parsed ? sample.duration : undefined,
        size: 0,
        description: sample.description,
        scenes: parsed ? sample.scenes.map((scene) => ({ ...scene })) : [],
      };
      account.videos.set(video.videoNo, video);
      if (sample.status === 'UNPARSE') {
        this.scheduleParse(account, video, 'PARSE', {
          duration: sample.duration,
          description: sample.description,
          scenes: sample.scenes.map((scene) => ({ ...scene })),
        });
      }
    }
  }

  private scheduleParse(
    account: SimAccount,
    video: SimVideo,
    finalStatus: SimVideoStatus,
    details: ParsedDetails,
  ): void {
    const timer = this.timers.after(this.options.parseDelayMs, () => {
      this.pending.delete(video.videoNo);
      // Deleted (or replaced) meanwhile: nothing left to parse.
      if (account.videos.get(video.videoNo) !== video) return;
      this.applyStatus(account, video, finalStatus, details);
    });
    this.pending.set(video.videoNo, { timer, details });
  }

  private applyStatus(
    account: SimAccount,
    video: SimVideo,
    status: SimVideoStatus,
    details: ParsedDetails | undefined,
  ): void {
    video.status = status;
    if (status === 'PARSE') {
      const filled = details ?? detailsFromName(video.videoName, video.scenes.at(-1)?.end ?? 60);
      video.duration ??= filled.duration;
      if (video.description === '') video.description = filled.description;
      if (video.scenes.length === 0) video.scenes = filled.scenes;
    }
    this.notify(account, video);
  }

  private notify(account: SimAccount, video: SimVideo): void {
    const url = this.uploadCallbacks.get(video.videoNo);
    if (!url) return;
    this.callbacks.post(
      url,
      { videoNo: video.videoNo, clientId: account.clientId, status: video.status },
      video.videoNo,
    );
  }
}
