/**
 * 4. Uploads: 1 GiB as a GraphQL multipart upload through the gateway (which streams it on to
 * MAVI's upload endpoint) against the same file sent straight to the simulator's upload
 * endpoint. Throughput from the first byte sent to the answer read; the gateway's resident
 * memory sampled every 10 ms (and its kernel high-water mark, reset before each upload).
 */
import { upload } from './lib/client.js';
import { resetPeak, sampleRss, startGateway, startSimulatorProcess } from './lib/procs.js';
import type { BenchAccount } from './lib/sim-protocol.js';
import { MiB, round, sleep } from './lib/stats.js';
import { figure, type Scenario } from './lib/types.js';

export const uploads: Scenario = {
  name: 'uploads',
  title: 'Uploads: 1 GiB through the gateway against straight to MAVI',
  async run(ctx) {
    const bytes = ctx.smoke ? 8 * MiB : 1024 * MiB;
    const rounds = ctx.smoke ? 1 : Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3);
    const sim = await startSimulatorProcess(ctx, 'uploads-sim', { parseDelayMs: 1000 });
    const [account] = await sim.command<BenchAccount[]>({
      cmd: 'accounts',
      count: 1,
      seed: false,
      videos: 0,
      status: 'PARSE',
    });
    if (!account) throw new Error('no account');
    // Uploads count against MAVI's 10/min: governed, three rounds would be a rate-limit test.
    const gateway = await startGateway(ctx, 'uploads-gateway', sim.origin, { MAVI_GOVERNOR: 'false' });

    const direct: number[] = [];
    const through: number[] = [];
    const growth: number[] = [];
    const simGrowth: number[] = [];
    /** CPU seconds per GiB of the simulator, the bench and the gateway, per mode. */
    const cpu = { direct: { sim: 0, bench: 0 }, through: { sim: 0, bench: 0, gateway: 0 } };
    const benchCpu = () => {
      const usage = process.cpuUsage();
      return (usage.user + usage.system) / 1000;
    };
    let before = 0;
    for (let i = 0; i < rounds; i++) {
      ctx.log(`uploads: round ${i + 1}/${rounds}, ${bytes / MiB} MiB straight to the simulator`);
      const simBefore = sim.stats().rssBytes;
      resetPeak(sim.pid);
      const simRss = sampleRss(sim.pid);
      let simCpu = sim.stats().cpuMs;
      let bench = benchCpu();
      const straight = await upload(`${sim.origin}/api/serve/video/upload`, account.apiKey, bytes, {
        graphql: false,
      });
      cpu.direct.sim += sim.stats().cpuMs - simCpu;
      cpu.direct.bench += benchCpu() - bench;
      simGrowth.push(Math.max(simRss.stop(), sim.stats().hwmBytes) - simBefore);
      if (straight.status !== 200 || !straight.body.includes('"0000"')) {
        throw new Error(`the direct upload failed: ${straight.status} ${straight.body.slice(0, 300)}`);
      }
      direct.push(bytes / MiB / (straight.ms / 1000));

      ctx.log(`uploads: round ${i + 1}/${rounds}, ${bytes / MiB} MiB through the gateway`);
      await sleep(ctx.smoke ? 100 : 1000);
      before = gateway.stats().rssBytes;
      resetPeak(gateway.pid);
      const rss = sampleRss(gateway.pid);
      simCpu = sim.stats().cpuMs;
      bench = benchCpu();
      const gatewayCpu = gateway.stats().cpuMs;
      const viaGateway = await upload(`${gateway.origin}/graphql`, account.apiKey, bytes, { graphql: true });
      cpu.through.sim += sim.stats().cpuMs - simCpu;
      cpu.through.bench += benchCpu() - bench;
      cpu.through.gateway += gateway.stats().cpuMs - gatewayCpu;
      const peak = Math.max(rss.stop(), gateway.stats().hwmBytes);
      if (viaGateway.status !== 200 || !viaGateway.body.includes('MutationUploadVideoSuccess')) {
        throw new Error(
          `the upload through the gateway failed: ${viaGateway.status} ${viaGateway.body.slice(0, 300)}`,
        );
      }
      through.push(bytes / MiB / (viaGateway.ms / 1000));
      growth.push(peak - before);
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
    const check = (met: boolean, text: string) => (ctx.smoke ? undefined : { text, met });
    const rate = median(through);
    const baseRate = median(direct);
    const peakGrowth = Math.max(...growth) / MiB;
    const perGiB = (ms: number) => round(ms / 1000 / rounds / (bytes / 1024 / MiB), 2);
    return {
      figures: [
        figure(
          `throughput, ${bytes / MiB} MiB through the gateway (median of ${rounds})`,
          rate,
          'MiB/s',
          { label: 'straight to the simulator', value: baseRate },
          check(rate >= 0.8 * baseRate, '≥ 0.8x'),
        ),
        figure(
          'gateway peak resident memory growth during an upload (worst round)',
          peakGrowth,
          'MiB',
          { label: "simulator's growth receiving it directly", value: Math.max(...simGrowth) / MiB },
          check(peakGrowth <= 64, '≤ 64 MiB'),
        ),
      ],
      notes: [
        `${rounds} rounds of one ${bytes / MiB} MiB file (Content-Length declared, written 1 MiB at a time by the bench), alternating straight to the simulator's /api/serve/video/upload and through the gateway's GraphQL multipart uploadVideo; the gateway with MAVI_GOVERNOR=false (uploads are 10/min per credential), otherwise defaults, on a core of its own; the simulator (which counts the bytes and drops them) and the bench share the other.`,
        `Throughput per round, MiB/s: through the gateway ${through.map((v) => round(v, 0)).join(', ')}; straight ${direct.map((v) => round(v, 0)).join(', ')}.`,
        `CPU seconds per GiB, straight: simulator ${perGiB(cpu.direct.sim)}, bench ${perGiB(cpu.direct.bench)}; through the gateway: gateway ${perGiB(cpu.through.gateway)}, simulator ${perGiB(cpu.through.sim)}, bench ${perGiB(cpu.through.bench)} (the bench's figure includes its RSS sampling).`,
        `Gateway RSS before the last upload ${round(before / MiB, 1)} MiB; growth per round ${growth.map((g) => round(g / MiB, 1)).join(', ')} MiB (largest of 10 ms samples and the kernel's VmHWM after a clear_refs reset).`,
      ],
    };
  },
};
