/** Runs `fn` over `items` with at most `limit` running at once; resolves when all are done. */
export async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Calls `fn(i)` for i in [0, count) at an even `rate` per second (each when it is due, not in
 * bursts) and resolves when every call's promise has settled.
 */
export async function atRate(
  count: number,
  rate: number,
  fn: (index: number) => Promise<void>,
): Promise<void> {
  const start = performance.now() + 10;
  const running: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (sent < count && start + (sent * 1000) / rate <= now) running.push(fn(sent++));
      if (sent < count) setTimeout(tick, Math.max(0, Math.min(5, start + (sent * 1000) / rate - now)));
      else resolve();
    };
    setTimeout(tick, 10);
  });
  await Promise.allSettled(running);
}
