import autocannon from 'autocannon';
import { maximum, percentile } from './stats.js';

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Credentials used in turn, one per request (so no two in-flight requests look alike). */
  authorizations: string[];
  connections: number;
  seconds: number;
  /** Stop after this many requests instead (smoke runs: autocannon counts duration in whole seconds). */
  amount?: number;
  /** Requests per second across all connections; omitted: as fast as the target answers. */
  rate?: number;
}

export interface LoadResult {
  /** Requests answered. */
  requests: number;
  /** Requests sent, including those still unanswered when the run stopped. */
  sent: number;
  /** Completed requests per second. */
  rps: number;
  /** Latencies in ms, measured to the microsecond from autocannon's own timer. */
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
  seconds: number;
}

/** One autocannon run; latencies are kept per request rather than in its 1-ms histogram. */
export async function load(opts: LoadOptions): Promise<LoadResult> {
  let turn = 0;
  const latencies: number[] = [];
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.seconds,
        ...(opts.amount ? { amount: opts.amount } : {}),
        ...(opts.rate ? { overallRate: opts.rate } : {}),
        requests: [
          {
            method: opts.method,
            headers: opts.headers ?? {},
            ...(opts.body !== undefined ? { body: opts.body } : {}),
            setupRequest: (request) => {
              const authorization = opts.authorizations[turn++ % opts.authorizations.length] as string;
              return { ...request, headers: { ...request.headers, authorization } };
            },
          },
        ],
      },
      (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await done;
  return {
    requests: result.requests.total,
    sent: result.requests.sent,
    rps: result.requests.total / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: maximum(latencies),
    errors: result.errors,
    non2xx: result.non2xx,
    seconds: result.duration,
  };
}
