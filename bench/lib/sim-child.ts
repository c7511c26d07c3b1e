/**
 * The MAVI simulator in a process of its own, so its CPU and memory stay out of what is
 * measured in the gateway. Options come from BENCH_SIM (JSON SimulatorOptions); the bench
 * drives it over the IPC channel (sim-protocol.ts): bulk account set-up and call counts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type SimulatorOptions, startSimulator } from '../../src/simulator/index.js';
import type { BenchAccount, CallCounts, SimCommand } from './sim-protocol.js';

const options = JSON.parse(process.env.BENCH_SIM ?? '{}') as SimulatorOptions;
const sim = await startSimulator(options);
// The simulator's own event-loop delay, so a stall upstream is not blamed on the gateway.
const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();

function run(command: SimCommand): unknown {
  switch (command.cmd) {
    case 'accounts': {
      const accounts: BenchAccount[] = [];
      for (let i = 0; i < command.count; i++) {
        const account = sim.createAccount({
          seed: command.seed,
          ...(i === 0 && command.apiKey ? { apiKey: command.apiKey } : {}),
        });
        const videoNos: string[] = [];
        for (let j = 0; j < command.videos; j++) {
          videoNos.push(
            sim.addVideo(account.apiKey, { status: command.status, videoName: `bench_${i}_${j}.mp4` })
              .videoNo,
          );
        }
        accounts.push({ apiKey: account.apiKey, clientId: account.clientId, videoNos });
      }
      return accounts;
    }
    case 'resetCalls':
      sim.resetCalls();
      return null;
    case 'lag': {
      const result = { p99Ms: lag.percentile(99) / 1e6, maxMs: lag.max / 1e6 };
      lag.reset();
      return result;
    }
    case 'callbackUrls': {
      // The simulator calls back as soon as an upload arrives (UNPARSE), so every upload made
      // through a gateway shows here with the URL that gateway issued for it.
      const urls: Record<string, string> = {};
      for (const callback of sim.callbacks) {
        const videoNo = (callback.body as { videoNo?: unknown }).videoNo;
        if (typeof videoNo === 'string') urls[videoNo] = callback.url;
      }
      return urls;
    }
    case 'counts': {
      const counts: CallCounts = { byEndpoint: {}, searchDBByStatus: {}, total: sim.calls.length };
      for (const call of sim.calls) {
        counts.byEndpoint[call.endpoint] = (counts.byEndpoint[call.endpoint] ?? 0) + 1;
        if (call.endpoint === 'searchDB') {
          const status = call.query.videoStatus ?? 'none';
          counts.searchDBByStatus[status] = (counts.searchDBByStatus[status] ?? 0) + 1;
        }
      }
      return counts;
    }
  }
}

process.on('message', (message: { id: number } & SimCommand) => {
  try {
    process.send?.({ id: message.id, ok: true, result: run(message) });
  } catch (error) {
    process.send?.({ id: message.id, ok: false, error: (error as Error).message });
  }
});
process.once('SIGTERM', () => void sim.close().then(() => process.exit(0)));
// The bench went away without stopping us: do not linger.
process.once('disconnect', () => void sim.close().then(() => process.exit(0)));
process.send?.({ ready: sim.url });
