/**
 * Sharing of identical in-flight reads.
 *
 * Why: a page that fires the same query from several components, or many clients of one
 * account polling the same transcription, would each spend a MAVI request (and a token of a
 * small per-minute quota) on an answer another request is already fetching. Concurrent calls
 * with the same key share one upstream call; the key is the credential's id, the endpoint and
 * the canonical request, so nothing is ever shared across credentials. The entry is removed as
 * soon as the call settles: this is not a cache, a later call goes upstream again.
 *
 * Aborts: a caller that aborts stops waiting at once, but the shared call goes on for the
 * others; it is aborted only when every caller sharing it has aborted.
 *
 * Only idempotent reads with a credential are shared, before the governor (one shared call
 * takes one quota token). On by default; MAVI_COALESCE=false turns it off.
 */

interface Entry<R> {
  promise: Promise<R>;
  controller: AbortController;
  callers: number;
}

export class Coalescer {
  readonly #inflight = new Map<string, Entry<unknown>>();

  /**
   * Joins the call in flight under `key` (calling `onJoin` then, for metrics), or starts one
   * with `start`, which receives the shared call's own signal. `shared` is false for the
   * caller that started it.
   */
  run<R>(
    key: string,
    signal: AbortSignal | undefined,
    start: (signal: AbortSignal) => Promise<R>,
    onJoin?: () => void,
  ): Promise<{ value: R; shared: boolean }> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let entry = this.#inflight.get(key) as Entry<R> | undefined;
    const shared = entry !== undefined;
    if (shared) onJoin?.();
    if (!entry) {
      const controller = new AbortController();
      const created: Entry<R> = { promise: start(controller.signal), controller, callers: 0 };
      entry = created;
      this.#inflight.set(key, created);
      const forget = () => {
        if (this.#inflight.get(key) === created) this.#inflight.delete(key);
      };
      // Nobody may be listening any more (all aborted): the rejection is expected then.
      created.promise.then(forget, forget);
    }
    const joined = entry;
    joined.callers += 1;

    return new Promise((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        joined.callers -= 1;
        if (joined.callers === 0) {
          if (this.#inflight.get(key) === joined) this.#inflight.delete(key);
          joined.controller.abort(signal?.reason);
        }
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          resolve({ value, shared });
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

/** JSON with object keys sorted at every level, so equal requests give equal keys. */
export function canonicalJson(value: unknown): string {
  const text: string | undefined = JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const entries = Object.entries(v as Record<string, unknown>);
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
  return text ?? '';
}
