import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { type Context, createContextFactory, type Services } from './context.js';
import { graphiqlTabs } from './graphiql.js';
import { createLogger } from './logger.js';
import { type AttemptReport, MaviTransport } from './mavi/transport.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useStreamingUploads } from './plugins/use-streaming-uploads.js';
import { schema } from './schema/index.js';

export interface GatewayOptions {
  config: Config;
  /** MAVI's origin: the configured one, or the embedded simulator's. */
  maviBaseUrl: string;
  logger?: Logger;
  /** Headers GraphiQL opens with (the demo credential when running on the simulator). */
  graphiqlHeaders?: Record<string, string>;
  /** Observes every upstream attempt (metrics, tests). */
  onUpstreamAttempt?: (attempt: AttemptReport) => void;
}

export interface Gateway {
  yoga: YogaServerInstance<Record<string, unknown>, Context>;
  services: Services;
  /** Releases what the gateway holds (pollers, Redis); the HTTP server is the caller's. */
  close(): Promise<void>;
}

/** Most files in one multipart request; uploadVideo takes one, a batch a few. */
const MAX_FILES = 10;
/** Largest `operations`/`map` multipart field. */
const MAX_MULTIPART_FIELD_BYTES = 1024 * 1024;
/** Largest non-upload request body. A big query document is a few tens of KiB. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the gateway: services, context per request, and yoga with its plugins. */
export function createGateway(opts: GatewayOptions): Gateway {
  const { config } = opts;
  const logger = opts.logger ?? createLogger(config.logLevel);
  const transport = new MaviTransport({
    baseUrl: opts.maviBaseUrl,
    timeoutMs: config.timeoutMs,
    onAttempt: opts.onUpstreamAttempt,
  });
  const services: Services = { config, logger, transport };

  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: createContextFactory(services) as never,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Unexpected errors become "Unexpected error." with no original message or stack, even
    // when NODE_ENV=development (yoga's dev mode would echo them, credentials included).
    maskedErrors: { isDev: false },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) => logger.error(args.map(String).join(' ')),
    },
    cors:
      config.corsOrigins === null
        ? false
        : { origin: config.corsOrigins === '*' ? '*' : config.corsOrigins, credentials: false },
    graphiql: config.graphiql
      ? {
          title: 'MAVI GraphQL gateway',
          defaultTabs: graphiqlTabs(opts.graphiqlHeaders ?? { Authorization: '<your MAVI API key>' }, false),
          subscriptionsProtocol: 'SSE',
        }
      : false,
    renderGraphiQL,
    // Replaced by useBodyLimit (queries) and the upload parser (files): one cap cannot fit both.
    maxRequestBodySize: false,
    plugins: [
      useBodyLimit(MAX_BODY_BYTES),
      useStreamingUploads({
        maxFileBytes: config.maxUploadBytes,
        maxFiles: MAX_FILES,
        maxFieldBytes: MAX_MULTIPART_FIELD_BYTES,
      }),
    ],
  });

  return {
    yoga,
    services,
    close: async () => {},
  };
}
