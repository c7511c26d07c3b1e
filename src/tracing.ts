import {
  type Attributes,
  context,
  createContextKey,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import DataLoader from 'dataloader';

/**
 * OpenTelemetry traces: the gateway's own spans (operations, MAVI calls and attempts,
 * DataLoader batches, polls and callbacks), exported over OTLP.
 *
 * Off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or
 * OTEL_TRACES_EXPORTER) is set. Off, nothing of the SDK is loaded, and every helper below
 * returns after one boolean test: the API alone would still allocate a non-recording span
 * per call, which the overhead bench would see on a gateway doing thousands of calls a second.
 *
 * On, the SDK reads its own standard variables (OTEL_TRACES_SAMPLER and _ARG,
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_BSP_*, OTEL_RESOURCE_ATTRIBUTES); config.ts checks and
 * documents them. No automatic instrumentation: node:http's would name every MAVI request by
 * its URL, query string (a search text) included.
 *
 * What a span may carry: endpoint names, codes, statuses, counts, and the credential's id
 * (the SHA-256 digest the logs print). Never a credential, token, callback URL, variable
 * value, query text or file name.
 */
export const tracer = trace.getTracer('mavi-gateway');

let enabled = false;

/** Whether spans are being recorded (startTracing ran with tracing configured). */
export function tracingOn(): boolean {
  return enabled;
}

export interface TracingConfig {
  enabled: boolean;
  serviceName: string;
  exporter: 'otlp' | 'console';
  protocol: 'http/protobuf' | 'http/json';
}

export interface Tracing {
  /** Exports the spans ended so far. */
  forceFlush(): Promise<void>;
  /** Ends the batch processor, exporting what it holds, and unregisters the SDK. */
  shutdown(): Promise<void>;
}

/**
 * Loads the SDK and registers it globally: tracer provider, AsyncLocalStorage context (so
 * work started inside a span is its child) and the W3C propagators. Null when tracing is off.
 */
export async function startTracing(
  config: TracingConfig,
  version: string,
  opts: {
    /** Instead of the configured exporter (tests: an in-memory one). */
    exporter?: import('@opentelemetry/sdk-trace-base').SpanExporter;
  } = {},
): Promise<Tracing | null> {
  if (!config.enabled) return null;
  const [base, hooks, core, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  const exporter =
    opts.exporter ??
    (config.exporter === 'console'
      ? new base.ConsoleSpanExporter()
      : config.protocol === 'http/json'
        ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
        : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter());
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over the defaults.
  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': version }),
    )
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  // The sampler comes from OTEL_TRACES_SAMPLER(_ARG), parent-based always-on by default.
  const provider = new base.BasicTracerProvider({
    resource,
    spanProcessors: [new base.BatchSpanProcessor(exporter)],
  });
  context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(provider);
  enabled = true;
  return {
    forceFlush: () => provider.forceFlush(),
    async shutdown() {
      enabled = false;
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** Runs `fn` inside a new span (a child of the active one), ending it when `fn` settles; errors set its status. */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | null) => Promise<T>,
  opts: { kind?: SpanKind; links?: Link[]; root?: boolean } = {},
): Promise<T> {
  if (!enabled) return fn(null);
  return tracer.startActiveSpan(name, { attributes, ...opts }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's type: a gateway code when it has one, never its message. */
export function failSpan(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  const type =
    typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)
      ? code
      : error instanceof Error
        ? error.name
        : 'unknown';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** The active span's context, for a link from work it causes later elsewhere. Null when off. */
export function activeSpanContext(): SpanContext | null {
  if (!enabled) return null;
  const span = trace.getActiveSpan();
  return span ? span.spanContext() : null;
}

/** Adds traceparent (and tracestate) of the active span to outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string>): void {
  if (enabled) propagation.inject(context.active(), headers);
}

/** trace_id and span_id of the active span, for log lines (pino's mixin). */
export function traceLogFields(): Record<string, string> {
  if (!enabled) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Links to distinct span contexts, at most `max` (a span's link count is bounded by the SDK too). */
export function linksTo(contexts: Iterable<SpanContext>, max = 32): Link[] {
  const links: Link[] = [];
  const seen = new Set<string>();
  for (const spanContext of contexts) {
    if (seen.has(spanContext.spanId)) continue;
    seen.add(spanContext.spanId);
    links.push({ context: spanContext });
    if (links.length >= max) break;
  }
  return links;
}

/**
 * A DataLoader whose batches, with tracing on, each run in a span "DataLoader <name>" with the
 * number of keys and links to the operations (or polls) that asked for them: a batch serves
 * several when loaders are shared (live/live.ts), and is otherwise the child of the first.
 * Off, `load` costs one boolean test more.
 */
export class TracedLoader<K, V, C = K> extends DataLoader<K, V, C> {
  /** Who asked for keys since the last batch began, by span id. */
  readonly #joined: Map<string, SpanContext>;

  constructor(name: string, batch: DataLoader.BatchLoadFn<K, V>, options?: DataLoader.Options<K, V, C>) {
    const joined = new Map<string, SpanContext>();
    super((keys) => {
      if (!tracingOn()) return batch(keys);
      const links = linksTo(joined.values());
      joined.clear();
      return inSpan(
        `DataLoader ${name}`,
        { 'dataloader.name': name, 'dataloader.keys': keys.length },
        async () => batch(keys),
        { links },
      );
    }, options);
    this.#joined = joined;
  }

  override load(key: K): Promise<V> {
    if (tracingOn()) {
      const requester = requesterSpanContext();
      if (requester) this.#joined.set(requester.spanId, requester);
    }
    return super.load(key);
  }
}

export { context as otelContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace };

/** Each GraphQL operation's span context, by yoga's per-operation context object. */
const operationSpans = new WeakMap<object, SpanContext>();

/** Records the span of the operation that owns `operationContext` (use-operation-telemetry.ts). */
export function setOperationSpan(operationContext: object, spanContext: SpanContext): void {
  operationSpans.set(operationContext, spanContext);
}

/**
 * The span context of the operation a resolver runs in, for links from work it starts that
 * outlives it (a subscription's polls and callbacks). Null when tracing is off.
 */
export function operationSpanContext(operationContext: object): SpanContext | null {
  return enabled ? (operationSpans.get(operationContext) ?? null) : null;
}

/** Where the operation's span context sits in the OpenTelemetry context of everything it runs. */
export const OPERATION_KEY = createContextKey('mavi-gateway.operation');

/**
 * What asked for a DataLoader key, for the batch's links: the GraphQL operation the active
 * context belongs to, else the active span (a poll). Null when tracing is off.
 */
export function requesterSpanContext(): SpanContext | null {
  if (!enabled) return null;
  const active = context.active();
  const operation = active.getValue(OPERATION_KEY) as SpanContext | undefined;
  return operation ?? trace.getSpan(active)?.spanContext() ?? null;
}
