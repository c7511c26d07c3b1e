import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { droppedLogLines } from './log-destination.js';
import { ENDPOINT_NAMES, type Endpoint } from './mavi/endpoints.js';
import type { GovernorEvent, QuotaStore } from './mavi/governor.js';
import type { RetryReport } from './mavi/retry.js';
import type { AttemptReport } from './mavi/transport.js';

/** How a GraphQL operation ended. */
export type OperationOutcome =
  /** Executed without errors (typed errors in result unions are data, so they count here). */
  | 'success'
  /** Executed, with errors in the result. */
  | 'error'
  /** Never executed: a parse or validation error, or a query limit. */
  | 'rejected'
  /** The client went away (or shutdown cut the request short) before the answer. */
  | 'aborted'
  /** A subscription or incremental delivery: counted when its stream starts. */
  | 'stream';

/** Reads the governor's queue lengths by endpoint, e.g. `{ searchAI: 3, chat: 0 }`. */
export type QueueLengthSource = () => Record<string, number>;
/** Reads where the governor's buckets live now. */
export type QuotaStoreSource = () => QuotaStore['state'];

export interface MetricsOptions {
  /**
   * The quota governor's queue lengths, read at every scrape. Default none (the gauge stays
   * empty): the governor plugs its snapshot in here or later with {@link GatewayMetrics.setGovernorQueueSource}.
   */
  governorQueueLength?: QueueLengthSource;
  /**
   * Node process metrics (CPU, memory, event loop, GC). Default true. They are collected
   * once per process, into a registry of their own that every gateway's output includes:
   * collectDefaultMetrics starts an event-loop monitor and a GC observer that can never be
   * stopped, so one per gateway would pile up in a process that makes many (the tests).
   */
  processMetrics?: boolean;
}

/**
 * The gateway's Prometheus metrics, in a registry of its own (never prom-client's global
 * one, which several gateways in one process would share). Labels never hold a credential
 * nor a credential id: only operation types, endpoint names and response codes, whose
 * values are few and known.
 */
export interface GatewayMetrics {
  /** This gateway's registry; register further metrics here and /metrics includes them. */
  readonly registry: Registry;
  /** mavi_gateway_graphql_operations_total{operation_type, outcome} */
  readonly operations: Counter<'operation_type' | 'outcome'>;
  /** mavi_gateway_graphql_operation_duration_seconds{operation_type, outcome} */
  readonly operationDuration: Histogram<'operation_type' | 'outcome'>;
  /** mavi_gateway_upstream_requests_total{endpoint, code}: every attempt, retries included. */
  readonly upstreamRequests: Counter<'endpoint' | 'code'>;
  /** mavi_gateway_upstream_request_duration_seconds{endpoint} */
  readonly upstreamDuration: Histogram<'endpoint'>;
  /** mavi_gateway_governor_queue_length{endpoint}: read from the governor at each scrape. */
  readonly governorQueueLength: Gauge<'endpoint'>;
  /** mavi_gateway_governor_decisions_total{endpoint, decision, reason}: every quota decision. */
  readonly governorDecisions: Counter<'endpoint' | 'decision' | 'reason'>;
  /** mavi_gateway_quota_store{state}: 1 for where the buckets live now (memory, redis, redis-unavailable). */
  readonly quotaStore: Gauge<'state'>;
  /** mavi_gateway_upstream_retries_total{endpoint, decision}: what the retry loop decided after a failed read. */
  readonly upstreamRetries: Counter<'endpoint' | 'decision'>;
  /** mavi_gateway_upstream_coalesced_total{endpoint}: reads that joined an identical one in flight instead of calling MAVI. */
  readonly upstreamCoalesced: Counter<'endpoint'>;
  /**
   * mavi_gateway_subscriptions_active{operation}: subscriptions open now. The live-updates
   * code calls `inc({ operation })` when one starts and `dec({ operation })` when it ends,
   * with the subscription's root field name (`videoStatusChanged`), never the client's
   * operation name, so the label has as many values as the schema has subscription fields.
   */
  readonly subscriptionsActive: Gauge<'operation'>;
  /**
   * mavi_gateway_live_pollers{kind}: shared pollers on this instance (`video`: one per
   * credential with watchers here; `transcription`: one per watched task), whether or not
   * this instance holds their lease.
   */
  readonly livePollers: Gauge<'kind'>;
  /**
   * mavi_gateway_log_lines_dropped_total: log lines this process dropped rather than wait
   * for the reader of its stdout (stalled, or gone). Read at each scrape from the process's
   * log destination, so every gateway in one process shows the same count.
   */
  readonly logLinesDropped: Counter;
  /** Records one GraphQL operation. */
  observeOperation(operationType: string, outcome: OperationOutcome, seconds: number | null): void;
  /** Records one upstream attempt (the transport's onAttempt report). */
  observeUpstream(attempt: AttemptReport): void;
  /** Records one quota decision (the transport's onGovernorEvent). */
  observeGovernor(event: GovernorEvent): void;
  /** Records one retry decision (the transport's onRetry). */
  observeRetry(report: RetryReport): void;
  /** Records one read that shared a call in flight (the transport's onCoalesced). */
  observeCoalesced(endpoint: Endpoint): void;
  /** Where governor queue lengths come from; replaces any earlier source. */
  setGovernorQueueSource(source: QueueLengthSource | undefined): void;
  /** Where the quota store's state comes from; replaces any earlier source. */
  setQuotaStoreSource(source: QuotaStoreSource | undefined): void;
  /** The Prometheus text exposition of this gateway's metrics and the process's. */
  expose(): Promise<{ contentType: string; body: string }>;
  /** The registries {@link expose} reads: this gateway's, and the process's when included. */
  registries(): Registry[];
  /**
   * Where the exposition comes from instead (a cluster worker asks its primary for every
   * worker's metrics, summed: src/cluster.ts); replaces any earlier source.
   */
  setExpositionSource(source: (() => Promise<string>) | undefined): void;
}

