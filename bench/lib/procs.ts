/**
 * The processes a benchmark measures: the gateway (as `npm start` runs it), the simulator and the
 * bare server, each spawned on loopback with its output in `<out>/logs/`, its resident
 * memory and CPU time read from /proc, and stopped (SIGTERM, then SIGKILL) when done.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimulatorOptions } from '../../src/simulator/index.js';
import { freePort } from '../../test/processes.js';
import type { SimCommand, SimReply } from './sim-protocol.js';
import { maximum, sleep } from './stats.js';
import type { BenchContext } from './types.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The callback HMAC key every bench gateway gets, so the bench can sign callbacks itself. */
export const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';

const running = new Set<ChildProcess>();

export interface ProcStats {
  /** Resident memory now (VmRSS). */
  rssBytes: number;
  /** Peak resident memory since start or since {@link resetPeak} (VmHWM). */
  hwmBytes: number;
  /** User + system CPU time so far. */
  cpuMs: number;
}

const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim() || 100);

/** Reads a process's memory and CPU time from /proc. */
export function procStats(pid: number): ProcStats {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM'), cpuMs: ticks * TICK_MS };
}

/** {@link procStats} summed over a process and its children (a cluster's primary and workers). */
export function treeStats(pid: number): ProcStats {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
    } catch {
      // Gone between the listing and the read.
    }
  }
  const all = pids.map((p) => procStats(p));
  const sum = (pick: (s: ProcStats) => number) => all.reduce((total, s) => total + pick(s), 0);
  return { rssBytes: sum((s) => s.rssBytes), hwmBytes: sum((s) => s.hwmBytes), cpuMs: sum((s) => s.cpuMs) };
}

/** Resets a process's VmHWM to its current RSS (Linux clear_refs); false when not allowed. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the largest sample. */
export function sampleRss(pid: number, everyMs = 10): { stop(): number; samples: number[] } {
  const samples: number[] = [];
  const take = () => {
    try {
      samples.push(procStats(pid).rssBytes);
    } catch {
      // The process is gone; the samples so far stand.
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return maximum(samples);
    },
  };
}

interface Spawned {
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

/** This process's open-file limits (soft, hard): 10 000 SSE streams need more than 1024. */
export function fileLimits(): { soft: number; hard: number } {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const value = (v: string | undefined) =>
    v === undefined || v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v);
  return { soft: value(line?.[1]), hard: value(line?.[2]) };
}

/** Children get the hard limit as their soft one, when prlimit can set it. */
const NOFILE = fileLimits().hard;
/**
 * On a machine of few cores, the measured process gets the last core to itself and
 * everything else (the bench's load generator, the simulator) shares the others, so what is
 * measured is that process's work rather than its contention with the load generator.
 * BENCH_NO_PIN=1 turns this off.
 */
const canPin = !process.env.BENCH_NO_PIN && cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;
const LAST_CPU = String(cpus().length - 1);
const OTHER_CPUS = cpus().length > 2 ? `0-${cpus().length - 2}` : '0';

/** Moves this process (all its threads) to the cores the measured processes do not use. */
export function pinSelf(): boolean {
  if (!canPin) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', OTHER_CPUS, String(process.pid)]).status === 0;
}

const raiseLimits =
  fileLimits().soft < NOFILE && Number.isFinite(NOFILE) && spawnSync('prlimit', ['--version']).status === 0;

/**
 * Spawns `node [nodeArgs] <script> [args]` from the repository root (TypeScript through tsx,
 * compiled JavaScript as it is), output to a log file. `node` is the bench's own unless
 * `opts.node` names another.
 */
function spawnNode(
  ctx: BenchContext,
  name: string,
  script: string,
  env: Record<string, string>,
  opts: {
    nodeArgs?: string[];
    args?: string[];
    ipc?: boolean;
    cpus?: string | undefined;
    node?: string;
  } = {},
): Spawned {
  mkdirSync(join(ctx.out, 'logs'), { recursive: true });
  const logFile = join(ctx.out, 'logs', `${name}.log`);
  const fd = openSync(logFile, 'w');
  const args = [
    ...(opts.nodeArgs ?? []),
    ...(script.endsWith('.ts') ? ['--import', 'tsx'] : []),
    script,
    ...(opts.args ?? []),
  ];
  let command = opts.node ?? process.execPath;
  let argv = args;
  if (raiseLimits) {
    argv = [`--nofile=${NOFILE}:${NOFILE}`, '--', command, ...argv];
    command = 'prlimit';
  }
  if (opts.cpus !== undefined && canPin) {
    argv = ['-c', opts.cpus, command, ...argv];
    command = 'taskset';
  }
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', fd, fd, ...(opts.ipc ? (['ipc'] as const) : [])],
  });
  closeSync(fd);
  running.add(child);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return {
    child,
    logFile,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

async function waitHealthy(spawned: Spawned, url: string, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let exitedWith: number | string | null = null;
  void spawned.exited.then((code) => {
    exitedWith = code;
  });
  for (;;) {
    if (exitedWith !== null)
      throw new Error(`${name} exited (${exitedWith}) before it was up:\n${logTail(spawned.logFile)}`);
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await spawned.stop();
      throw new Error(`${name} was not up within 30 s:\n${logTail(spawned.logFile)}`);
    }
    await sleep(100);
  }
}

