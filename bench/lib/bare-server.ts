/**
 * The floor for any JavaScript forwarder, in a process of its own: node:http and nothing
 * else. BENCH_UPSTREAM is MAVI's (the simulator's) origin; PORT where to listen.
 *
 * - `POST /graphql`: reads and drops the body, makes the one searchDB call that
 *   `videos(first: 20)` makes (same query string, the caller's Authorization), and pipes
 *   MAVI's JSON back. A keep-alive agent, as the gateway has.
 * - `POST /sse?topic=T`: holds a text/event-stream open.
 * - `POST /notify?topic=T`: writes one event to every stream of T and ends them.
 * Together these are the floor for subscription fan-out: connections held, events written.
 */
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.env.BENCH_UPSTREAM ?? 'http://127.0.0.1:4010');
const port = Number(process.env.PORT ?? 0);
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const streams = new Map<string, Set<import('node:http').ServerResponse>>();

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://bare');
  if (url.pathname === '/graphql') {
    req.resume();
    req.on('end', () => {
      const query = `page=1&pageSize=20&endTime=${Date.now()}`;
      const out = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: `/api/serve/video/searchDB?${query}`,
          method: 'GET',
          agent,
          headers: { authorization: req.headers.authorization ?? '', accept: 'application/json' },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
          answer.pipe(res);
        },
      );
      out.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      out.end();
    });
    return;
  }
  const topic = url.searchParams.get('topic') ?? '';
  if (url.pathname === '/sse') {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(':\n\n');
    const set = streams.get(topic) ?? new Set();
    streams.set(topic, set);
    set.add(res);
    res.on('close', () => {
      set.delete(res);
      if (set.size === 0 && streams.get(topic) === set) streams.delete(topic);
    });
    return;
  }
  if (url.pathname === '/notify') {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      const set = streams.get(topic);
      let delivered = 0;
      for (const stream of set ?? []) {
        stream.end(`event: next\ndata: ${body}\n\nevent: complete\ndata:\n\n`);
        delivered += 1;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ delivered }));
    });
    return;
  }
  if (url.pathname === '/health') {
    res.end('ok');
    return;
  }
  res.writeHead(404);
  res.end();
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`bare server on ${typeof address === 'object' && address ? address.port : port}`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
