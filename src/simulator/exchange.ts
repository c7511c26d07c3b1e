import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Envelope } from './envelope.js';
import type { MaviEndpoint, RecordedCall, SimAccount } from './types.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Strips the optional `Bearer ` prefix: the doc's examples send both forms (v1.0.md §2.3). */
export function credentialOf(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const raw = authorization.replace(/^Bearer\s+/i, '').trim();
  return raw === '' ? undefined : raw;
}

/**
 * One request/response pair and its entry in `calls`. Every answer goes through here so the
 * record's code, status, done and aborted flags stay true to what went over the wire.
 */
export class Exchange {
  readonly credential: string | undefined;
  /** Set once authenticated. */
  account: SimAccount | undefined;
  /** Parsed JSON body (JSON endpoints), once read. */
  body: unknown;
  private destroyedOnPurpose = false;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly endpoint: MaviEndpoint,
    readonly query: URLSearchParams,
    readonly call: RecordedCall,
  ) {
    this.credential = credentialOf(call.authorization);
    res.on('finish', () => {
      call.done = true;
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        // A reset fault destroys the socket itself; that is not the client going away.
        if (!this.destroyedOnPurpose) call.aborted = true;
        call.done = true;
      }
    });
  }

  /** True once nothing more can be written: answered, or the connection is gone (abort, reset, close()). */
  get gone(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  reply(envelope: Envelope): void {
    this.send(200, JSON.stringify(envelope), { 'content-type': JSON_TYPE }, envelope.code);
  }

  /** Writes a complete answer; `code` is the business code to record (undefined for faults). */
  send(status: number, body: string | Buffer, headers: OutgoingHttpHeaders, code: string | undefined): void {
    if (this.gone) return;
    // Answering before the body is read (an upload refused or faulted): discard the rest so the
    // client can finish sending and read the answer, instead of stalling on a full window.
    if (!this.req.complete) this.req.resume();
    this.call.httpStatus = status;
    this.call.code = code;
    this.res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    this.res.end(body);
  }

  /** Starts a streamed answer (chat). */
  startStream(status: number, headers: OutgoingHttpHeaders, code: string): void {
    this.call.httpStatus = status;
    this.call.code = code;
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
  }

  /** Drops the connection without finishing the answer (the reset fault). */
  destroy(): void {
    this.destroyedOnPurpose = true;
    this.res.destroy();
    this.req.socket.destroy();
  }
}
