import { type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DeliveredCallback } from './types.js';

/** A receiver that never answers must not hold a POST (and the simulator's close) forever. */
const CALLBACK_TIMEOUT_MS = 5_000;

/**
 * Outbound callbacks (upload status, finished transcriptions). One attempt each, never retried,
 * as MAVI documents no retry policy; failures are recorded, never thrown. Each POST uses its own
 * connection (no agent pool) so nothing idles after close().
 */
export class CallbackSender {
  /** Every attempt, pushed when it completes (so `status` is final when you read it). */
  readonly delivered: DeliveredCallback[] = [];
  private readonly inflight = new Set<ClientRequest>();
  /** Per-key chains keep one video's callbacks in order even when parseDelayMs is tiny. */
  private readonly chains = new Map<string, Promise<void>>();
  private closed = false;

  post(url: string, body: unknown, orderKey?: string): void {
    if (this.closed) return;
    if (orderKey === undefined) {
      void this.send(url, body);
      return;
    }
    const previous = this.chains.get(orderKey) ?? Promise.resolve();
    const current = previous.then(() => this.send(url, body));
    this.chains.set(orderKey, current);
    void current.then(() => {
      if (this.chains.get(orderKey) === current) this.chains.delete(orderKey);
    });
  }

  close(): void {
    this.closed = true;
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
  }

  private send(url: string, body: unknown): Promise<void> {
    const at = Date.now();
    const record = (status: number | undefined, error: string | undefined): void => {
      if (!this.closed) this.delivered.push({ url, body, status, error, at });
    };
    if (this.closed) return Promise.resolve();
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      record(undefined, `callback URL must be absolute; received ${JSON.stringify(url)}`);
      return Promise.resolve();
    }
    const payload = Buffer.from(JSON.stringify(body));
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let finished = false;
      const finish = (status: number | undefined, error: string | undefined): void => {
        if (finished) return;
        finished = true;
        this.inflight.delete(req);
        record(status, error);
        resolve();
      };
      const req = send(target, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: CALLBACK_TIMEOUT_MS,
      });
      this.inflight.add(req);
      let status: number | undefined;
      req.on('response', (res) => {
        status = res.statusCode;
        // The receiver's body is of no interest; drain it so the socket can close.
        res.resume();
        res.on('end', () => finish(status, undefined));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${CALLBACK_TIMEOUT_MS} ms`)));
      req.on('error', (err) => finish(undefined, err.message));
      req.on('close', () =>
        finish(status, status === undefined ? 'connection closed before an answer' : undefined),
      );
      req.end(payload);
    });
  }
}
