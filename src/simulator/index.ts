/**
 * The embedded MAVI v1.0 simulator: `startSimulator()` gives a listening server that speaks
 * the upstream contract (../../shared/mavi-api/v1.0.md) with its quirks, records the calls it
 * receives and misbehaves on request (faults). See types.ts for the surface.
 */
import { SimulatorServer } from './server.js';
import type { Simulator, SimulatorOptions } from './types.js';

export { DEMO_API_KEY } from './ids.js';
export type * from './types.js';

/** Starts a simulator; it is listening when the promise resolves. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new SimulatorServer(opts);
  await simulator.listen();
  return simulator;
}
