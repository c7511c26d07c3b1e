/**
 * WORKERS=n: n gateway processes on one port, through node:cluster (the primary accepts the
 * connections and hands them to the workers in turn). Each worker is a whole gateway; what
 * they must agree on (live events, poller leases, callback bindings, quota buckets) goes
 * through Redis as it does between instances, which is why more than one worker needs
 * REDIS_URL (config.ts says so at start).
 *
 * The primary serves nothing itself. It starts the embedded simulator when there is no
 * MAVI_BASE_URL (one for all workers, so they see the same library), starts the workers,
 * prints the start-up line once every worker listens, starts a worker again when one dies,
 * and on SIGTERM or SIGINT asks each worker to shut down (an IPC message: a second signal
 * would kill a worker at once) and exits once they all have, or kills those still running
 * past their own deadline.
 */
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { Config } from './config.js';
import type { LogDestination } from './log-destination.js';
import { routeConsoleToLogger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import { armHardDeadline, HARD_DEADLINE_MARGIN_MS } from './shutdown.js';
import { startSimulator } from './simulator/index.js';

/** What the primary tells a worker before it starts. */
export interface WorkerSetup {
  /** The embedded simulator's URL, when the primary started one. */
  simulatorUrl: string | null;
}

/** A worker that dies is started again after this long; more than 5 deaths a minute stop the gateway. */
const RESTART_DELAY_MS = 1000;
const MAX_DEATHS_PER_MINUTE = 5;

/** In a worker: asks the primary for the setup and waits for it. */
export async function workerSetup(): Promise<WorkerSetup> {
  const answer = once(process, 'message') as Promise<[{ type?: string } & Partial<WorkerSetup>]>;
  process.send?.({ type: 'setup?' });
  const [message] = await answer;
  return { simulatorUrl: message.simulatorUrl ?? null };
}

/**
 * In a worker: GET /metrics answers every worker's metrics summed (prom-client's cluster
 * aggregation, run by the primary), not only those of the worker the scrape happened to reach.
 */
export function shareWorkerMetrics(metrics: GatewayMetrics): void {
  // Constructing one makes prom-client answer the primary's requests for this worker's metrics.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries(metrics.registries());
  let next = 0;
  const waiting = new Map<number, (body: string) => void>();
  process.on('message', (message: { type?: string; id?: number; body?: string }) => {
    if (message?.type !== 'metrics' || message.id === undefined) return;
    waiting.get(message.id)?.(message.body ?? '');
    waiting.delete(message.id);
  });
  metrics.setExpositionSource(
    () =>
      new Promise<string>((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        process.send?.({ type: 'metrics?', id });
      }),
  );
}

/** In a worker: tells the primary that it listens. */
export function workerListening(): void {
  process.send?.({ type: 'listening' });
}

/** Runs the primary of a WORKERS > 1 gateway until it has shut down. */
export async function runPrimary(config: Config, logger: Logger, log: LogDestination): Promise<void> {
  const simulator = config.maviBaseUrl
    ? null
    : await startSimulator({ port: config.simulatorPort, parseDelayMs: config.simulatorParseDelayMs });
  const setup: WorkerSetup = { simulatorUrl: simulator?.url ?? null };
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  const deaths: number[] = [];
  const listening = new Set<Worker>();
  let announced = false;

  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: { type?: string }) => {
      if (message?.type === 'setup?') worker.send({ type: 'setup', ...setup });
      if (message?.type === 'metrics?') {
        const { id } = message as { id?: number };
        aggregator
          .clusterMetrics()
          .catch((error: Error) => {
            logger.warn({ err: error.message }, 'cluster metrics could not be gathered');
            return '';
          })
          .then((body) => {
            if (worker.isConnected()) worker.send({ type: 'metrics', id, body });
          });
      }
      if (message?.type === 'listening') {
        listening.add(worker);
        if (!announced && listening.size >= config.workers) {
          announced = true;
          announce(config, simulator?.url ?? null);
          routeConsoleToLogger(logger);
        }
      }
    });
    worker.on('exit', (code, signal) => {
      listening.delete(worker);
      if (stopping) return;
      const now = Date.now();
      deaths.push(now);
      while (deaths.length > 0 && (deaths[0] as number) < now - 60_000) deaths.shift();
      if (deaths.length > MAX_DEATHS_PER_MINUTE) {
        logger.fatal({ deaths: deaths.length }, 'workers keep dying: stopping the gateway');
        void stop('workers died', 1);
        return;
      }
      logger.error({ code, signal, pid: worker.process.pid }, 'a worker died: starting another');
      setTimeout(() => {
        if (!stopping) fork();
      }, RESTART_DELAY_MS).unref();
    });
  };

  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    // Each worker ends by its own hard deadline; past it, whatever still runs is killed here.
    const deadline = config.shutdownGraceMs + HARD_DEADLINE_MARGIN_MS + 1000;
    armHardDeadline(deadline + 1000, logger);
    logger.info({ reason, workers: workers.length }, 'shutting down the workers');
    for (const worker of workers) if (worker.isConnected()) worker.send({ type: 'shutdown' });
    const killer = setTimeout(() => {
      for (const worker of workers) if (!worker.isDead()) worker.process.kill('SIGKILL');
    }, deadline);
    await Promise.all(workers.map((w) => (w.isDead() ? null : once(w, 'exit'))));
    clearTimeout(killer);
    await simulator?.close();
    logger.info('shutdown complete');
    await log.flush(250);
    process.exit(exitCode);
  };
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));

  for (let i = 0; i < config.workers; i++) fork();
}

function announce(config: Config, simulatorUrl: string | null): void {
  const url = `http://localhost:${config.port}/graphql`;
  const upstream = simulatorUrl ? `the embedded MAVI simulator at ${simulatorUrl}` : config.maviBaseUrl;
  console.log(`MAVI gateway at ${url}, ${config.workers} workers, upstream: ${upstream}`);
}
