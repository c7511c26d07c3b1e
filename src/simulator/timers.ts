/**
 * Every timer the simulator arms goes through here so `close()` can clear them all: a parse or
 * transcription timer left behind would keep vitest's worker alive after the tests finish.
 */
export class Timers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;

  /** Runs `fn` after `ms`; does nothing once closed. */
  after(ms: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, ms);
    if (this.closed) clearTimeout(timer);
    else this.pending.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.pending.delete(timer);
  }

  /**
   * Resolves after `ms`. After `close()` it never resolves: whatever awaited it belongs to a
   * request whose socket `close()` destroys, so leaving it pending is the clean outcome.
   */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.after(ms, resolve);
    });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}
