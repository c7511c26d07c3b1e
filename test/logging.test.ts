import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogDestination } from '../src/log-destination.js';
import { HARD_DEADLINE_MARGIN_MS } from '../src/shutdown.js';
import { type Simulator, startSimulator } from '../src/simulator/index.js';
import { eventually } from './helpers.js';
import { type GatewayProcess, type LogReader, startGatewayProcess, startLogReader } from './processes.js';

/**
 * The gateway as a real process whose stdout is a real pipe read by a real process, as under
 * `npm start | pino-pretty` or a log shipper: when that reader stalls, the gateway keeps
 * serving and drops log lines (counted) instead of waiting; when it dies with the signal,
 * the gateway still shuts down and exits on time.
 */
const GRACE_MS = 1000;
/**
 * How long a test waits for the exit after SIGTERM: the hard deadline plus room for a loaded
 * machine. Before the log destination was bounded and non-blocking, these processes never
 * exited at all.
 */
const EXIT_WAIT_MS = GRACE_MS + HARD_DEADLINE_MARGIN_MS + 4000;

let sim: Simulator;
let key: string;
beforeAll(async () => {
  sim = await startSimulator();
  key = sim.createAccount().apiKey;
});
afterAll(() => sim?.close());

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

async function gatewayWithReader(): Promise<{ gateway: GatewayProcess; reader: LogReader }> {
  const reader = await startLogReader();
  cleanups.push(() => reader.close());
  const gateway = await startGatewayProcess(
    { MAVI_BASE_URL: sim.url, LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: String(GRACE_MS) },
    { stdout: reader },
  );
  cleanups.push(() => gateway.stop('SIGKILL'));
  return { gateway, reader };
}

/** One GraphQL request; the operation name (logged with every operation) sets the line's size. */
async function query(gateway: GatewayProcess, operationName = 'Ping'): Promise<number> {
  const res = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: key },
    body: JSON.stringify({ query: `query ${operationName} { __typename }` }),
  });
  await res.text();
  return res.status;
}

/** The exit code (or signal) and the milliseconds from SIGTERM to the exit, or null if none came. */
async function terminate(gateway: GatewayProcess): Promise<{ code: number | string; ms: number } | null> {
  const sent = performance.now();
  gateway.child.kill('SIGTERM');
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), EXIT_WAIT_MS).unref());
  const code = await Promise.race([gateway.exited, timeout]);
  return code === null ? null : { code, ms: performance.now() - sent };
}

async function droppedLines(gateway: GatewayProcess): Promise<number> {
  const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
  const match = /^mavi_gateway_log_lines_dropped_total (\d+)/m.exec(text);
  if (!match) throw new Error('no mavi_gateway_log_lines_dropped_total in /metrics');
  return Number(match[1]);
}

