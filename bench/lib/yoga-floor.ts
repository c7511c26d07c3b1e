/**
 * The floor for any graphql-yoga server on this machine: yoga with its defaults and no
 * plugins, the gateway's own schema (schema.graphql, the checked-in SDL) with one resolver,
 * `Query.videos`, answering 20 videos from static data: no upstream call, no loaders, no
 * limits, no telemetry. What this costs per request, the gateway cannot go below while it is
 * built on yoga and graphql-js. PORT is where to listen.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const uploadedAt = new Date().toISOString();
const nodes = Array.from({ length: 20 }, (_, i) => ({
  videoNo: `mavi_video_${100_000_000_000_000_000 + i}`,
  name: `bench_${i}.mp4`,
  status: 'PARSE',
  uploadedAt,
  durationSeconds: 60,
}));
const cursor = (i: number) =>
  Buffer.from(JSON.stringify({ o: i, w: 1_800_000_000_000 })).toString('base64url');

const yoga = createYoga({
  logging: false,
  landingPage: false,
  graphiql: false,
  schema: createSchema({
    typeDefs: readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'),
    resolvers: {
      Query: {
        videos: () => ({
          __typename: 'QueryVideosSuccess',
          data: {
            totalCount: 25,
            pageInfo: {
              hasNextPage: true,
              hasPreviousPage: false,
              startCursor: cursor(0),
              endCursor: cursor(19),
            },
            edges: nodes.map((node, i) => ({ cursor: cursor(i), node })),
          },
        }),
      },
    },
  }),
});

const server = createServer(yoga);
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
