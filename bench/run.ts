/**
 * `npm run bench [-- <scenario>...] [--smoke] [--profile]`: the benchmarks of BENCHMARKS.md.
 *
 * Every figure is measured against a baseline taken in the same run on the same machine, with
 * the MAVI simulator as upstream on loopback. Scenarios run one after another, each with its
 * own processes. `--smoke` runs each for about a second with small sizes, to check it works
 * (CI runs it through test/bench-smoke.test.ts); its figures mean nothing. `--profile`
 * starts the gateways with --cpu-prof (profiles in .bench-out/profiles/, see bench/profile.ts).
 *
 * Results go to stdout as Markdown and to .bench-out/results-<time>.{json,md} (BENCH_OUT
 * names another directory), with each process's output in logs/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { batching } from './batching.js';
import { chat } from './chat.js';
import { fanout } from './fanout.js';
import { GATEWAY_NODE, gatewayNodeVersion, pinSelf, ROOT, START, stopAll } from './lib/procs.js';
import { format } from './lib/stats.js';
import type { BenchContext, Figure, Scenario, ScenarioResult } from './lib/types.js';
import { overhead } from './overhead.js';
import { soak } from './soak.js';
import { uploads } from './uploads.js';
import { workers } from './workers.js';

const SCENARIOS: Scenario[] = [overhead, batching, fanout, uploads, chat, workers, soak];

function parseArgs(argv: string[]): { names: string[]; smoke: boolean; profile: boolean } {
  const names: string[] = [];
  let smoke = false;
  let profile = false;
  for (const arg of argv) {
    if (arg === '--smoke') smoke = true;
    else if (arg === '--profile') profile = true;
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}; known: --smoke, --profile`);
    else names.push(arg);
  }
  const known = SCENARIOS.map((s) => s.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${known.join(', ')}`);
  return { names: names.length ? names : known, smoke, profile };
}

function row(f: Figure): string {
  const baseline = f.baseline ? `${format(f.baseline.value)} ${f.unit} (${f.baseline.label})` : '';
  const ratio = f.ratio !== undefined ? `${format(f.ratio)}x` : '';
  const target = f.target ? `${f.target.text}: ${f.target.met ? 'met' : '**missed**'}` : '';
  return `| ${f.label} | ${format(f.value)} ${f.unit} | ${baseline} | ${ratio} | ${target} |`;
}

export function markdown(results: ScenarioResult[], header: string[]): string {
  const lines = [...header, ''];
  for (const r of results) {
    lines.push(`### ${r.title} (\`${r.name}\`, ${format(r.durationMs / 1000)} s)`, '');
    lines.push('| figure | value | baseline | ratio | target |', '|---|---|---|---|---|');
    for (const f of r.figures) lines.push(row(f));
    lines.push('');
    for (const table of r.tables ?? []) {
      lines.push(`| ${table.header.join(' | ')} |`, `|${table.header.map(() => '---').join('|')}|`);
      for (const cells of table.rows) lines.push(`| ${cells.join(' | ')} |`);
      lines.push('');
    }
    for (const note of r.notes) lines.push(`- ${note}`);
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { names, smoke, profile } = parseArgs(process.argv.slice(2));
  const out = process.env.BENCH_OUT ?? join(ROOT, '.bench-out');
  mkdirSync(out, { recursive: true });
  // Before anything starts: a BENCH_NODE that does not run fails here, not half-way.
  const gatewayNode = gatewayNodeVersion();
  const started = Date.now();
  const pinned = pinSelf();
  const loadAtStart = loadavg()[0] ?? 0;
  const ctx: BenchContext = {
    smoke,
    profile,
    out,
    log: (message) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`),
  };
  const results: ScenarioResult[] = [];
  let failed = false;
  for (const name of names) {
    const scenario = SCENARIOS.find((s) => s.name === name) as Scenario;
    ctx.log(`${scenario.name}: ${scenario.title}${smoke ? ' (smoke)' : ''}`);
    const t0 = Date.now();
    try {
      const result = await scenario.run(ctx);
      results.push({ name, title: scenario.title, durationMs: Date.now() - t0, ...result });
    } catch (error) {
      failed = true;
      ctx.log(`${name} failed: ${(error as Error).stack ?? error}`);
    } finally {
      await stopAll();
    }
  }
  const cpu = cpus();
  const header = [
    `## Results${smoke ? ' (smoke: sizes too small to mean anything)' : ''}`,
    '',
    `- command: \`npm run bench --${smoke ? ' --smoke' : ''} ${names.join(' ')}\``,
    `- machine: ${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform} ${process.arch}`,
    `- gateway: \`node ${[...START.flags, process.env.BENCH_GATEWAY_ENTRY ?? START.entry].join(' ')}\` on Node ${gatewayNode}${GATEWAY_NODE === process.execPath ? " (the bench's own)" : ` (BENCH_NODE=${GATEWAY_NODE})`}`,
    `- date: ${new Date(started).toISOString()}, total ${format((Date.now() - started) / 1000)} s`,
    `- load average (1 min) at the start ${loadAtStart.toFixed(2)}, at the end ${loadavg()[0]?.toFixed(2)}: anything well above what the bench itself puts on the cores means another job shared the machine`,
    `- placement: ${pinned ? `measured processes pinned to core ${cpus().length - 1}, the bench process and simulators to the others` : 'no pinning (taskset unavailable or one core)'}`,
  ];
  const md = markdown(results, header);
  const stamp = new Date(started).toISOString().replace(/[:.]/g, '-');
  writeFileSync(join(out, `results-${stamp}.json`), JSON.stringify({ smoke, names, results }, null, 2));
  writeFileSync(join(out, `results-${stamp}.md`), md);
  console.log(md);
  if (failed) process.exitCode = 1;
}

process.once('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});

await main();