describe('a reader of stdout that stalls', () => {
  it('does not slow serving: lines are dropped and counted, and SIGTERM still exits 0 on time', async () => {
    const { gateway, reader } = await gatewayWithReader();
    await eventually(() => (reader.output().includes('MAVI gateway at') ? true : undefined));
    reader.stall();

    // 8 KB lines: 250 of them are more than the pipe (64 KiB) and the gateway's buffer
    // (1 MiB) hold together, so the last ones must be dropped.
    const name = `Q${'x'.repeat(8000)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 250; i++) statuses.push(await query(gateway, name));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const dropped = await droppedLines(gateway);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(250);

    const exit = await terminate(gateway);
    expect(exit, `still running ${EXIT_WAIT_MS} ms after SIGTERM`).not.toBeNull();
    expect(exit?.code).toBe(0);
  }, 60_000);

  it('gets the lines that fitted once it reads again', async () => {
    const { gateway, reader } = await gatewayWithReader();
    await eventually(() => (reader.output().includes('MAVI gateway at') ? true : undefined));
    reader.stall();
    for (let i = 0; i < 20; i++) expect(await query(gateway, `Stalled${i}`)).toBe(200);
    reader.resume();
    await eventually(
      () => (reader.output().includes('"operationName":"Stalled19"') ? true : undefined),
      5000,
    );
    for (let i = 0; i < 20; i++) expect(reader.output()).toContain(`"operationName":"Stalled${i}"`);
    expect(await droppedLines(gateway)).toBe(0);
  }, 30_000);
});

describe('a reader of stdout that dies with the signal (Ctrl-C on `npm start | pino-pretty`)', () => {
  it('never keeps the gateway from exiting: 0, on time, in every one of 5 runs', async () => {
    const exits: ({ code: number | string; ms: number } | null)[] = [];
    for (let run = 0; run < 5; run++) {
      const { gateway, reader } = await gatewayWithReader();
      for (let i = 0; i < 20; i++) await query(gateway);
      // Requests logging while the reader dies and the shutdown starts.
      const load = Promise.all(Array.from({ length: 20 }, () => query(gateway).catch(() => 'refused')));
      reader.kill();
      exits.push(await terminate(gateway));
      await load;
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
    }
    expect(exits.map((e) => e?.code ?? `still running ${EXIT_WAIT_MS} ms after SIGTERM`)).toEqual([
      0, 0, 0, 0, 0,
    ]);
  }, 120_000);
});

describe('the log destination on its own', () => {
  /** A FIFO with its read end open (and never read), and its write end non-blocking. */
  function fifo() {
    const dir = mkdtempSync(join(tmpdir(), 'mavi-log-'));
    const path = join(dir, 'pipe');
    execFileSync('mkfifo', [path]);
    const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const writeFd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    cleanups.push(async () => {
      for (const fd of [readFd, writeFd]) {
        try {
          closeSync(fd);
        } catch {
          // The destination closed it already.
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
    return { readFd, writeFd };
  }

  it('holds at most maxBufferBytes and drops (and counts) the lines past it', async () => {
    const { writeFd } = fifo();
    const destination = createLogDestination({ fd: writeFd, maxBufferBytes: 10_000 });
    const line = `${'x'.repeat(999)}\n`;
    // In one tick nothing has been written yet: ten 1000-byte lines fit, the other 190 do not.
    for (let i = 0; i < 200; i++) destination.write(line);
    expect(destination.droppedLines).toBe(190);
    await destination.flush(1000);
  });

  it('counts what is written after its reader is gone, and neither throws nor waits', async () => {
    const { readFd, writeFd } = fifo();
    const destination = createLogDestination({ fd: writeFd });
    closeSync(readFd);
    destination.write('the reader is gone\n');
    // EPIPE comes back from the threadpool; from then on lines are dropped at once.
    await eventually(() => {
      destination.write('another line\n');
      return destination.droppedLines > 0 ? true : undefined;
    });
    const before = destination.droppedLines;
    for (let i = 0; i < 3; i++) destination.write('and another\n');
    expect(destination.droppedLines).toBe(before + 3);
    await destination.flush(60_000);
  });
});

describe('console output after start-up', () => {
  it('goes to the log, through the same destination: graphql-ws on a broken WebSocket frame', async () => {
    const { gateway, reader } = await gatewayWithReader();
    // An upgrade, then a frame with RSV1 set though no extension was agreed: ws fails the
    // socket and graphql-ws reports it with console.error.
    const socket = connect(gateway.port, '127.0.0.1');
    cleanups.push(async () => socket.destroy());
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      'GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n',
    );
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write(Buffer.from([0xc1, 0x80, 0, 0, 0, 0]));

    const line = await eventually(() =>
      reader
        .output()
        .split('\n')
        .find((l) => l.includes('Internal error emitted on a WebSocket socket')),
    );
    expect(JSON.parse(line)).toMatchObject({ level: 50, console: 'error', error: { type: 'RangeError' } });
    // Nothing went around the log to stderr.
    expect(gateway.stderr()).toBe('');
  }, 30_000);

  it('and process warnings become structured lines, credentials scrubbed', () => {
    const script = `
      import { createLogDestination } from './src/log-destination.ts';
      import { createLogger, routeConsoleToLogger } from './src/logger.ts';
      routeConsoleToLogger(createLogger('info', createLogDestination()));
      console.error('token was', 'Bearer abcdefghijklmnop0123456789', new Error('sk-abcdefghijklmnopqrstuvwx broke'));
      console.log({ a: { b: { c: { d: { e: 'too deep to print' } } } } });
      process.emitWarning('watch out', 'TestWarning');
    `;
    const root = fileURLToPath(new URL('../', import.meta.url));
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ level: 50, console: 'error', msg: 'token was [redacted]' });
    expect(lines[0]?.error).toMatchObject({ type: 'Error', message: '[redacted] broke' });
    expect(lines[1]).toMatchObject({ level: 30, console: 'log' });
    expect(lines[1]?.msg).toBe('{ a: { b: { c: { d: [Object] } } } }');
    expect(lines[2]).toMatchObject({
      level: 40,
      msg: 'process warning',
      warning: { type: 'TestWarning', message: 'watch out' },
    });
  });
});
