import type { MaviEndpoint, SimVideoStatus } from '../../src/simulator/index.js';

/** Commands the bench sends the simulator child over IPC (bench/lib/sim-child.ts). */
export type SimCommand =
  | {
      cmd: 'accounts';
      /** Accounts to create. */
      count: number;
      /** Give each the sample library (9 videos). */
      seed: boolean;
      /** Videos to add to each account, newest last. */
      videos: number;
      status: SimVideoStatus;
      /** The key of the (first) account created, to mirror an account of another simulator. */
      apiKey?: string;
    }
  | { cmd: 'resetCalls' }
  /** The simulator's event-loop delay since the last `lag` (p99 and max, ms). */
  | { cmd: 'lag' }
  | { cmd: 'counts' }
  /** videoNo -> the callback URL the simulator POSTed its status to (uploads through a gateway). */
  | { cmd: 'callbackUrls' };

export interface BenchAccount {
  apiKey: string;
  clientId: string;
  /** The videos added by the `accounts` command, in the order they were added. */
  videoNos: string[];
}

export interface CallCounts {
  byEndpoint: Partial<Record<MaviEndpoint, number>>;
  /** searchDB calls by their videoStatus filter (`none` when unfiltered): status polls ask for UNPARSE. */
  searchDBByStatus: Record<string, number>;
  total: number;
}

export type SimReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
