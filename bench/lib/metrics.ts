/** Sums the samples of one Prometheus metric whose labels include every `labels` pair. */
export async function scrape(
  origin: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const [value] = await scrapeAll(origin, [name], labels);
  return value ?? 0;
}

/**
 * Several metrics from one scrape: prom-client resets its event-loop delay figures on every
 * collection, so a second scrape would read the time since the first, not the run.
 */
export async function scrapeAll(
  origin: string,
  names: string[],
  labels: Record<string, string> = {},
): Promise<number[]> {
  const res = await fetch(`${origin}/metrics`);
  const lines = (await res.text()).split('\n');
  return names.map((name) => {
    let sum = 0;
    for (const line of lines) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  });
}

/** One kind of garbage collection (minor: scavenges; major, incremental) as prom-client counts it. */
export interface GcKind {
  count: number;
  seconds: number;
  /** Cumulative counts per bucket bound (seconds), from nodejs_gc_duration_seconds_bucket. */
  buckets: Map<number, number>;
}

/** The gateway's GC pauses so far, by kind (prom-client's nodejs_gc_duration_seconds). */
export async function gcSnapshot(origin: string): Promise<Map<string, GcKind>> {
  const res = await fetch(`${origin}/metrics`);
  const kinds = new Map<string, GcKind>();
  for (const line of (await res.text()).split('\n')) {
    if (!line.startsWith('nodejs_gc_duration_seconds')) continue;
    const kind = /kind="([^"]+)"/.exec(line)?.[1];
    if (!kind) continue;
    const entry = kinds.get(kind) ?? { count: 0, seconds: 0, buckets: new Map() };
    kinds.set(kind, entry);
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('nodejs_gc_duration_seconds_count')) entry.count = value;
    else if (line.startsWith('nodejs_gc_duration_seconds_sum')) entry.seconds = value;
    else {
      const le = /le="([^"]+)"/.exec(line)?.[1];
      if (le && le !== '+Inf') entry.buckets.set(Number(le), value);
    }
  }
  return kinds;
}

/**
 * The GC pauses between two snapshots, as a sentence: per kind the count, total and mean, and
 * how many took longer than 5 and 10 ms (bucket bounds of the gateway's histogram).
 */
export function gcBetween(before: Map<string, GcKind>, after: Map<string, GcKind>, seconds: number): string {
  const parts: string[] = [];
  let total = 0;
  for (const [kind, now] of after) {
    const then = before.get(kind) ?? { count: 0, seconds: 0, buckets: new Map<number, number>() };
    const count = now.count - then.count;
    if (count === 0) continue;
    const ms = (now.seconds - then.seconds) * 1000;
    total += ms;
    const over = (bound: number) =>
      now.buckets.has(bound)
        ? count - ((now.buckets.get(bound) ?? 0) - (then.buckets.get(bound) ?? 0))
        : null;
    const longer = [0.005, 0.01]
      .map((b) => [b, over(b)] as const)
      .filter(([, n]) => n !== null)
      .map(([b, n]) => `${n} over ${b * 1000} ms`);
    parts.push(
      `${kind} ${count} (${ms.toFixed(1)} ms, mean ${(ms / count).toFixed(2)} ms${longer.length ? `, ${longer.join(', ')}` : ''})`,
    );
  }
  if (parts.length === 0) return 'no GC';
  return `${parts.join('; ')}; ${total.toFixed(0)} ms of GC in ${seconds} s (${((100 * total) / (seconds * 1000)).toFixed(1)} % of the time)`;
}
