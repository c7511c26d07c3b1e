import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createLogDestination } from './log-destination.js';
import { createLogger, routeConsoleToLogger } from './logger.js';
import { createServices } from './services.js';
import { shutdownOnSignals } from './shutdown.js';
import { DEMO_API_KEY, startSimulator } from './simulator/index.js';
import { attachWebSocket } from './websocket.js';
import { createYoga } from './yoga.js';

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
  const logger = createLogger(config.logLevel, log);

  const simulator = config.maviBaseUrl
    ? null
    : await startSimulator({ port: config.simulatorPort, parseDelayMs: config.simulatorParseDelayMs });
  const maviBaseUrl = config.maviBaseUrl ?? (simulator as NonNullable<typeof simulator>).url;

  const services = createServices(config, { maviBaseUrl, logger });
  const yoga = createYoga(services, simulator ? { graphiqlHeaders: { Authorization: DEMO_API_KEY } } : {});
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
    gateway: services,
    simulator,
    logger,
    log,
    graceMs: config.shutdownGraceMs,
  });
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
