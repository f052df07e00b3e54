/**
 * One snapshot of one (account, region) in a process of its own, so its peak RSS is the snapshot's
 * alone (the simulator runs in yet another). Prints one JSON line: the run's figures, its peak RSS, and
 * the peak by the time every job was in (before the merge and publish).
 *
 *   node --import tsx bench/support/daily-snapshot-child.ts <endpoint> <warehouse> <date> <scale>
 */
import { LocalStore } from '../../lambda/core/publish/local-store';
import { REFERENCE_LIMITS } from '../../simulator/server';
import { runTarget, scaledLimits } from './target-runner';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** What the process held, by kind, in the sample of process.memoryUsage() with the largest RSS (MiB). */
interface MemoryAtPeak {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  /** Array buffers and wasm memory, outside V8's heap. */
  external: number;
}

const mib = (bytes: number) => Math.round(bytes / 1024 / 1024);

/** Samples process.memoryUsage() every 20 ms, keeping the sample with the largest RSS. */
function sampleMemory(): { stop(): MemoryAtPeak } {
  let peak: MemoryAtPeak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 };
  let peakRss = 0;
  const sample = () => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    if (rss <= peakRss) return;
    peakRss = rss;
    peak = { rss: mib(rss), heapUsed: mib(heapUsed), heapTotal: mib(heapTotal), external: mib(external) };
  };
  const timer = setInterval(sample, 20);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

async function main(): Promise<void> {
  const [endpoint, warehouse, snapshotDate, scale] = process.argv.slice(2);
  let peakRssBeforeMergeMiB: number | undefined;
  const sampler = sampleMemory();
  const run = await runTarget({
    endpoint,
    store: new LocalStore(warehouse),
    snapshotDate,
    limits: scaledLimits(REFERENCE_LIMITS, Number(scale)),
    onPublishing: () => (peakRssBeforeMergeMiB = process.resourceUsage().maxRSS / 1024),
  });
  process.stdout.write(
    `${JSON.stringify({
      mode: run.result.mode,
      written: run.result.jobsWritten,
      described: run.result.jobsDescribed,
      carried: run.result.jobsCarried,
      calls: run.calls,
      operations: run.operations,
      wallS: run.wallS,
      mergePublishS: run.mergePublishS,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      peakRssBeforeMergeMiB,
      memoryAtPeak: sampler.stop(),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
