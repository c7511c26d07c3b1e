/**
 * `npm run simulator`: a standalone simulator for GraphiQL sessions and tests in other
 * processes (driven through /__sim/). PORT (default 4010) and HOST (default 127.0.0.1) choose
 * where it listens.
 */
import { DEMO_API_KEY, startSimulator } from './index.js';

const port = Number(process.env.PORT ?? 4010);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`PORT must be an integer from 0 to 65535; received ${JSON.stringify(process.env.PORT)}`);
  process.exit(1);
}

const simulator = await startSimulator({ port, host: process.env.HOST ?? '127.0.0.1' });
console.log(`MAVI v1.0 simulator listening on ${simulator.url}`);
console.log(`demo API key: ${DEMO_API_KEY}`);

let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: closing the simulator`);
  void simulator.close().then(() => {
    process.exitCode = 0;
  });
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
