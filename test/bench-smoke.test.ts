/**
 * The benchmarks (bench/, `npm run bench`) in smoke mode: every scenario for about a second
 * with small sizes, so a change that breaks one is caught here rather than on the day someone
 * runs them. Their figures are not checked (no timed assertions): only that each scenario ran
 * to the end, its own checks passed (every operation answered, every event delivered) and
 * every process it started was stopped.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const SCENARIOS = ['overhead', 'batching', 'fanout', 'uploads', 'chat', 'workers', 'soak'];
let out: string | undefined;

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

it('runs every benchmark scenario in smoke mode', async () => {
  out = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--smoke'], {
    cwd: root,
    env: { ...process.env, BENCH_OUT: out },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(stderr, stderr).not.toMatch(/ failed: /);
  expect(code).toBe(0);
  for (const name of SCENARIOS) expect(stdout).toContain(`(\`${name}\`,`);
}, 240_000);
