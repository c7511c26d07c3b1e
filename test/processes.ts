/**
 * The gateway as a real process (`src/server.ts` under tsx), for what only a process shows:
 * several instances sharing Redis, start-up configuration errors, signals and shutdown, and
 * what happens when the reader of its stdout stalls or dies.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface GatewayProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote, stdout and stderr interleaved (the reader's, then stderr, with `stdout`). */
  output(): string;
  /** What the process wrote to stderr. */
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | string>;
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

/**
 * A real pipe (a FIFO) read by a real process (`cat`), to be a gateway's stdout: what
 * `npm start | tee` or a log shipper gives it. Stopping the reader (SIGSTOP) stalls the pipe
 * the way a reader under backpressure does; killing it closes the pipe's only read end.
 */
export interface LogReader {
  /** The pipe's write end, for the gateway's stdio. */
  readonly fd: number;
  /**
   * Closes this process's copy of the write end (startGatewayProcess does, once the gateway
   * has its own): left open, it would keep the pipe alive after its reader died.
   */
  closeWriteEnd(): Promise<void>;
  /** Everything the reader has read. */
  output(): string;
  /** Calls `listener` whenever the reader has read more. */
  onData(listener: () => void): void;
  /** SIGSTOP: it reads nothing more until resumed, and the pipe fills. */
  stall(): void;
  resume(): void;
  /** SIGKILL: the pipe has no reader left, so writes to it fail with EPIPE. */
  kill(): void;
  /** Ends the reader (if still alive) and removes the FIFO. */
  close(): Promise<void>;
}

export async function startLogReader(): Promise<LogReader> {
  const dir = mkdtempSync(join(tmpdir(), 'mavi-log-'));
  const fifo = join(dir, 'stdout');
  execFileSync('mkfifo', [fifo]);
  const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => reader.once('exit', () => resolve()));
  // Opening for writing waits for cat to open its end: on the threadpool, not this thread.
  const handle = await open(fifo, 'w');
  let output = '';
  reader.stdout.on('data', (d) => {
    output += d;
  });
  const signal = (name: NodeJS.Signals) => {
    if (reader.exitCode === null && reader.signalCode === null) reader.kill(name);
  };
  let writeEndClosed = false;
  const closeWriteEnd = async () => {
    if (writeEndClosed) return;
    writeEndClosed = true;
    await handle.close();
  };
  return {
    fd: handle.fd,
    closeWriteEnd,
    output: () => output,
    onData: (listener) => reader.stdout.on('data', listener),
    stall: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill: () => signal('SIGKILL'),
    async close() {
      await closeWriteEnd().catch(() => {});
      signal('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts `src/server.ts` and waits for its start-up line; fails with its output if it exits
 * first. With `stdout`, the gateway writes its stdout to that reader's pipe instead of to us.
 */
export async function startGatewayProcess(
  env: Record<string, string>,
  opts: { port?: number; stdout?: LogReader } = {},
): Promise<GatewayProcess> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      ...env,
    },
    stdio: ['ignore', opts.stdout?.fd ?? 'pipe', 'pipe'],
  });
  const reader = opts.stdout;
  await reader?.closeWriteEnd();
  let stderr = '';
  let stdout = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const output = () => (reader ? reader.output() : stdout) + stderr;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the gateway did not start within 20 s:\n${output()}`)),
      20_000,
    );
    const onData = () => {
      if (output().includes('MAVI gateway at')) {
        clearTimeout(timer);
        resolve();
      }
    };
    if (reader) reader.onData(onData);
    else child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited (${code}) before starting:\n${output()}`));
    });
  }).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    output,
    stderr: () => stderr,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
