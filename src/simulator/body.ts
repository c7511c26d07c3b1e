import type { IncomingMessage } from 'node:http';
import { show } from './envelope.js';

/** JSON endpoints never need more; a bigger body is a client bug, answered with 0001. */
export const MAX_JSON_BYTES = 1024 * 1024;

export type JsonBody =
  | { kind: 'ok'; value: unknown }
  | { kind: 'invalid'; message: string }
  /** The client went away before the body was complete. */
  | { kind: 'aborted' };

/**
 * Reads a JSON body; an empty body is `undefined`. Past the limit the rest is drained, not
 * kept, so the client still gets an answer.
 */
export function readJsonBody(req: IncomingMessage, limit = MAX_JSON_BYTES): Promise<JsonBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on('end', () => {
      if (size > limit) {
        resolve({ kind: 'invalid', message: `a JSON body must be at most ${limit} bytes; received ${size}` });
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') {
        resolve({ kind: 'ok', value: undefined });
        return;
      }
      try {
        resolve({ kind: 'ok', value: JSON.parse(text) });
      } catch {
        resolve({ kind: 'invalid', message: `the body must be valid JSON; received ${show(text)}` });
      }
    });
    req.on('close', () => {
      if (!req.complete) resolve({ kind: 'aborted' });
    });
  });
}
