import { LIMITS } from '../mavi/endpoints.js';

/**
 * What a field costs in the query cost limit (@pothos/plugin-complexity, enforced by
 * useCostLimit). A field that reads only what its parent holds costs 1; a list multiplies
 * the cost of what is selected under it by 10 (Pothos's defaults).
 *
 * A field that calls MAVI costs what the call spends of MAVI's per-minute quota for its
 * endpoint (v1.0 §8.1), scaled so that one minute of any endpoint's quota is 1 000 000: 200
 * searchDB calls, 20 searchAI calls and 10 searchVideoFragment calls each add up to the same
 * amount. The default MAX_QUERY_COST (1 000 000) therefore lets one operation spend about a
 * minute of one endpoint's quota, and no more. Upstream calls dominate on purpose: a plain
 * field is a millionth of the budget, so the shape of a legitimate query barely matters.
 */
const QUOTA_MINUTE = 1_000_000;

/** One call to an endpoint MAVI allows `perMinute` times a minute. */
const call = (perMinute: number) => Math.ceil(QUOTA_MINUTE / perMinute);

export const COST = {
  /** searchDB: 200 a minute. */
  searchDB: call(200),
  /** searchAI: 20 a minute. */
  searchAI: call(20),
  /** searchVideoFragment: 10 a minute. */
  searchVideoFragment: call(10),
  /** chat: 10 a minute. */
  chat: call(10),
  /** upload: 10 a minute. */
  upload: call(10),
  /** subTranscription: 20 a minute for VIDEO, 50 for AUDIO. */
  subTranscription: { VIDEO: call(20), AUDIO: call(50) },
  /** getTranscription: 50 a minute. */
  getTranscription: call(50),
  /** delete has no documented quota; a destructive write is priced like searchAI, per chunk of 500. */
  delete: call(20),
  /**
   * getAccessToken allows 50 calls a day and refreshAccessToken 500: priced at the scarcest
   * per-minute rate, which also keeps aliases from brute-forcing authorization codes.
   */
  token: call(10),
} as const;

/** Calls needed for `count` items at `perCall` items a call (at least one). */
export function callsFor(count: number, perCall: number): number {
  return Math.max(1, Math.ceil(count / perCall));
}

/**
 * Video.clips, per video. Every Video.clips of one request with the same query shares one
 * searchVideoFragment call per 50 videos, so a video's share of a full batch is a fiftieth of
 * a call; it is charged a twenty-fifth, a real weight that also covers the partly filled last
 * batch and each alias with another query, which starts a batch of its own. Batching makes
 * the true cost lower: 200 videos with clips for one query are 4 calls (400 000) but are
 * charged 800 000.
 */
export const VIDEO_CLIPS_COST = Math.ceil(COST.searchVideoFragment / 25);

/**
 * video(videoNo), per lookup. All lookups of a request share one searchDB scan at 200 videos
 * a page that stops once every video is found, so a lookup is charged a fifth of a call: a
 * page's worth of lookups (200) costs 200 000, five scanned pages.
 */
export const VIDEO_LOOKUP_COST = Math.ceil(COST.searchDB / 5);

/** The page size `videos(first:)` resolves to, clamped as its resolver will check it. */
export function pageSize(first: number | null | undefined, fallback: number): number {
  if (first == null) return fallback;
  return Math.min(Math.max(first, 1), LIMITS.maxPageSize);
}
