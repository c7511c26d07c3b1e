import { type Logger, pino } from 'pino';
import type { AttemptReport } from './mavi/transport.js';

/**
 * Structured logs. Anything under a key that can carry a credential is replaced before it is
 * written, wherever it sits in the object; credentials themselves print as their hash.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'mavi-gateway' },
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
