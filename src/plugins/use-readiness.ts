import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

/** One thing the gateway needs in order to serve, checked by `GET /ready`. */
export interface ReadinessCheck {
  /** Named in /ready's answer when it fails, e.g. `redis`. */
  name: string;
  /** Resolves when the dependency is usable; a rejection or no answer within 2 s fails it. */
  check(): Promise<void>;
}

/** A check that has not answered in this time counts as failing. Default 2000 ms. */
const DEFAULT_TIMEOUT_MS = 2000;

interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed, in the gateway's words; never the dependency's error text (it may hold a URL with a password). */
  reason?: string;
}

async function run(
  check: ReadinessCheck,
  timeoutMs: number,
  logger: Logger | undefined,
): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([check.check().then(() => 'ok' as const), timeout]);
    if (outcome === 'ok') return { name: check.name, ok: true };
    logger?.warn({ check: check.name, timeoutMs }, 'readiness check timed out');
    return { name: check.name, ok: false, reason: `no answer within ${timeoutMs} ms` };
  } catch (error) {
    const kind = (error as { code?: unknown }).code ?? (error as Error).name ?? 'Error';
    logger?.warn({ check: check.name, error: String(kind) }, 'readiness check failed');
    return { name: check.name, ok: false, reason: 'failed' };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /ready`: 200 when every readiness check passes, 503 otherwise, with a JSON body that
 * names each check and whether it passed. `checks` is read at each request, so code that
 * starts later (Redis for live updates and quotas) pushes its check onto the same array.
 * `/health` (yoga's) only says the process is alive; this says it can serve.
 */
export function useReadiness(opts: {
  checks: readonly ReadinessCheck[];
  logger?: Logger;
  /** Per-check time limit; default 2000 ms, below common probe timeouts. */
  timeoutMs?: number;
  path?: string;
}): Plugin {
  const path = opts.path ?? '/ready';
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== path || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      const results = await Promise.all(opts.checks.map((check) => run(check, timeoutMs, opts.logger)));
      const failing = results.filter((r) => !r.ok).map((r) => r.name);
      const ready = failing.length === 0;
      const body = JSON.stringify({ status: ready ? 'ready' : 'unavailable', failing, checks: results });
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : body, {
          status: ready ? 200 : 503,
          headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
