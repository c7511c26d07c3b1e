import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { maximum, percentile } from './stats.js';

export interface PacedOptions {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  authorizations: string[];
  /** Requests per second, sent evenly (not in bursts). */
  rate: number;
  seconds: number;
  /** Most connections open at once; requests beyond them wait for one (and that wait counts). */
  connections: number;
}

export interface PacedResult {
  sent: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** The errors' codes (ECONNRESET, ...), the first few. */
  errorCodes: string[];
  /** Requests sent again after the server closed the kept-alive socket they were written to. */
  resent: number;
  non2xx: number;
}

/**
 * An open-loop load at a fixed rate: request i is due at start + i/rate and its latency is
 * measured from when it was due, so a stalled server cannot hide its stall by slowing the
 * sender (no coordinated omission). autocannon's rate mode sends each second's requests in a
 * burst, which measures the burst's queue rather than the server.
 */
export async function paced(opts: PacedOptions): Promise<PacedResult> {
  const target = new URL(opts.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const total = Math.round(opts.rate * opts.seconds);
  const latencies: number[] = [];
  let errors = 0;
  let resent = 0;
  const errorCodes: string[] = [];
  let non2xx = 0;
  let sent = 0;
  let finished = 0;
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const start = performance.now() + 20;

  await new Promise<void>((resolve) => {
    const send = (due: number, authorization: string, again = false) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: opts.method,
          agent,
          headers: {
            ...opts.headers,
            authorization,
            ...(body ? { 'content-length': body.length } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300)
              latencies.push(performance.now() - due);
            else non2xx += 1;
            if (++finished === total) resolve();
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed as this request was written to it: the race
        // node:http's documentation tells clients to retry (https://nodejs.org/api/http.html,
        // request.reusedSocket). Its latency still counts from when it was first due.
        if (!again && req.reusedSocket && error.code === 'ECONNRESET') {
          resent += 1;
          send(due, authorization, true);
          return;
        }
        errors += 1;
        if (errorCodes.length < 5) errorCodes.push(error.code ?? error.message);
        if (++finished === total) resolve();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total) {
        const due = start + (sent * 1000) / opts.rate;
        if (due > now) break;
        send(due, opts.authorizations[sent % opts.authorizations.length] as string);
        sent += 1;
      }
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(5, start + (sent * 1000) / opts.rate - now)));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  return {
    sent,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: maximum(latencies),
    errors,
    errorCodes,
    resent,
    non2xx,
  };
}
