/**
 * Peers of the overhead scenario: graphql-yoga with its defaults on node:http, with
 * @envelop/graphql-jit (BENCH_JIT=1; the plugin the gateway uses, with its defaults: every
 * document compiled) or without. The schema and resolver are the shared hand-written ones
 * (listing.ts); no other plugin. PORT, BENCH_UPSTREAM.
 */
import { createServer } from 'node:http';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga } from 'graphql-yoga';
import { type PeerContext, PORT, peerSchema } from './listing.js';

const yoga = createYoga({
  schema: peerSchema(),
  logging: false,
  landingPage: false,
  graphiql: false,
  plugins: process.env.BENCH_JIT === '1' ? [useGraphQlJit()] : [],
  context: ({ request }): PeerContext => ({ authorization: request.headers.get('authorization') ?? '' }),
});

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.end('ok');
    return;
  }
  void yoga(req, res);
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
