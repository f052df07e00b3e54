/**
 * Collector benchmark: N simulated jobs behind per-operation rate limits, snapshotted by the pipeline
 * (one advanceTarget invocation, full describe, into a local folder); prints wall time against the
 * lower bound those limits impose, calls per operation, throttles, and the simulator's peak accepted
 * rate per operation (never above the limit).
 *
 *   npx tsx bench/collect-throughput.ts --jobs 10000                 # the reference limits (~17 min)
 *   npx tsx bench/collect-throughput.ts --jobs 10000 --scale 10      # every limit x10 (~2 min)
 *   npx tsx bench/collect-throughput.ts --jobs 2000 --tag-strategy per-job
 *   npx tsx bench/collect-throughput.ts --jobs 2000 --scale 10 --throttle-rate 0.3   # a 30% throttling storm
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSourceClients } from '../lambda/core/aws/clients';
import type { ApiRateLimits } from '../lambda/core/collect/rate-limited-sender';
import { advanceTarget, settingsFingerprintOf } from '../lambda/core/pipeline/target-run';
import { LocalStore } from '../lambda/core/publish/local-store';
import { DEFAULT_REDACTION } from '../lambda/core/rows/redaction';
import { TrainingJobRowMapper } from '../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../lambda/core/schema/table-schema';
import { REFERENCE_LIMITS, SageMakerSimulator, type SimulatedOperation } from '../simulator/server';
import { scaledLimits } from './support/target-runner';
import { DEFAULT_GIVE_UP_LIMITS, DEFAULT_SHRINK_GUARD } from '../lambda/core/pipeline/config';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    scale: { type: 'string', default: '1' },
    'tag-strategy': { type: 'string', default: 'bulk' },
    latency: { type: 'string', default: '20-60' },
    'throttle-rate': { type: 'string', default: '0' },
  },
});
const jobs = Number(values.jobs);
const scale = Number(values.scale);
const strategy = values['tag-strategy'] as 'bulk' | 'per-job';
const [minLatency, maxLatency] = values.latency!.split('-').map(Number);

/** The collector's operations are the only ones this benchmark calls; the simulator enforces the same limits. */
const limits = scaledLimits(REFERENCE_LIMITS, scale);

async function main(): Promise<void> {
  const simulator = new SageMakerSimulator({
    jobsPerRegion: jobs,
    seed: 1,
    limits: { ...limits },
    latencyMs: [minLatency, maxLatency],
    faults: { throttle: Number(values['throttle-rate']) },
  });
  const endpoint = await simulator.start();
  const tagged = simulator.world
    .plans(SageMakerSimulator.defaultAccountId, 'us-east-1')
    .filter((p) => Object.keys(p.tags).length > 0).length;
  const clients = createSourceClients({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench' },
  });
  const store = new LocalStore(mkdtempSync(join(tmpdir(), 'bench-collect-')));

  const started = performance.now();
  const step = await advanceTarget(
    {
      store,
      clients,
      target: { accountId: SageMakerSimulator.defaultAccountId, region: 'us-east-1' },
      snapshotDate: '2026-11-01',
      schema: TRAINING_JOB_SCHEMA,
      config: {
        limits,
        concurrency: 16,
        tagStrategy: strategy,
        compression: 'zstd',
        rowGroupRows: 1000,
        fullEveryDays: 7,
        shrinkGuard: DEFAULT_SHRINK_GUARD,
        ...DEFAULT_GIVE_UP_LIMITS,
      },
      mapper: new TrainingJobRowMapper(),
      settingsFingerprint: settingsFingerprintOf(DEFAULT_REDACTION),
      holder: 'bench',
      full: true,
    },
    { softStopAt: Number.POSITIVE_INFINITY, deadline: Number.POSITIVE_INFINITY },
  );
  const wallS = (performance.now() - started) / 1000;
  if (step.status !== 'published') throw new Error(`the run did not publish: ${JSON.stringify(step)}`);
  const result = step.result;

  const needed: Partial<Record<SimulatedOperation, number>> = {
    ListTrainingJobs: Math.ceil(jobs / 100),
    DescribeTrainingJob: jobs,
    ...(strategy === 'bulk' ? { GetResources: Math.max(1, Math.ceil(tagged / 100)) } : { ListTags: jobs }),
  };
  const bounds = Object.entries(needed).map(([op, calls]) => [op, calls! / limits[op as keyof ApiRateLimits]] as const);
  const boundS = Math.max(...bounds.map(([, s]) => s));
  const operations = result.collect!.operations;
  const server = simulator.stats();

  console.log(
    `jobs ${jobs}, written ${result.jobsWritten}, tag strategy ${strategy}, limits x${scale}, latency ${minLatency}-${maxLatency} ms, throttle storm ${values['throttle-rate']}`,
  );
  console.log(
    `wall ${wallS.toFixed(1)} s, bound ${boundS.toFixed(1)} s (${bounds.map(([op, s]) => `${op} ${s.toFixed(1)} s`).join(', ')}), ratio ${(wallS / boundS).toFixed(3)}`,
  );
  console.log('operation             calls  throttled  retries  limit/s  peak accepted in 1 s');
  for (const [op, s] of Object.entries(operations)) {
    const peak = simulator.peakAccepted(op as SimulatedOperation);
    console.log(
      `${op.padEnd(20)} ${String(s.calls).padStart(6)} ${String(server[op as SimulatedOperation].throttled).padStart(10)} ${String(s.retries).padStart(8)} ${String(limits[op as keyof ApiRateLimits]).padStart(8)} ${String(peak).padStart(21)}`,
    );
  }
  console.log(
    `total calls ${Object.values(operations).reduce((sum, s) => sum + s.calls, 0)}, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  for (const client of Object.values(clients)) client.destroy();
  await simulator.stop();
  if (result.jobsWritten !== jobs) {
    console.error(`MISSING JOBS: expected ${jobs}, written ${result.jobsWritten}`);
    process.exitCode = 1;
  }
}

void main();
