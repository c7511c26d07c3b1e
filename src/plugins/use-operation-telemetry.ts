import { type DocumentNode, type ExecutionResult, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { GatewayMetrics, OperationOutcome } from '../metrics.js';

interface OperationState {
  started: number;
  type: string;
  name: string | null;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** Executed results carry `data` (possibly null); refused ones only `errors`. */
function outcomeOf(result: ExecutionResult): OperationOutcome {
  if (!result.errors?.length) return 'success';
  return 'data' in result ? 'error' : 'rejected';
}

/** The errors' codes, never their messages: those may quote what the client sent. */
function errorCodes(result: ExecutionResult): string[] {
  const codes = new Set<string>();
  for (const error of result.errors ?? []) {
    const code = error.extensions?.code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,39}$/.test(code)) codes.add(code);
  }
  return [...codes];
}

/**
 * One log line (info) and the operation metrics for every GraphQL operation yoga answers,
 * each operation of a batch on its own: name, type, duration and outcome. Never the
 * variables, the query text or any header, so no credential can reach the log through it.
 *
 * A request refused before it holds an operation (CSRF, body or batch limits, a body that is
 * not JSON) gets one line too, with its method, path and status.
 */
export function useOperationTelemetry(opts: { logger: Logger; metrics: GatewayMetrics }): Plugin {
  const { metrics } = opts;
  // The lines below carry fixed keys only (none among the logger's redaction paths), so
  // redaction could never change them; skipping its pass saves ~10 µs a request (measured:
  // 12 µs a line through the redacting logger, 1.6 µs through this child, same output).
  const logger = opts.logger.child({}, { redact: { paths: [] } });
  // Keyed by yoga's per-operation context object, which every hook below is handed.
  const operations = new WeakMap<object, OperationState>();
  const requestsWithOperations = new WeakSet<Request>();

  return {
    onParams({ context, request }) {
      requestsWithOperations.add(request);
      operations.set(context as object, { started: performance.now(), type: 'unknown', name: null });
    },
    onParse({ context }) {
      return ({ result }) => {
        const state = operations.get(context);
        if (!state || result === null || result instanceof Error) return;
        const params = (context as { params?: { operationName?: string | null } }).params;
        const operation = getOperationAST(result as DocumentNode, params?.operationName ?? undefined);
        if (operation) {
          state.type = operation.operation;
          state.name = operation.name?.value ?? null;
        }
      };
    },
    onExecutionResult({ result, context, request }) {
      const state = operations.get(context);
      if (!state || result === undefined) return;
      operations.delete(context);
      const durationMs = performance.now() - state.started;
      const line = { operationName: state.name, operationType: state.type };
      if (isAsyncIterable(result)) {
        metrics.observeOperation(state.type, 'stream', null);
        logger.info({ ...line, outcome: 'stream' }, 'graphql operation');
        return;
      }
      const outcome = request.signal?.aborted ? 'aborted' : outcomeOf(result);
      metrics.observeOperation(state.type, outcome, durationMs / 1000);
      const codes = errorCodes(result);
      logger.info(
        {
          ...line,
          durationMs: Math.round(durationMs * 10) / 10,
          outcome,
          ...(codes.length ? { errorCodes: codes } : {}),
        },
        'graphql operation',
      );
    },
    onResponse({ request, response }) {
      if (response.status < 400 || requestsWithOperations.has(request)) return;
      // The path only: a GET's query string holds the query and its variables.
      const path = new URL(request.url, 'http://gateway').pathname;
      logger.info({ method: request.method, path, status: response.status }, 'request refused');
    },
  };
}
