import { type Logger, pino } from 'pino';

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
          'req.headers.authorization',
          'request.headers.authorization',
          'connectionParams',
          '*.connectionParams',
          'token',
          '*.token',
          'accessToken',
          '*.accessToken',
          'refreshToken',
          '*.refreshToken',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