export interface Service {
  name: string;
  pid: number;
  /** Origin, e.g. http://127.0.0.1:41234. */
  origin: string;
  stats(): ProcStats;
  stop(): Promise<void>;
}

/**
 * How `npm start` runs the gateway, read from package.json's start script (`[exec] node <flags>
 * <entry>`, e.g. `--max-semi-space-size=64 dist/server.js`), so that the bench measures it as it
 * is started; `prestart` builds it first.
 */
export const START: { flags: string[]; entry: string } = (() => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  // `exec`: the shell npm starts becomes node, so a SIGTERM to npm reaches the gateway.
  const words = pkg.scripts.start
    .trim()
    .replace(/^exec\s+/, '')
    .split(/\s+/);
  const entry = words.findIndex((w, i) => i > 0 && !w.startsWith('-'));
  if (words[0] !== 'node' || entry !== words.length - 1) {
    throw new Error(`the start script is not \`node [flags] <entry>\`: ${pkg.scripts.start}`);
  }
  return { flags: words.slice(1, entry), entry: words[entry] as string };
})();

/** The start script's node options, for the measured processes that are not the gateway. */
export const START_NODE_FLAGS: string[] = START.flags;

/**
 * The Node binary of the gateways: BENCH_NODE (a path, e.g. another Node version's), else the
 * bench's own. The baselines and the simulators always run on the bench's own, so a change of
 * BENCH_NODE changes only what is measured.
 */
export const GATEWAY_NODE = process.env.BENCH_NODE || process.execPath;

/** The gateway's Node version, for the results' header. */
export function gatewayNodeVersion(): string {
  if (GATEWAY_NODE === process.execPath) return process.version;
  const run = spawnSync(GATEWAY_NODE, ['--version'], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Error(`BENCH_NODE=${GATEWAY_NODE} does not run: ${run.stderr || run.error}`);
  return run.stdout.trim();
}

let built: Promise<void> | null = null;

/** `npm run build` once per bench run, as `npm start` does before starting (incremental: quick when nothing changed). */
function build(ctx: BenchContext): Promise<void> {
  built ??= new Promise<void>((resolve, reject) => {
    ctx.log('building the gateway (npm run build)');
    const child = spawn('npm', ['run', '--silent', 'build'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`npm run build exited ${code}`)),
    );
  });
  return built;
}

/**
 * The gateway as deployed (the build, started as `npm start` starts it): NODE_ENV=production, the given upstream, a known
 * WEBHOOK_SECRET, everything else at its default unless `env` says otherwise.
 */
