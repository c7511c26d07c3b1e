import {
  type Envelope,
  paramError,
  requireObject,
  requireString,
  requireStringArray,
  success,
} from './envelope.js';
import type { Exchange } from './exchange.js';
import { compareNewestFirst, VideoMap } from './library.js';
import { score, tokens } from './scoring.js';
import type { Handler } from './state.js';
import type { SimAccount, SimScene, SimVideo, SimVideoStatus } from './types.js';
import { wireSeconds, wireVideo } from './wire.js';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 200;
const MAX_FRAGMENT_VIDEOS = 50;

/** searchDB filters by FAIL; the Code page spells the same state PARSE_ERROR (v1.0.md §4.1). */
const STATUS_FILTERS: Readonly<Record<string, SimVideoStatus>> = {
  PARSE: 'PARSE',
  UNPARSE: 'UNPARSE',
  FAIL: 'FAIL',
  PARSE_ERROR: 'FAIL',
};

/** The account's videos newest first; a slice of the maintained order, not a sort per request. */
export function newestFirst(account: SimAccount): readonly SimVideo[] {
  if (account.videos instanceof VideoMap) return account.videos.newestFirst();
  // Someone swapped in a plain Map: still correct, just not cheap.
  return [...account.videos.values()].sort(compareNewestFirst);
}

function param(ex: Exchange, name: string): string | undefined {
  const raw = ex.query.get(name);
  // Clients build query strings from optional fields and often send them empty: treat as absent.
  return raw === null || raw.trim() === '' ? undefined : raw.trim();
}

function integerParam(ex: Exchange, name: string, fallback: number, min: number, max: number): number {
  const raw = param(ex, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^[+-]?\d+$/.test(raw) || value < min || value > max) {
    throw paramError(`${name} must be an integer from ${min} to ${max}; received ${JSON.stringify(raw)}`);
  }
  return value;
}

function timeParam(ex: Exchange, name: string): number | undefined {
  const raw = param(ex, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw paramError(`${name} must be epoch milliseconds; received ${JSON.stringify(raw)}`);
  }
  return value;
}

/** First index in [0, length) where `isPast` turns true; `isPast` must be monotone over the array. */
function firstIndex(videos: readonly SimVideo[], isPast: (video: SimVideo) => boolean): number {
  let lo = 0;
  let hi = videos.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isPast(videos[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * searchDB: the hot path of every benchmark. The library is kept sorted, time bounds are two
 * binary searches, and only the requested page is materialised.
 */
export const searchDB: Handler = (ex) => {
  const startTime = timeParam(ex, 'startTime');
  const endTime = timeParam(ex, 'endTime');
  const rawStatus = param(ex, 'videoStatus');
  const status = rawStatus === undefined ? undefined : STATUS_FILTERS[rawStatus];
  if (rawStatus !== undefined && status === undefined) {
    throw paramError(`videoStatus must be PARSE, UNPARSE or FAIL; received ${JSON.stringify(rawStatus)}`);
  }
  const page = integerParam(ex, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = integerParam(ex, 'pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const name = param(ex, 'videoName')?.toLowerCase();

  const videos = newestFirst(ex.account!);
  // Newest first, so the bounds are inclusive on both ends: [first ≤ endTime, first < startTime).
  const from = endTime === undefined ? 0 : firstIndex(videos, (v) => v.uploadTime <= endTime);
  const to = startTime === undefined ? videos.length : firstIndex(videos, (v) => v.uploadTime < startTime);
  const offset = (page - 1) * pageSize;
  let total: number;
  let pageItems: SimVideo[];
  if (status === undefined && name === undefined) {
    total = Math.max(0, to - from);
    pageItems = videos.slice(Math.min(from + offset, to), Math.min(from + offset + pageSize, to));
  } else {
    total = 0;
    pageItems = [];
    for (let i = from; i < to; i++) {
      const video = videos[i]!;
      if (status !== undefined && video.status !== status) continue;
      if (name !== undefined && !video.videoName.toLowerCase().includes(name)) continue;
      if (total >= offset && pageItems.length < pageSize) pageItems.push(video);
      total += 1;
    }
  }
  return success({
    page: Math.ceil(total / pageSize),
    current: page,
    total,
    pageSize,
    videoData: pageItems.map(wireVideo),
  });
};

/** Token sets are cached per scene/video object and recomputed when its text changes. */
const tokenCache = new WeakMap<object, { text: string; tokens: Set<string> }>();

function cachedTokens(owner: object, text: string): Set<string> {
  const cached = tokenCache.get(owner);
  if (cached && cached.text === text) return cached.tokens;
  const fresh = tokens(text);
  tokenCache.set(owner, { text, tokens: fresh });
  return fresh;
}

export function sceneTokens(scene: SimScene): Set<string> {
  return cachedTokens(scene, scene.text);
}

/** Share of the query found anywhere in the video's description or scenes. */
function videoScore(query: Set<string>, video: SimVideo): number {
  if (query.size === 0) return 0;
  const sources = [cachedTokens(video, video.description), ...video.scenes.map(sceneTokens)];
  let found = 0;
  for (const token of query) if (sources.some((source) => source.has(token))) found += 1;
  return found / query.size;
}

export const searchAI: Handler = (ex) => {
  const body = requireObject(ex.body);
  const query = tokens(requireString(body, 'searchValue'));
  const ranked: Array<{ video: SimVideo; score: number }> = [];
  for (const video of newestFirst(ex.account!)) {
    if (video.status !== 'PARSE') continue;
    const s = videoScore(query, video);
    if (s > 0) ranked.push({ video, score: s });
  }
  // Stable: equal scores stay newest first.
  ranked.sort((a, b) => b.score - a.score);
  return success({ videos: ranked.map(({ video }) => wireVideo(video)) });
};

export const searchVideoFragment: Handler = (ex): Envelope => {
  const body = requireObject(ex.body);
  const videoNos = requireStringArray(body.videoNos, 'videoNos', 1, MAX_FRAGMENT_VIDEOS);
  const query = tokens(requireString(body, 'searchValue'));
  const account = ex.account!;
  const hits: Array<{ video: SimVideo; scene: SimScene; score: number }> = [];
  for (const videoNo of new Set(videoNos)) {
    const video = account.videos.get(videoNo);
    // Unknown and unparsed videos are skipped, not rejected: MAVI searches what it can.
    if (video?.status !== 'PARSE') continue;
    for (const scene of video.scenes) {
      const s = score(query, sceneTokens(scene));
      if (s > 0) hits.push({ video, scene, score: s });
    }
  }
  hits.sort((a, b) => b.score - a.score);
  return success({
    videos: hits.map(({ video, scene, score: s }) => ({
      ...wireVideo(video),
      fragmentStartTime: wireSeconds(scene.start),
      fragmentEndTime: wireSeconds(scene.end),
      score: Math.round(s * 10_000) / 10_000,
    })),
  });
};