const PREFIX = 'mavi_gateway_';
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);
/** Label values taken from reports are checked against what they can be, so a label never holds anything else. */
const ENDPOINTS = new Set<string>(ENDPOINT_NAMES);
const GOVERNOR_DECISIONS = new Set<string>(['granted', 'rejected', 'abandoned']);
const GOVERNOR_REASONS = new Set<string>([
  'immediate',
  'queued',
  'wait-too-long',
  'queue-full',
  'closed',
  'aborted',
]);
const RETRY_DECISIONS = new Set<string>([
  'retry',
  'attempts-exhausted',
  'budget-exhausted',
  'time-limit',
  'quota',
]);
const STORE_STATES = ['memory', 'redis', 'redis-unavailable'] as const;
const known = (values: Set<string>, value: string) => (values.has(value) ? value : 'other');
/** MAVI's four-digit codes and the gateway's own UPPER_SNAKE failure codes. */
const CODE_SHAPE = /^(?:\d{4}|[A-Z][A-Z0-9_]{0,39})$/;

/** GraphQL answers in milliseconds to a minute (chat waits for a model). */
const OPERATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Upstream calls: searchDB in tens of ms, chat and uploads in minutes. */
const UPSTREAM_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const GC_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1, 2, 5];

let processRegistry: Registry | undefined;

/** The process-wide registry of Node's default metrics, made on first use. */
function processMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    // GC pauses of a few milliseconds are what a latency target of 5 ms is about: prom-client's
    // default bounds (1, 10, 100 ms, ...) cannot tell 2 ms from 9 ms.
    collectDefaultMetrics({ register: processRegistry, gcDurationBuckets: GC_BUCKETS });
  }
  return processRegistry;
}

