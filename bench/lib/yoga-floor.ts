/**
 * The floor for any graphql-yoga server on this machine: yoga with its defaults and no
 * plugins, the gateway's own schema (schema.graphql, the checked-in SDL) with two resolvers
 * and no upstream at all: `Query.videos` answers 20 videos from static data, and
 * `Subscription.videoStatusChanged` waits for `POST /notify?topic=<videoNo>` (its body is the
 * event's video) and completes after it (`GET /waiting` counts them). No loaders, limits, telemetry or polling. What this
 * costs per request or per open subscription, the gateway cannot go below while it is built on
 * yoga and graphql-js. PORT is where to listen.
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

/** Subscribers waiting for a notification, by topic (a videoNo). */
const waiting = new Map<string, Set<(video: unknown) => void>>();

async function* statusChanges(videoNos: readonly string[]) {
  const topic = videoNos[0] ?? '';
  const video = await new Promise<unknown>((resolve) => {
    const set = waiting.get(topic) ?? new Set();
    waiting.set(topic, set);
    set.add(resolve);
  });
  yield {
    videoStatusChanged: {
      __typename: 'SubscriptionVideoStatusChangedSuccess',
      data: { previousStatus: 'UNPARSE', video },
    },
  };
}

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
      Subscription: {
        videoStatusChanged: {
          subscribe: (_root: unknown, args: { videoNos?: string[] | null }) =>
            statusChanges(args.videoNos ?? []),
        },
      },
    },
  }),
});

const server = createServer((req, res) => {
  if (req.url === '/waiting') {
    let count = 0;
    for (const set of waiting.values()) count += set.size;
    res.end(String(count));
    return;
  }
  if (!req.url?.startsWith('/notify')) {
    void yoga(req, res);
    return;
  }
  const topic = new URL(req.url, 'http://floor').searchParams.get('topic') ?? '';
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => {
    body += chunk;
  });
  req.on('end', () => {
    const subscribers = waiting.get(topic) ?? new Set();
    waiting.delete(topic);
    for (const notify of subscribers) notify(JSON.parse(body));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ delivered: subscribers.size }));
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
