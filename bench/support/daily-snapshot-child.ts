/**
 * One snapshot of one (account, region) in a process of its own, so its peak RSS is the snapshot's
 * alone (the simulator runs in yet another). Prints one JSON line: the run's figures and peak RSS.
 *
 *   node --import tsx bench/support/daily-snapshot-child.ts <endpoint> <warehouse> <date> <scale>
 */
import { LocalStore } from '../../lambda/core/publish/local-store';
import { REFERENCE_LIMITS } from '../../simulator/server';
import { runTarget, scaledLimits } from './target-runner';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

async function main(): Promise<void> {
  const [endpoint, warehouse, snapshotDate, scale] = process.argv.slice(2);
  const run = await runTarget({
    endpoint,
    store: new LocalStore(warehouse),
    snapshotDate,
    limits: scaledLimits(REFERENCE_LIMITS, Number(scale)),
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
    })}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
