import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { runPrimary, shareWorkerMetrics, workerListening, workerSetup } from './cluster.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogDestination } from './log-destination.js';
import { createLogger, routeConsoleToLogger } from './logger.js';
import { createServices } from './services.js';
import { shutdownOnSignals } from './shutdown.js';
import { DEMO_API_KEY, startSimulator } from './simulator/index.js';
import { startTracing } from './tracing.js';
import { attachWebSocket } from './websocket.js';
import { createYoga } from './yoga.js';

/** This package's version, for the traces' `service.version`. */
function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** Reads config, starts the gateway (and the simulator when MAVI_BASE_URL is unset), listens. */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogDestination();
  // A cluster's primary serves nothing: only the workers trace.
  const traced = config.tracing.enabled && !(config.workers > 1 && cluster.isPrimary);
  const logger = createLogger(config.logLevel, log, { traceIds: traced });

  if (config.workers > 1 && cluster.isPrimary) {
    await runPrimary(config, logger, log);
    return;
  }
  const tracing = traced ? await startTracing(config.tracing, packageVersion()) : null;
  // A worker of a cluster (src/cluster.ts) uses the primary's simulator, if it started one.
  const setup = cluster.isWorker ? await workerSetup() : null;
  const simulator =
    config.maviBaseUrl || setup
      ? null
      : await startSimulator({ port: config.simulatorPort, parseDelayMs: config.simulatorParseDelayMs });
  const simulatorUrl = simulator?.url ?? setup?.simulatorUrl ?? null;
  const maviBaseUrl = config.maviBaseUrl ?? (simulatorUrl as string);

  const services = createServices(config, { maviBaseUrl, logger });
  if (setup) shareWorkerMetrics(services.metrics);
  const yoga = createYoga(services, simulatorUrl ? { graphiqlHeaders: { Authorization: DEMO_API_KEY } } : {});
  const server = createServer(yoga);
  const websocket = attachWebSocket(server, yoga);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  // Before the start-up line: whoever waits for it may signal at once.
  shutdownOnSignals({
    server,
    websocket,
    gateway: {
      beginShutdown: services.beginShutdown,
      // Spans still batched are exported before the process exits.
      close: async () => {
        await services.close();
        await tracing?.shutdown().catch(() => {});
      },
    },
    simulator,
    logger,
    log,
    graceMs: config.shutdownGraceMs,
  });
  if (setup) {
    // The primary prints the start-up line once every worker listens.
    workerListening();
    routeConsoleToLogger(logger);
    return;
  }
  const url = `http://localhost:${config.port}/graphql`;
  if (simulator) {
    console.log(
      `MAVI gateway at ${url} (GraphiQL), upstream: the embedded MAVI simulator at ${simulator.url}.\n` +
        `Demo credential for GraphiQL's Headers tab: {"Authorization": "${DEMO_API_KEY}"}`,
    );
  } else {
    console.log(`MAVI gateway at ${url}, upstream: ${maviBaseUrl}`);
  }

  routeConsoleToLogger(logger);
}

main().catch((error) => {
  console.error('The gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
