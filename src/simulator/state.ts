import type { CallbackSender } from './callbacks.js';
import type { Envelope } from './envelope.js';
import type { Exchange } from './exchange.js';
import type { FaultRegistry } from './faults.js';
import type { Library } from './library.js';
import type { RateLimiter } from './rate-limit.js';
import type { TranscriptionTasks } from './tasks.js';
import type { Timers } from './timers.js';
import type { SimulatorOptions } from './types.js';

export type ResolvedOptions = Required<SimulatorOptions>;

/** What the endpoint handlers share: one per simulator. */
export interface SimState {
  readonly options: ResolvedOptions;
  readonly library: Library;
  readonly timers: Timers;
  readonly callbacks: CallbackSender;
  readonly faults: FaultRegistry;
  readonly tasks: TranscriptionTasks;
  readonly limiter: RateLimiter;
}

/**
 * An endpoint. Runs after authentication (`ex.account` is set unless the endpoint needs none).
 * Returns the envelope to answer with, or undefined when it wrote the answer itself (upload,
 * chat); throws MaviError for business errors.
 */
export type Handler = (ex: Exchange, state: SimState) => Envelope | undefined | Promise<Envelope | undefined>;
