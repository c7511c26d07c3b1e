/**
 * An OTLP/HTTP trace receiver on loopback, for tests: it accepts POST /v1/traces in
 * http/protobuf (decoded by the small protobuf reader below, for the fields of
 * opentelemetry-proto's trace.proto that tests look at) or http/json, and keeps the spans.
 *
 * The reader is hand-written because nothing installed decodes OTLP: @opentelemetry/otlp-transformer
 * 0.221 only encodes (it carries its own writer, no reader), no package ships opentelemetry-proto's
 * .proto files, and protobufjs (here only as a dependency of a dev dependency) would still need
 * the schema written out; a reader of the wire format for the fields the tests check is smaller.
 */
import { createServer, type Server } from 'node:http';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** 1 internal, 2 server, 3 client. */
  kind: number;
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string }[];
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  /** Start time, ms since the epoch. */
  startMs: number;
  resource: Record<string, unknown>;
}

export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  /** The Content-Type of each export received. */
  contentTypes: string[];
  close(): Promise<void>;
}

// ---------------------------------------------------------------- protobuf wire format

type Field = { no: number; wire: number; value: bigint | Buffer };

function* fields(buf: Buffer): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[at++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 1) {
      yield { no, wire, value: buf.subarray(at, at + 8) };
      at += 8;
    } else if (wire === 2) {
      const length = Number(varint());
      yield { no, wire, value: buf.subarray(at, at + length) };
      at += length;
    } else if (wire === 5) {
      yield { no, wire, value: buf.subarray(at, at + 4) };
      at += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
}

const bytesOf = (f: Field) => f.value as Buffer;

function anyValue(buf: Buffer): unknown {
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        return bytesOf(f).toString('utf8');
      case 2:
        return f.value === 1n;
      case 3:
        return Number(BigInt.asIntN(64, f.value as bigint));
      case 4:
        return bytesOf(f).readDoubleLE(0);
      case 5:
        return [...fields(bytesOf(f))].filter((v) => v.no === 1).map((v) => anyValue(bytesOf(v)));
      case 7:
        return bytesOf(f).toString('hex');
    }
  }
  return null;
}

function keyValue(buf: Buffer): [string, unknown] {
  let key = '';
  let value: unknown = null;
  for (const f of fields(buf)) {
    if (f.no === 1) key = bytesOf(f).toString('utf8');
    else if (f.no === 2) value = anyValue(bytesOf(f));
  }
  return [key, value];
}

function protoSpan(buf: Buffer, resource: Record<string, unknown>): ReceivedSpan {
  const span: ReceivedSpan = {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    attributes: {},
    events: [],
    links: [],
    statusCode: 0,
    startMs: 0,
    resource,
  };
  for (const f of fields(buf)) {
    const b = f.wire === 0 ? Buffer.alloc(0) : bytesOf(f);
    switch (f.no) {
      case 1:
        span.traceId = b.toString('hex');
        break;
      case 2:
        span.spanId = b.toString('hex');
        break;
      case 4:
        span.parentSpanId = b.toString('hex');
        break;
      case 5:
        span.name = b.toString('utf8');
        break;
      case 6:
        span.kind = Number(f.value);
        break;
      case 7:
        span.startMs = Number(b.readBigUInt64LE(0) / 1_000_000n);
        break;
      case 9: {
        const [k, v] = keyValue(b);
        span.attributes[k] = v;
        break;
      }
      case 11: {
        const event = { name: '', attributes: {} as Record<string, unknown> };
        for (const e of fields(b)) {
          if (e.no === 2) event.name = bytesOf(e).toString('utf8');
          if (e.no === 3) {
            const [k, v] = keyValue(bytesOf(e));
            event.attributes[k] = v;
          }
        }
        span.events.push(event);
        break;
      }
      case 13: {
        const link = { traceId: '', spanId: '' };
        for (const l of fields(b)) {
          if (l.no === 1) link.traceId = bytesOf(l).toString('hex');
          if (l.no === 2) link.spanId = bytesOf(l).toString('hex');
        }
        span.links.push(link);
        break;
      }
      case 15:
        for (const s of fields(b)) if (s.no === 3) span.statusCode = Number(s.value);
        break;
    }
  }
  return span;
}

/** ExportTraceServiceRequest -> ResourceSpans -> ScopeSpans -> Span. */
export function decodeProtobuf(body: Buffer): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const rs of fields(body)) {
    if (rs.no !== 1) continue;
    const resource: Record<string, unknown> = {};
    const scopes: Buffer[] = [];
    for (const f of fields(bytesOf(rs))) {
      if (f.no === 1) {
        for (const a of fields(bytesOf(f))) {
          if (a.no !== 1) continue;
          const [k, v] = keyValue(bytesOf(a));
          resource[k] = v;
        }
      } else if (f.no === 2) scopes.push(bytesOf(f));
    }
    for (const scope of scopes) {
      for (const f of fields(scope)) if (f.no === 2) spans.push(protoSpan(bytesOf(f), resource));
    }
  }
  return spans;
}

// ---------------------------------------------------------------- JSON

type JsonAny = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonAny[] };
};
type JsonKv = { key: string; value: JsonAny };

function jsonValue(v: JsonAny): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(jsonValue);
  return null;
}

const jsonAttributes = (kvs: JsonKv[] | undefined) =>
  Object.fromEntries((kvs ?? []).map((kv) => [kv.key, jsonValue(kv.value)]));

export function decodeJson(body: Buffer): ReceivedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans?: {
      resource?: { attributes?: JsonKv[] };
      scopeSpans?: {
        spans?: {
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          name: string;
          kind: number;
          startTimeUnixNano?: string | number;
          attributes?: JsonKv[];
          events?: { name: string; attributes?: JsonKv[] }[];
          links?: { traceId: string; spanId: string }[];
          status?: { code?: number };
        }[];
      }[];
    }[];
  };
  const spans: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = jsonAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          attributes: jsonAttributes(s.attributes),
          events: (s.events ?? []).map((e) => ({ name: e.name, attributes: jsonAttributes(e.attributes) })),
          links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
          statusCode: s.status?.code ?? 0,
          startMs:
            typeof s.startTimeUnixNano === 'string' || typeof s.startTimeUnixNano === 'number'
              ? Number(BigInt(s.startTimeUnixNano) / 1_000_000n)
              : 0,
          resource,
        });
      }
    }
  }
  return spans;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces') {
        res.writeHead(404).end();
        return;
      }
      const type = req.headers['content-type'] ?? '';
      contentTypes.push(type);
      const body = Buffer.concat(chunks);
      spans.push(...(type.includes('json') ? decodeJson(body) : decodeProtobuf(body)));
      res.writeHead(200, { 'content-type': type.includes('json') ? 'application/json' : type });
      res.end(type.includes('json') ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    contentTypes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
