import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createServices } from './services.js';
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
  const logger = createLogger(config.logLevel);

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
  const url = `http://localhost:${config.port}/graphql`;
  if (simulator) {
    console.log(
      `MAVI gateway at ${url} (GraphiQL), upstream: the embedded MAVI simulator at ${simulator.url}.\n` +
        `Demo credential for GraphiQL's Headers tab: {"Authorization": "${DEMO_API_KEY}"}`,
    );
  } else {
    console.log(`MAVI gateway at ${url}, upstream: ${maviBaseUrl}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: no new connections');
    const deadline = setTimeout(() => {
      logger.warn('grace period over: closing the connections still open');
      server.closeAllConnections();
    }, config.shutdownGraceMs);
    deadline.unref();
    // Stop accepting; idle keep-alive connections go now, busy ones when their request ends.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    // Watch-type subscriptions complete; requests and chat streams in flight carry on.
    services.beginShutdown();
    await websocket.close(config.shutdownGraceMs);
    await closed;
    clearInterval(idleSweep);
    clearTimeout(deadline);
    await services.close();
    await simulator?.close();
    logger.info('shutdown complete');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error) => {
  console.error('The gateway failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
