/**
 * GraphQL Mesh Compose configuration of the overhead scenario's Mesh peer: searchDB's OpenAPI
 * description (mavi-searchdb.openapi.json) as one subgraph, the caller's Authorization header
 * forwarded to MAVI. `mesh-compose -c bench/lib/peers/mesh.config.ts -o <supergraph>` composes
 * it (procs.ts startMeshGateway), Hive Gateway serves the result. BENCH_UPSTREAM is MAVI's
 * origin, written into the supergraph as the subgraph's endpoint.
 */
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('MAVI', {
        source: new URL('./mavi-searchdb.openapi.json', import.meta.url).pathname,
        endpoint: process.env.BENCH_UPSTREAM ?? 'http://127.0.0.1:4010',
        operationHeaders: { authorization: '{context.headers.authorization}' },
      }),
    },
  ],
});
