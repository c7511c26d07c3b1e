/** Per-minute limits from the Rate limits page (v1.0.md §8.1); delete and token calls are not listed. */
export const PER_MINUTE_LIMITS: Readonly<Record<string, number>> = {
  upload: 10,
  searchDB: 200,
  searchAI: 20,
  searchVideoFragment: 10,
  chat: 10,
  'subTranscription:VIDEO': 20,
  'subTranscription:AUDIO': 50,
  getTranscription: 50,
};

const WINDOW_MS = 60_000;

/** Sliding one-minute windows per credential and bucket (endpoint, or endpoint:type). */
export class RateLimiter {
  private readonly windows = new Map<string, number[]>();

  /** Counts the call and returns true when it is within the limit; rejected calls are not counted. */
  allow(credential: string, bucket: string, now = Date.now()): boolean {
    const limit = PER_MINUTE_LIMITS[bucket];
    if (limit === undefined) return true;
    const key = `${bucket}\n${credential}`;
    let stamps = this.windows.get(key);
    if (!stamps) {
      stamps = [];
      this.windows.set(key, stamps);
    }
    // At most `limit` (≤ 200) entries, so shifting from the front stays cheap.
    while (stamps.length > 0 && stamps[0]! <= now - WINDOW_MS) stamps.shift();
    if (stamps.length >= limit) return false;
    stamps.push(now);
    return true;
  }
}
