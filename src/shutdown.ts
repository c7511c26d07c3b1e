/**
 * Graceful shutdown on SIGTERM or SIGINT, and the deadlines that end it whatever is stuck.
 *
 * The graceful part: stop accepting, close idle keep-alive connections, complete watch
 * subscriptions, let requests and chat streams in flight finish for SHUTDOWN_GRACE_MS, then
 * close the connections still open, release Redis and the simulator, and exit 0.
 *
 * Two deadlines past the grace period bound the rest:
 * - CLEANUP_MARGIN_MS later the main thread exits 0 with a warning even if cleanup has not
 *   finished (a Redis that stops answering holds `quit()` for good).
 * - HARD_DEADLINE_MARGIN_MS later a worker thread kills the process (SIGKILL) if it is still
 *   alive. A JS timer on the main thread runs only when that thread gets back to its event
 *   loop: a synchronous write to a stopped terminal, a busy loop or an 'exit' handler that
 *   waits (pino's flushSync did) starve it. A worker has its own loop, and process.kill from
 *   it ends the whole process (process.exit there would end only the worker): measured with
 *   the main thread in Atomics.wait and in a busy loop, killed 1.13 s and 1.17 s after a 1 s
 *   deadline was armed. The exit status then says SIGKILL, not 0: nothing else can end a
 *   process from a thread that is not its main one.
 *
 * The watchdog is started when the signal arrives, so the signal has to reach JavaScript: the
 * main thread must never block on its output, which log-destination.ts and
 * routeConsoleToLogger see to. What it cannot cover: process.exit() waiting on a threadpool
 * thread stuck in a blocking call (Node stops workers before it joins the threadpool), which
 * is why the log never writes to a blocking fd.
 */
import type { Server } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { LogDestination } from './log-destination.js';

/** Past the grace period, how long cleanup (Redis, the simulator, the log) may still take. */
export const CLEANUP_MARGIN_MS = 500;
/** Past the grace period, when the watchdog kills a process that has still not exited. */
export const HARD_DEADLINE_MARGIN_MS = 1000;
/** Longest wait at exit for the log's last lines (a stalled reader never takes them). */
const LOG_FLUSH_MS = 250;

export interface ShutdownOptions {
  server: Server;
  websocket: { close(graceMs?: number): Promise<void> };
  gateway: { beginShutdown(): void; close(): Promise<void> };
  /** The embedded simulator, closed after the gateway. */
  simulator?: { close(): Promise<void> } | null;
  logger: Logger;
  /** The log's destination, flushed (for at most 250 ms) before the exit. */
  log?: Pick<LogDestination, 'flush'>;
  graceMs: number;
}

/**
 * Shuts down on the first SIGTERM or SIGINT; a second one ends the process at once (Node's
 * default). In a cluster worker, a `shutdown` message from the primary starts it too: a
 * terminal's Ctrl-C already signals every process of the group, and a second signal from the
 * primary would kill the worker at once.
 */
export function shutdownOnSignals(opts: ShutdownOptions): void {
  let started = false;
  const begin = (reason: string) => {
    if (started) return;
    started = true;
    void shutdown(reason, opts);
  };
  const onSignal = (signal: NodeJS.Signals) => begin(signal);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  if (process.send) {
    process.on('message', (message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === 'shutdown') begin('primary');
    });
  }
}

async function shutdown(signal: string, opts: ShutdownOptions): Promise<void> {
  const { server, websocket, gateway, simulator, logger, graceMs } = opts;
  // Before anything else: from here on, whatever blocks, the process ends in time.
  armHardDeadline(graceMs + HARD_DEADLINE_MARGIN_MS, logger);
  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    await opts.log?.flush(LOG_FLUSH_MS);
    process.exit(0);
  };
  logger.info({ signal, graceMs }, 'shutting down: no new connections');
  const graceOver = setTimeout(() => {
    logger.warn('grace period over: closing the connections still open');
    server.closeAllConnections();
  }, graceMs);
  const cleanupOver = setTimeout(() => {
    logger.warn({ afterMs: graceMs + CLEANUP_MARGIN_MS }, 'shutdown cleanup did not finish: exiting anyway');
    void exit();
  }, graceMs + CLEANUP_MARGIN_MS);

  // Stop accepting; idle keep-alive connections go now, busy ones when their request ends.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  // Watch-type subscriptions complete; requests and chat streams in flight carry on.
  gateway.beginShutdown();
  await websocket.close(graceMs);
  await closed;
  clearInterval(idleSweep);
  clearTimeout(graceOver);
  await gateway.close();
  await simulator?.close();
  clearTimeout(cleanupOver);
  logger.info('shutdown complete');
  await exit();
}

/**
 * The watchdog: a worker thread that sends SIGKILL to this process `ms` from now unless the
 * process has exited by then (exiting stops it). It needs nothing from the main thread once
 * started, not even to finish starting it.
 */
export function armHardDeadline(ms: number, logger?: Logger): void {
  const deadline = Date.now() + ms;
  try {
    const worker = new Worker(WATCHDOG, {
      eval: true,
      workerData: { deadline },
      // Not the parent's --import tsx: the watchdog is plain JavaScript and should start fast.
      execArgv: [],
      env: {},
      // Its output (there is none) stays its own rather than joining the parent's stdout.
      stdout: true,
      stderr: true,
    });
    worker.unref();
    worker.on('error', (error) => logger?.warn({ reason: error.message }, 'shutdown watchdog failed'));
  } catch (error) {
    logger?.warn(
      { reason: error instanceof Error ? error.message : String(error) },
      'shutdown watchdog failed to start',
    );
  }
}

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
setTimeout(() => process.kill(process.pid, 'SIGKILL'), Math.max(0, workerData.deadline - Date.now()));
`;