export async function startGateway(
  ctx: BenchContext,
  name: string,
  maviBaseUrl: string,
  env: Record<string, string> = {},
  /** `unpinned`: free to use every core (WORKERS > 1 on a machine of few cores). */
  placement: 'measured' | 'unpinned' = 'measured',
): Promise<Service> {
  // BENCH_GATEWAY_ENTRY=src/server.ts runs the sources under tsx instead of the build.
  const entry = process.env.BENCH_GATEWAY_ENTRY ?? START.entry;
  if (entry === START.entry) await build(ctx);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // One directory per gateway (under tsx, its loader thread writes a profile of its own beside the main one).
  const nodeArgs = ctx.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(ctx.out, 'profiles', name)}`] : [];
  nodeArgs.push(...START.flags);
  // More node options for the gateway, e.g. BENCH_GATEWAY_NODE_ARGS=--heap-prof.
  nodeArgs.push(...(process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []));
  const spawned = spawnNode(
    ctx,
    name,
    entry,
    {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: origin,
      MAVI_BASE_URL: maviBaseUrl,
      WEBHOOK_SECRET,
      ...env,
    },
    { nodeArgs, cpus: placement === 'measured' ? LAST_CPU : undefined, node: GATEWAY_NODE },
  );
  await waitHealthy(spawned, `${origin}/health`, name);
  const pid = spawned.child.pid as number;
  return { name, pid, origin, stats: () => procStats(pid), stop: spawned.stop };
}

export interface ServerOptions {
  /** `measured` (default): the core of its own; `shared`: the load generator's, for an upstream. */
  placement?: 'measured' | 'shared';
  /** Node options before the script, e.g. {@link START_NODE_FLAGS}; none by default. */
  nodeArgs?: string[];
  /** Arguments after the script. */
  args?: string[];
  /** Answers 200 once the server is up; default `/health`. */
  healthPath?: string;
}

/**
 * A bench server script (bare-server.ts, yoga-floor.ts, a peer) listening on PORT; it is up
 * when `healthPath` answers 200.
 */
export async function startServer(
  ctx: BenchContext,
  name: string,
  script: string,
  env: Record<string, string> = {},
  opts: ServerOptions = {},
): Promise<Service> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const spawned = spawnNode(
    ctx,
    name,
    script,
    { PORT: String(port), ...env },
    {
      cpus: opts.placement === 'shared' ? OTHER_CPUS : LAST_CPU,
      ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}),
      ...(opts.args ? { args: opts.args } : {}),
    },
  );
  await waitHealthy(spawned, `${origin}${opts.healthPath ?? '/health'}`, name);
  const pid = spawned.child.pid as number;
  return { name, pid, origin, stats: () => procStats(pid), stop: spawned.stop };
}

/** The bare node:http forwarder and SSE server (bare-server.ts). */
export function startBareServer(
  ctx: BenchContext,
  name: string,
  upstream: string,
  opts: ServerOptions = {},
): Promise<Service> {
  return startServer(ctx, name, 'bench/lib/bare-server.ts', { BENCH_UPSTREAM: upstream }, opts);
}

/**
 * GraphQL Mesh on Hive Gateway, as their documentation runs it: `mesh-compose` turns
 * bench/lib/peers/mesh.config.ts (searchDB's OpenAPI description, `upstream` as its endpoint)
 * into a supergraph in `<out>/<name>/`, then the `hive-gateway supergraph` CLI serves it (one
 * process: its default of one fork) with NODE_ENV=production.
 */
export async function startMeshGateway(
  ctx: BenchContext,
  name: string,
  upstream: string,
  opts: ServerOptions = {},
): Promise<Service> {
  const dir = join(ctx.out, name);
  mkdirSync(dir, { recursive: true });
  const supergraph = join(dir, 'supergraph.graphql');
  const composer = spawnNode(
    ctx,
    `${name}-compose`,
    join(ROOT, 'node_modules/@graphql-mesh/compose-cli/esm/bin.js'),
    { BENCH_UPSTREAM: upstream },
    { args: ['-c', 'bench/lib/peers/mesh.config.ts', '-o', supergraph], cpus: OTHER_CPUS },
  );
  const code = await composer.exited;
  if (code !== 0) throw new Error(`mesh-compose exited (${code}):\n${logTail(composer.logFile)}`);
  return startServer(
    ctx,
    name,
    join(ROOT, 'node_modules/@graphql-hive/gateway/dist/bin.js'),
    { NODE_ENV: 'production' },
    {
      ...opts,
      // The CLI reads PORT from the environment, as startServer sets it.
      args: ['supergraph', supergraph, '--host', '127.0.0.1', ...(opts.args ?? [])],
      healthPath: '/healthcheck',
    },
  );
}

export interface SimService extends Service {
  /** Sends a command to the simulator child (sim-protocol.ts). */
  command<T>(command: SimCommand): Promise<T>;
}

/** The simulator in a child process (sim-child.ts), driven over IPC. */
export async function startSimulatorProcess(
  ctx: BenchContext,
  name: string,
  options: SimulatorOptions = {},
  /** `measured` when the simulator is what is measured (a baseline), else it shares the load generator's cores. */
  placement: 'measured' | 'shared' = 'shared',
): Promise<SimService> {
  const spawned = spawnNode(
    ctx,
    name,
    'bench/lib/sim-child.ts',
    { BENCH_SIM: JSON.stringify(options) },
    { ipc: true, cpus: placement === 'measured' ? LAST_CPU : OTHER_CPUS },
  );
  const { child } = spawned;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within 30 s:\n${logTail(spawned.logFile)}`)),
      30_000,
    );
    child.on('message', (message: { ready?: string } | SimReply) => {
      if ('ready' in message && message.ready) {
        clearTimeout(timer);
        resolve(message.ready);
        return;
      }
      const reply = message as SimReply;
      const waiter = pending.get(reply.id);
      if (!waiter) return;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(new Error(`${name}: ${reply.error}`));
    });
    void spawned.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}):\n${logTail(spawned.logFile)}`));
      for (const waiter of pending.values()) waiter.reject(new Error(`${name} exited (${code})`));
    });
  });
  const pid = child.pid as number;
  return {
    name,
    pid,
    origin,
    stats: () => procStats(pid),
    stop: spawned.stop,
    command<T>(command: SimCommand): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, ...command });
      });
    },
  };
}

/** Stops every process still running (a scenario that failed half-way). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await new Promise((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
    }),
  );
}

/** Last resort on exit: nothing the bench started outlives it. */
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
