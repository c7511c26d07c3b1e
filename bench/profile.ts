/**
 * `tsx bench/profile.ts <file.cpuprofile> [top] [callers-of] [depth] [--from=S --to=S] [--timeline]`: where a V8 CPU profile (node --cpu-prof,
 * or `npm run bench -- --profile`) spent its time, without a GUI: self time summed by
 * function and by file (node_modules packages folded into their package name), and the
 * inclusive time of the heaviest functions.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(url: string): string {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url;
  const src = url.indexOf('/src/');
  return src !== -1 ? url.slice(src + 1) : url;
}

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const [file, topArg, callersOf, depthArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
/** --from=S --to=S: only the samples between S seconds after the profile started (the load phase). */
const window = (name: string) =>
  Number(flags.find((f) => f.startsWith(`--${name}=`))?.split('=')[1] ?? Number.NaN);
if (!file) {
  console.error('usage: tsx bench/profile.ts <file.cpuprofile> [top] [function to show the callers of]');
  process.exit(1);
}
// `| head` closing the pipe is not an error.
process.stdout.on('error', () => process.exit(0));
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the samples and their time deltas (µs), within the window.
const from = Number.isNaN(window('from')) ? Number.NEGATIVE_INFINITY : window('from') * 1e6;
const to = Number.isNaN(window('to')) ? Number.POSITIVE_INFINITY : window('to') * 1e6;
const self = new Map<number, number>();
const idleId = profile.nodes.find((n) => n.callFrame.functionName === '(idle)')?.id;
const busyPerSecond: number[] = [];
let at = 0;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i] as number;
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  const second = Math.floor(at / 1e6);
  if (id !== idleId) busyPerSecond[second] = (busyPerSecond[second] ?? 0) + delta;
  if (at < from || at > to) continue;
  self.set(id, (self.get(id) ?? 0) + delta);
}
if (flags.includes('--timeline')) {
  console.log(
    `busy share per second: ${Array.from(busyPerSecond, (us) => Math.round((us ?? 0) / 1e4)).join(' ')}`,
  );
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const selfByFunction = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id) as ProfileNode;
  selfByFunction.set(label(node), (selfByFunction.get(label(node)) ?? 0) + us);
  const w = where(node.callFrame.url) || node.callFrame.functionName;
  selfByFile.set(w, (selfByFile.get(w) ?? 0) + us);
  // Inclusive: count each function once per sample stack.
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at) as ProfileNode);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const print = (title: string, map: Map<string, number>, n: number) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${pct(us)} ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
print('self time by file/package', selfByFile, top);
print('self time by function', selfByFunction, top);
print('inclusive time by function', inclusive, top);

if (callersOf) {
  // The stacks (`depth` frames up, default 5) under which functions matching `callersOf` ran, by time.
  const stacks = new Map<string, number>();
  const inclusiveOf = (id: number): number => {
    const node = byId.get(id) as ProfileNode;
    return (self.get(id) ?? 0) + (node.children ?? []).reduce((sum, c) => sum + inclusiveOf(c), 0);
  };
  for (const node of profile.nodes) {
    if (!label(node).includes(callersOf)) continue;
    const chain: string[] = [];
    for (
      let at = parent.get(node.id);
      at !== undefined && chain.length < Number(depthArg ?? 5);
      at = parent.get(at)
    ) {
      chain.push(label(byId.get(at) as ProfileNode));
    }
    const key = `${label(node)}\n      <- ${chain.join('\n      <- ')}`;
    stacks.set(key, (stacks.get(key) ?? 0) + inclusiveOf(node.id));
  }
  print(`callers of ${callersOf}`, stacks, 10);
}
