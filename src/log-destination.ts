/**
 * Where the log goes: stdout, written so that neither a reader that stalls nor one that dies
 * can hold up serving or the exit. Lines wait in a bounded buffer; when it is full they are
 * dropped and counted (mavi_gateway_log_lines_dropped_total), never waited for.
 *
 * What was measured before choosing this (Linux, Node 24.22.3; Node 20.20.2 and 26.12.1 where
 * said), with stdout a FIFO whose reader stopped reading or was killed:
 *
 * - Node does not write to pipes synchronously on Linux (its docs agree: "synchronous on
 *   Windows, asynchronous on POSIX"). Creating `process.stdout` on a pipe or a socket sets
 *   O_NONBLOCK on the fd (libuv's uv_pipe_open) and `write()` queues without bound: with the
 *   reader stalled, `writableLength` reached 1.1 MB in 2.5 s, timers kept running and a
 *   SIGTERM handler ran 5 ms after the signal. The cost of console.log there is memory.
 * - TTYs are written synchronously: with a pseudo-terminal nobody reads, one console.log
 *   held the main thread for good (no timer ran in 5 s). Same for files (fs.writeSync).
 * - pino 10's default destination is sonic-boom 4 in async mode (fs.write on the threadpool),
 *   with no bound on its buffer, and it registers an 'exit' handler that calls flushSync().
 *   That handler is what kept the gateway alive after SIGTERM: with the reader stalled it
 *   retries EAGAIN every 100 ms in Atomics.wait, forever; with the reader dead, sonic-boom 4's
 *   flushSync retries EPIPE the same way (a bug sonic-boom 5 fixed), and the process hangs
 *   whenever the EPIPE of an async write has not come back before exit (gdb: the main thread
 *   in Builtin_AtomicsWait). `npm start` on the simulator, SHUTDOWN_GRACE_MS=2000: a stalled
 *   reader, 3 of 3 runs still alive 10 s after SIGTERM; reader killed with the signal, 7 of 9.
 * - fs.write on a blocking fd whose reader stalls holds a threadpool thread, and then
 *   process.exit() never returns: Node joins the threadpool at exit (gdb:
 *   uv__threadpool_cleanup -> uv_thread_join under node::DefaultProcessExitHandlerInternal),
 *   after it has stopped every worker thread, so no watchdog thread can end it either. A pipe
 *   or socket is blocking until something in the process creates `process.stdout` (or a
 *   Worker, which does); a TTY's fd stays blocking (libuv reopens the terminal for its own
 *   handle).
 *
 * Hence: sonic-boom 5 in async mode with `maxLength` (its 'drop' event counts), never pino's
 * own destination (no exit handler), on an fd that is always non-blocking, so a write to a
 * reader that stalls returns EAGAIN at once (sonic-boom retries every 100 ms) and one to a
 * reader that is gone returns EPIPE (the destination stops; nothing can read it any more).
 * Making the fd non-blocking is the one hand-written part: for a pipe or socket, what Node
 * already does when it creates `process.stdout`; for a TTY, a private non-blocking open of the
 * same terminal through /proc (Linux), leaving the descriptor the shell shares alone.
 */
import { constants, fstatSync, openSync } from 'node:fs';
import { isatty } from 'node:tty';
// CommonJS: the module is the class, which its types declare as the member SonicBoom.
import sonicBoom from 'sonic-boom';

export interface LogDestinationOptions {
  /**
   * The file descriptor to write to. Default 1 (stdout). A pipe or socket other than stdout or
   * stderr must already be non-blocking (opened with O_NONBLOCK).
   */
  fd?: number;
  /**
   * Bytes held while the reader is slower than the log or stalled; past that, new lines are
   * dropped. Default 1 MiB: some 4,000 lines of 250 bytes, several seconds of a busy
   * gateway's log, and the most memory a stalled reader can cost.
   */
  maxBufferBytes?: number;
}

/** A pino destination that never blocks; see the top of this file. */
export interface LogDestination {
  write(line: string): void;
  /**
   * Lines dropped so far: refused while the buffer was full, or written after the reader went
   * away. Lines already buffered when the reader went away are lost without being counted
   * (the buffer's bytes are not tracked line by line); at most maxBufferBytes of them.
   */
  readonly droppedLines: number;
  /** Resolves once every buffered line is written, or after `timeoutMs`; never rejects. */
  flush(timeoutMs: number): Promise<void>;
}

const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;

let droppedInProcess = 0;

/** Lines every log destination of this process dropped (stdout is the process's, not a gateway's). */
export function droppedLogLines(): number {
  return droppedInProcess;
}

/** Errors after which no reader can ever get what is written: the pipe or socket is closed. */
const READER_GONE = new Set(['EPIPE', 'ECONNRESET', 'ENOTCONN', 'EBADF']);

export function createLogDestination(opts: LogDestinationOptions = {}): LogDestination {
  const fd = nonBlocking(opts.fd ?? 1);
  const sonic = new sonicBoom.SonicBoom({ fd, maxLength: opts.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES });
  let dropped = 0;
  let readerGone = false;
  const drop = () => {
    dropped++;
    droppedInProcess++;
  };
  sonic.on('drop', drop);
  // EAGAIN and EBUSY never get here: sonic-boom retries them. Other errors (ENOSPC on a file)
  // leave the chunk buffered and sonic-boom tries it again with the next line.
  sonic.on('error', (error: NodeJS.ErrnoException) => {
    if (readerGone || !READER_GONE.has(error.code ?? '')) return;
    readerGone = true;
    sonic.destroy();
  });
  return {
    write(line) {
      if (readerGone) drop();
      else sonic.write(line);
    },
    get droppedLines() {
      return dropped;
    },
    flush(timeoutMs) {
      if (readerGone) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        // Called with an error when the reader goes away meanwhile: nothing more to wait for.
        sonic.flush(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * `fd` itself when writing to it can never wait on a reader (a file, /dev/null), or once it is
 * non-blocking (a pipe or socket on stdout or stderr); a non-blocking descriptor of the same
 * terminal for a TTY, where the system has /proc.
 */
function nonBlocking(fd: number): number {
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(fd);
  } catch {
    // Closed (a daemon started without stdout): writes fail with EBADF and lines are dropped.
    return fd;
  }
  if (stat.isFIFO() || stat.isSocket()) {
    // Node's stream on the fd: libuv sets O_NONBLOCK on it (uv_pipe_open). Nothing writes to it.
    if (fd === 1) void process.stdout;
    else if (fd === 2) void process.stderr;
    return fd;
  }
  if (isatty(fd)) {
    try {
      return openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch {
      // No /proc (macOS): the terminal stays blocking; a stopped terminal holds one threadpool thread.
    }
  }
  return fd;
}
