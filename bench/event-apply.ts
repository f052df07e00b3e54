/**
 * Events benchmark: a day of simulated state-change events (duplicates included) applied in one batch
 * at the reference Describe and ListTags rates, alone and while a full snapshot of the same account
 * and region runs. Prints events and jobs per minute against the bound those rates impose on the
 * share of them the batch has (`SM_INVENTORY_RATE_SHARE`), and the throttles the simulator answered.
 *
 *   npx tsx bench/event-apply.ts                        # 2,000 jobs, 300 new a day, the reference limits
 *   npx tsx bench/event-apply.ts --jobs 5000 --new 600
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runChangeBatch } from '../lambda/core/events/change-batch';
import { readConfig } from '../lambda/core/pipeline/config';
import { runSnapshot } from '../lambda/core/pipeline/snapshot';
import { REFERENCE_LIMITS, SageMakerSimulator } from '../simulator/server';
import { TIME } from '../simulator/world/job-generator';
import { BENCH_CREDENTIALS } from './support/target-runner';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values } = parseArgs({ options: { jobs: { type: 'string', default: '2000' }, new: { type: 'string', default: '300' } } });
const LIMITS = Object.entries(REFERENCE_LIMITS)
  .map(([operation, rate]) => `${operation}=${rate}`)
  .join(',');

function configFor(out: string, share: number) {
  return readConfig({
    SM_INVENTORY_REGIONS: 'us-east-1',
    SM_INVENTORY_OUTPUT: out,
    SM_INVENTORY_LIMITS: LIMITS,
    SM_INVENTORY_CONCURRENCY: '8',
    SM_INVENTORY_RATE_SHARE: String(share),
  });
}

async function main(): Promise<void> {
  const simulator = new SageMakerSimulator({
    jobsPerRegion: Number(values.jobs),
    seed: 7,
    limits: { ...REFERENCE_LIMITS },
    latencyMs: [20, 60],
  });
  process.env.AWS_ENDPOINT_URL = await simulator.start();
  simulator.world.recordStateChangeEvents();
  simulator.world.advance(TIME.DAY, { newJobsPerDay: Number(values.new) });
  const events = simulator.world.takeStateChangeEvents();
  const jobs = new Set(events.map((event) => event.detail.TrainingJobArn)).size;
  console.log(`${events.length} events of ${jobs} jobs; limits ${LIMITS}; each job costs one DescribeTrainingJob and one ListTags`);
  for (const [label, share, withSnapshot] of [
    ['alone, rate share 1', 1, false],
    ['alone, rate share 0.5', 0.5, false],
    ['beside a full snapshot, each at rate share 0.5', 0.5, true],
  ] as const) {
    simulator.resetStats();
    const out = mkdtempSync(join(tmpdir(), 'bench-events-'));
    // The snapshot runs for as long as the batch does, then is stopped: only the overlap is measured.
    const stop = new AbortController();
    const snapshot = withSnapshot
      ? runSnapshot(configFor(out, 0.5), { snapshotDate: '2026-11-02', full: true, credentials: BENCH_CREDENTIALS, signal: stop.signal })
      : undefined;
    const started = performance.now();
    const report = await runChangeBatch(configFor(out, share), events, { credentials: BENCH_CREDENTIALS });
    const wallS = (performance.now() - started) / 1000;
    stop.abort();
    await snapshot?.catch(() => undefined);
    const boundS = jobs / (Math.min(REFERENCE_LIMITS.DescribeTrainingJob!, REFERENCE_LIMITS.ListTags!) * share);
    const applied = report.outcomes.filter((outcome) => outcome.kind === 'applied').length;
    const throttled = Object.values(simulator.stats()).reduce((sum, op) => sum + op.throttled, 0);
    console.log(
      `${label}: ${applied} of ${events.length} events applied in ${wallS.toFixed(1)} s = ${((applied / wallS) * 60).toFixed(0)} events/min, ` +
        `${((report.jobsWritten / wallS) * 60).toFixed(0)} jobs/min; bound ${boundS.toFixed(1)} s = ${((applied / boundS) * 60).toFixed(0)} events/min ` +
        `(ratio ${(wallS / boundS).toFixed(3)}); ${throttled} calls throttled`,
    );
  }
  await simulator.stop();
}

void main();