export function createMetrics(opts: MetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  let queueSource = opts.governorQueueLength;
  let storeSource: QuotaStoreSource | undefined;
  let exposition: (() => Promise<string>) | undefined;
  const includeProcess = opts.processMetrics ?? true;

  const operations = new Counter({
    name: `${PREFIX}graphql_operations_total`,
    help: 'GraphQL operations, by operation type and outcome.',
    labelNames: ['operation_type', 'outcome'] as const,
    registers,
  });
  const operationDuration = new Histogram({
    name: `${PREFIX}graphql_operation_duration_seconds`,
    help: 'Time from receiving a GraphQL operation to its result, by operation type and outcome.',
    labelNames: ['operation_type', 'outcome'] as const,
    buckets: OPERATION_BUCKETS,
    registers,
  });
  const upstreamRequests = new Counter({
    name: `${PREFIX}upstream_requests_total`,
    help: "Requests to MAVI, by endpoint and MAVI's response code (or the gateway's failure code when no answer was read).",
    labelNames: ['endpoint', 'code'] as const,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: `${PREFIX}upstream_request_duration_seconds`,
    help: 'Time a request to MAVI took, answer read, by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers,
  });
  const governorQueueLength = new Gauge({
    name: `${PREFIX}governor_queue_length`,
    help: "Requests waiting in the quota governor's queue, by endpoint.",
    labelNames: ['endpoint'] as const,
    registers,
    collect() {
      this.reset();
      if (!queueSource) return;
      let lengths: Record<string, number>;
      try {
        lengths = queueSource();
      } catch {
        // A broken snapshot must not take the whole scrape down; the gauge is left empty.
        return;
      }
      for (const [endpoint, length] of Object.entries(lengths)) {
        if (Number.isFinite(length)) this.set({ endpoint }, length);
      }
    },
  });
  const governorDecisions = new Counter({
    name: `${PREFIX}governor_decisions_total`,
    help: 'Quota governor decisions, by endpoint, decision (granted, rejected: MAVI not called, abandoned: the caller left while queued) and reason.',
    labelNames: ['endpoint', 'decision', 'reason'] as const,
    registers,
  });
  const quotaStore = new Gauge({
    name: `${PREFIX}quota_store`,
    help: "Where the quota governor's buckets live now: 1 for the current state (memory, redis, or redis-unavailable while Redis is away and each instance counts alone).",
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.reset();
      if (!storeSource) return;
      let state: string;
      try {
        state = storeSource();
      } catch {
        return;
      }
      for (const s of STORE_STATES) this.set({ state: s }, s === state ? 1 : 0);
    },
  });
  const upstreamRetries = new Counter({
    name: `${PREFIX}upstream_retries_total`,
    help: 'Decisions of the retry loop after a failed read, by endpoint: retry, or why the failure was returned (attempts-exhausted, budget-exhausted, time-limit, quota).',
    labelNames: ['endpoint', 'decision'] as const,
    registers,
  });
  const upstreamCoalesced = new Counter({
    name: `${PREFIX}upstream_coalesced_total`,
    help: 'Reads that joined an identical read of the same credential in flight instead of calling MAVI, by endpoint.',
    labelNames: ['endpoint'] as const,
    registers,
  });
  const subscriptionsActive = new Gauge({
    name: `${PREFIX}subscriptions_active`,
    help: 'GraphQL subscriptions open now, by subscription field.',
    labelNames: ['operation'] as const,
    registers,
  });

  const livePollers = new Gauge({
    name: `${PREFIX}live_pollers`,
    help: 'Shared status pollers on this instance, by kind (video: per credential; transcription: per task).',
    labelNames: ['kind'] as const,
    registers,
  });
  const logLinesDropped = new Counter({
    name: `${PREFIX}log_lines_dropped_total`,
    help: 'Log lines dropped because the reader of stdout was not taking them (buffer full) or had gone away.',
    registers,
    collect() {
      this.reset();
      this.inc(droppedLogLines());
    },
  });

  return {
    registry,
    operations,
    operationDuration,
    upstreamRequests,
    upstreamDuration,
    governorQueueLength,
    governorDecisions,
    quotaStore,
    upstreamRetries,
    upstreamCoalesced,
    subscriptionsActive,
    livePollers,
    logLinesDropped,
    observeOperation(operationType, outcome, seconds) {
      const labels = {
        operation_type: OPERATION_TYPES.has(operationType) ? operationType : 'unknown',
        outcome,
      };
      operations.inc(labels);
      if (seconds !== null) operationDuration.observe(labels, seconds);
    },
    observeUpstream(attempt) {
      // The report carries a credential id: it stays out of every label.
      const code = CODE_SHAPE.test(attempt.outcome) ? attempt.outcome : 'OTHER';
      upstreamRequests.inc({ endpoint: attempt.endpoint, code });
      upstreamDuration.observe({ endpoint: attempt.endpoint }, attempt.durationMs / 1000);
    },
    observeGovernor(event) {
      // The event carries no credential; its bucket is left out (the endpoint says enough).
      governorDecisions.inc({
        endpoint: known(ENDPOINTS, event.endpoint),
        decision: known(GOVERNOR_DECISIONS, event.decision),
        reason: known(GOVERNOR_REASONS, event.reason),
      });
    },
    observeRetry(report) {
      upstreamRetries.inc({
        endpoint: known(ENDPOINTS, report.endpoint),
        decision: known(RETRY_DECISIONS, report.decision),
      });
    },
    observeCoalesced(endpoint) {
      upstreamCoalesced.inc({ endpoint: known(ENDPOINTS, endpoint) });
    },
    setGovernorQueueSource(source) {
      queueSource = source;
    },
    setQuotaStoreSource(source) {
      storeSource = source;
    },
    async expose() {
      if (exposition) return { contentType: registry.contentType, body: await exposition() };
      const merged = includeProcess ? Registry.merge([registry, processMetricsRegistry()]) : registry;
      return { contentType: registry.contentType, body: await merged.metrics() };
    },
    registries: () => (includeProcess ? [registry, processMetricsRegistry()] : [registry]),
    setExpositionSource(source) {
      exposition = source;
    },
  };
}
