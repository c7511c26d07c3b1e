import { formatWithOptions } from 'node:util';
import { type Logger, pino } from 'pino';
import { scrubSecrets } from './mavi/scrub.js';
import type { AttemptReport } from './mavi/transport.js';
import { traceLogFields } from './tracing.js';

/**
 * Structured logs. Anything under a key that can carry a credential is replaced before it is
 * written, wherever it sits in the object; credentials themselves print as their hash.
 */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  opts: { traceIds?: boolean } = {},
): Logger {
  return pino(
    {
      level,
      base: { service: 'mavi-gateway' },
      // With tracing on, each line names the span it was written in, so it leads to its trace;
      // off, no mixin runs at all.
      ...(opts.traceIds ? { mixin: traceLogFields } : {}),
      redact: {
        paths: [
          'authorization',
          'Authorization',
          '*.authorization',
          '*.Authorization',
          'headers.authorization',
          'headers.Authorization',
          '*.headers.authorization',
          '*.headers.Authorization',
          'req.headers.authorization',
          'request.headers.authorization',
          'cookie',
          'headers.cookie',
          '*.headers.cookie',
          'connectionParams',
          '*.connectionParams',
          'token',
          '*.token',
          'accessToken',
          '*.accessToken',
          'refreshToken',
          '*.refreshToken',
          'apiKey',
          '*.apiKey',
          // GraphQL variables can carry any of the above (refreshAccessToken's refreshToken).
          'variables',
          '*.variables',
          'secret',
          '*.secret',
          'webhookSecret',
          '*.webhookSecret',
          // A Redis URL may hold a password.
          'redisUrl',
          '*.redisUrl',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/** MAVI's codes for a request it refused because of what the caller sent, not its own trouble. */
const CALLER_CODES = new Set(['0001', '0401', '0403', '0409']);

/**
 * One line per upstream attempt: failures at warn (rate limits, timeouts, bad answers: what
 * an operator acts on), refusals caused by the caller at info, successes and aborted calls
 * (the client went away) at debug. The credential appears only as its id, a SHA-256 digest.
 */
export function logUpstreamAttempt(logger: Logger, attempt: AttemptReport): void {
  const line = {
    endpoint: attempt.endpoint,
    code: attempt.outcome,
    httpStatus: attempt.httpStatus,
    durationMs: Math.round(attempt.durationMs * 10) / 10,
    credentialId: attempt.credentialId,
  };
  if (attempt.outcome === '0000') logger.debug(line, 'upstream call');
  else if (attempt.outcome === 'ABORTED') logger.debug(line, 'upstream call aborted');
  else if (CALLER_CODES.has(attempt.outcome)) logger.info(line, 'upstream call refused');
  else logger.warn(line, 'upstream call failed');
}

/** What was thrown: a GraphQLError's original error when it wraps one, else the error itself. */
function thrown(error: Error): Error {
  const original = (error as { originalError?: unknown }).originalError;
  return original instanceof Error ? original : error;
}

/** An error as a log field: its type, scrubbed message and stack frames, never raw text. */
function errorFields(error: Error): Record<string, unknown> {
  const source = thrown(error);
  return {
    type: source.name,
    message: scrubSecrets(source.message),
    stack: source.stack
      ?.split('\n')
      .slice(1, 8)
      .map((frame) => frame.trim()),
  };
}

function isAbort(error: Error): boolean {
  return error.name === 'AbortError' || thrown(error).name === 'AbortError';
}

/**
 * Yoga's logger on pino. Yoga logs an unexpected error with its message (which may quote
 * anything, a credential included) when it masks it; here messages are scrubbed and errors
 * become structured fields.
 */
export function yogaLogger(logger: Logger) {
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      // Yoga logs three debug lines per request: at the usual levels, skip the scrubbing too.
      if (!logger.isLevelEnabled(level)) return;
      const error = args.find((a): a is Error => a instanceof Error);
      const text = scrubSecrets(
        args
          .filter((a) => !(a instanceof Error))
          .map(String)
          .join(' '),
      );
      // A request whose client went away (or that shutdown cut short) fails with an AbortError
      // that yoga masks and logs as unexpected; it is neither unexpected nor the gateway's fault.
      if (error && isAbort(error)) logger.debug('request aborted before it was answered');
      else if (error) logger[level]({ error: errorFields(error) }, text || 'unexpected error');
      else logger[level](text);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** console.* argument formatting: bounded, whatever a library hands console.error. */
const CONSOLE_INSPECT = {
  compact: true,
  depth: 3,
  maxArrayLength: 20,
  maxStringLength: 1000,
  breakLength: Number.POSITIVE_INFINITY,
};
/** Longest console message kept; the rest is cut. */
const CONSOLE_MAX_CHARS = 4000;

const CONSOLE_LEVELS = {
  log: 'info',
  info: 'info',
  dir: 'info',
  debug: 'debug',
  trace: 'debug',
  warn: 'warn',
  error: 'error',
} as const;

/**
 * After start-up, console.* and process warnings become log lines: console.error (graphql-ws
 * calls it on some client messages) and Node's warning printer would otherwise write to
 * stderr outside the log's bounded, non-blocking destination, synchronously when stderr is a
 * terminal (see log-destination.ts). Messages are scrubbed like yoga's, errors become fields.
 * Node's own warning printer (the only 'warning' listener at start) is replaced by one line
 * per warning at warn.
 */
export function routeConsoleToLogger(logger: Logger): void {
  for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
    (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args) => {
      if (!logger.isLevelEnabled(level)) return;
      const error = args.find((a): a is Error => a instanceof Error);
      const rest = args.filter((a) => a !== error);
      const text = scrubSecrets(formatWithOptions(CONSOLE_INSPECT, ...rest).slice(0, CONSOLE_MAX_CHARS));
      logger[level]({ console: method, ...(error ? { error: errorFields(error) } : {}) }, text);
    };
  }
  for (const listener of process.listeners('warning')) process.off('warning', listener);
  process.on('warning', (warning) => {
    logger.warn(
      {
        warning: {
          type: warning.name,
          code: (warning as { code?: unknown }).code,
          message: scrubSecrets(warning.message.slice(0, CONSOLE_MAX_CHARS)),
        },
      },
      'process warning',
    );
  });
  // A write that Node queued before this (the start-up line, on a pipe already full) fails
  // once its reader is gone; with no listener that 'error' would end the process.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}
