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
