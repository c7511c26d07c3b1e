/**
 * Peer of the overhead scenario: graphql-jit on raw node:http, the least a GraphQL server can
 * do per request. `POST /graphql` with a JSON body; each distinct document is parsed,
 * validated and compiled once (kept in a bounded map), then every request runs the compiled
 * function and its generated serializer. No plugins, no fetch-API adaptation, no masking.
 * The resolver is the shared hand-written one (listing.ts). PORT, BENCH_UPSTREAM.
 */
import { createServer, type ServerResponse } from 'node:http';
import { type ExecutionResult, GraphQLError, parse, validate } from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { type PeerContext, PORT, peerSchema } from './listing.js';

const schema = peerSchema();
/** Documents compiled so far; a client sending endless distinct documents cannot grow it past this. */
const MAX_COMPILED = 1000;
const MAX_BODY = 100_000;
const compiled = new Map<string, CompiledQuery | ExecutionResult>();

function compile(query: string, operationName: string | undefined): CompiledQuery | ExecutionResult {
  const key = `${operationName ?? ''}\n${query}`;
  const known = compiled.get(key);
  if (known) return known;
  let result: CompiledQuery | ExecutionResult;
  try {
    const document = parse(query);
    const errors = validate(schema, document);
    result = errors.length > 0 ? { errors } : compileQuery(schema, document, operationName);
  } catch (error) {
    result = { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
  }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(key, result);
  return result;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'application/graphql-response+json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.end('ok');
    return;
  }
  if (req.url !== '/graphql' || req.method !== 'POST') {
    res.writeHead(404);
    res.end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY) {
      send(res, 413, JSON.stringify({ errors: [{ message: `body over ${MAX_BODY} bytes` }] }));
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', async () => {
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      send(res, 400, JSON.stringify({ errors: [{ message: 'the body is not JSON' }] }));
      return;
    }
    if (typeof body.query !== 'string') {
      send(res, 400, JSON.stringify({ errors: [{ message: 'query must be a string' }] }));
      return;
    }
    const query = compile(
      body.query,
      typeof body.operationName === 'string' ? body.operationName : undefined,
    );
    if (!isCompiledQuery(query)) {
      send(res, 400, JSON.stringify(query));
      return;
    }
    const context: PeerContext = { authorization: req.headers.authorization ?? '' };
    const result = await query.query(undefined, context, (body.variables ?? {}) as Record<string, unknown>);
    send(res, 200, query.stringify(result));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
