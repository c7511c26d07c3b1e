import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { LIMITS } from '../mavi/endpoints.js';
import { InvalidParameterError } from '../mavi/errors.js';
import type { VideoStatus } from '../mavi/types.js';

/**
 * Relay cursors over MAVI's page/pageSize listing.
 *
 * A cursor holds the edge's offset and the upload-time window the first page was read in:
 * `windowEnd` is fixed to the time of that first read, so videos uploaded while a client pages
 * (which MAVI lists first, newest first) do not shift the offsets of later pages. It also
 * holds a fingerprint of the filter, so a cursor cannot be used with a different filter.
 */
export interface CursorState {
  /** Zero-based position of the edge in the listing. */
  offset: number;
  /** Upper bound (epoch ms, inclusive) on upload time for every page after the first. */
  windowEnd: number;
  filter: string;
}

export interface ListingFilter {
  status?: VideoStatus | null | undefined;
  uploadedAfter?: Date | null | undefined;
  uploadedBefore?: Date | null | undefined;
}

const VERSION = 1;
/** Far beyond any real library; keeps a forged cursor from asking for absurd pages. */
const MAX_OFFSET = 10_000_000;

/** Fingerprints of recent filters: most listings use none or a few, and each costs a SHA-256. */
const fingerprints = new LRUCache<string, string>({ max: 256 });

export function filterFingerprint(filter: ListingFilter): string {
  const key = JSON.stringify([
    filter.status ?? null,
    filter.uploadedAfter?.getTime() ?? null,
    filter.uploadedBefore?.getTime() ?? null,
  ]);
  let fingerprint = fingerprints.get(key);
  if (fingerprint === undefined) {
    fingerprint = createHash('sha256').update(key).digest('base64url').slice(0, 8);
    fingerprints.set(key, fingerprint);
  }
  return fingerprint;
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify([VERSION, state.offset, state.windowEnd, state.filter])).toString(
    'base64url',
  );
}

/** Reads a cursor made by {@link encodeCursor}; anything else is an InvalidParameterError on `after`. */
export function decodeCursor(cursor: string, filter: string): CursorState {
  const invalid = (why: string) =>
    new InvalidParameterError(
      `after is not a cursor from this listing: ${why}. Use a cursor from an edge or pageInfo.`,
      'after',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('it cannot be decoded');
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== VERSION) throw invalid('unknown format');
  const [, offset, windowEnd, fingerprint] = parsed as [number, unknown, unknown, unknown];
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) > MAX_OFFSET) {
    throw invalid('bad offset');
  }
  if (!Number.isSafeInteger(windowEnd) || (windowEnd as number) <= 0) throw invalid('bad time window');
  if (fingerprint !== filter) {
    throw new InvalidParameterError(
      'after belongs to a listing with a different filter; pass the same filter while paging.',
      'after',
    );
  }
  return { offset: offset as number, windowEnd: windowEnd as number, filter };
}

export interface PagePlan {
  pageSize: number;
  /** 1-based MAVI pages to read, in order (one or two). */
  pages: number[];
  /** Items to skip at the start of the first page. */
  skip: number;
}

/**
 * The MAVI pages that cover items [offset, offset + count). A page size from `count` to
 * MAVI's maximum is chosen so that one page covers the range when possible (always, when
 * clients page forward with a constant `first`); otherwise two consecutive pages of `count`.
 */
export function planPages(offset: number, count: number): PagePlan {
  for (let size = count; size <= LIMITS.maxPageSize; size++) {
    if (Math.floor(offset / size) === Math.floor((offset + count - 1) / size)) {
      return { pageSize: size, pages: [Math.floor(offset / size) + 1], skip: offset % size };
    }
  }
  const first = Math.floor(offset / count) + 1;
  return { pageSize: count, pages: [first, first + 1], skip: offset % count };
}
