/**
 * Peer of the overhead scenario: Mercurius on fastify, as its documentation sets it up for
 * speed: its LRU of parsed and validated documents (on by default) and graphql-jit for a
 * document seen once before (`jit: 1`; the default 0 never compiles). The schema and resolver
 * are the shared hand-written ones (listing.ts). PORT, BENCH_UPSTREAM.
 */
import Fastify from 'fastify';
import mercurius from 'mercurius';
import { type PeerContext, PORT, peerSchema } from './listing.js';

const app = Fastify({ logger: false });
await app.register(mercurius, {
  schema: peerSchema(),
  jit: 1,
  graphiql: false,
  context: (request): PeerContext => ({ authorization: request.headers.authorization ?? '' }),
});
app.get('/health', async () => 'ok');
await app.listen({ port: PORT, host: '127.0.0.1' });
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
