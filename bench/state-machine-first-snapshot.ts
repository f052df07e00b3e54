/**
 * A first snapshot of N jobs through the state machine: its definition, rendered from the CDK construct
 * as `cdk synth` writes it, run by aws-local-stepfunctions with the Lambda tasks bound to the real
 * handler in this process, against the simulator (in its own process) into a local warehouse.
 *
 * Scaling: every rate limit is the reference limit x--scale, and so is the Lambda's budget: each
 * invocation is told it has 30 s + 870 s / scale left (a 15-minute timeout less the 30 s the function
 * keeps back, scaled), so it takes as many invocations as a 15-minute Lambda at the reference limits.
 *
 *   npx tsx bench/state-machine-first-snapshot.ts --jobs 100000 --scale 10
 */
import '../test/support/promise-with-resolvers';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SnapshotReader } from '../lambda/core/parquet/parquet-reader';
import { accountRegionObject, snapshotObjectPath } from '../lambda/core/publish/layout';
import { TRAINING_JOB_SCHEMA } from '../lambda/core/schema/table-schema';
import { REFERENCE_LIMITS } from '../simulator/server';
import { runLocally, type LambdaHandler } from '../test/stepfunctions/local-state-machine';
import { synthesizedDefinition } from '../test/stepfunctions/state-machine-definition';
import { startSimulatorProcess } from './support/simulator-client';
import { BENCH_ACCOUNT, BENCH_CREDENTIALS, BENCH_REGION, scaledLimits } from './support/target-runner';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    scale: { type: 'string', default: '10' },
    latency: { type: 'string', default: '20-60' },
  },
});
const jobs = Number(values.jobs);
const scale = Number(values.scale);
const [minLatency, maxLatency] = values.latency!.split('-').map(Number);
const LAMBDA_TIMEOUT_S = 900;
const KEPT_BACK_S = 30;
const SNAPSHOT_DATE = '2026-11-01';

async function main(): Promise<void> {
  const limits = scaledLimits(REFERENCE_LIMITS, scale);
  const simulator = await startSimulatorProcess({
    jobsPerRegion: jobs,
    seed: 5,
    historyDays: 730,
    limits: { ...limits },
    latencyMs: [minLatency, maxLatency],
  });
  const warehouse = mkdtempSync(join(tmpdir(), 'bench-state-machine-'));
  Object.assign(process.env, {
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL: simulator.endpoint,
    AWS_ACCESS_KEY_ID: BENCH_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: BENCH_CREDENTIALS.secretAccessKey,
    AWS_REGION: BENCH_REGION,
    SM_INVENTORY_REGIONS: BENCH_REGION,
    SM_INVENTORY_OUTPUT: warehouse,
    SM_INVENTORY_LIMITS: Object.entries(limits)
      .map(([operation, rate]) => `${operation}=${rate}`)
      .join(','),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // Loaded after its environment is set: the function reads it at cold start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only now, after the environment it reads at load
  const { handler } = require('../lambda/functions/snapshot/handler') as typeof import('../lambda/functions/snapshot/handler');
  const { asl } = synthesizedDefinition();
  const remainingMs = (KEPT_BACK_S + (LAMBDA_TIMEOUT_S - KEPT_BACK_S) / scale) * 1000;
  console.log(
    `N = ${jobs} jobs; limits = reference x${scale} (${Object.entries(limits)
      .map(([op, rate]) => `${op} ${rate}/s`)
      .join(', ')}); ` +
      `each invocation starts with ${(remainingMs / 1000).toFixed(1)} s left: ${KEPT_BACK_S} s kept back + ${LAMBDA_TIMEOUT_S - KEPT_BACK_S} s / ${scale} of work, the 15-minute Lambda scaled with the limits.`,
  );
  const started = performance.now();
  try {
    const run = await runLocally(asl, handler as LambdaHandler, { input: { snapshotDate: SNAPSHOT_DATE }, remainingMs });
    const wallS = (performance.now() - started) / 1000;
    if (run.failure) throw new Error(`the execution failed: ${run.failure.error}: ${run.failure.cause}`);
    const collects = run.invocations.filter((i) => i.state === 'Collect');
    for (const [index, invocation] of collects.entries()) {
      const answer = invocation.answer as {
        status: string;
        progress?: { jobsListed: number; jobsDescribed: number };
        outcome?: { jobsWritten: number };
      };
      console.log(
        `  invocation ${index + 1}: ${answer.status}` +
          (answer.progress
            ? `, ${answer.progress.jobsListed} listed, ${answer.progress.jobsDescribed} described so far`
            : `, ${answer.outcome?.jobsWritten} jobs published`),
      );
    }
    const path = join(warehouse, snapshotObjectPath(accountRegionObject(TRAINING_JOB_SCHEMA, SNAPSHOT_DATE, BENCH_REGION, BENCH_ACCOUNT)));
    const reader = await SnapshotReader.open(path, TRAINING_JOB_SCHEMA);
    const keys: string[] = [];
    for await (const group of reader.rowGroupsOf(['_key'])) for (const row of group) keys.push(String(row._key));
    reader.close();
    const inventory = await simulator.inventory(BENCH_ACCOUNT, BENCH_REGION);
    const published = new Set(keys);
    const missing = inventory.arns.filter((arn) => !published.has(arn)).length;
    const stats = await simulator.stats();
    const done = collects.filter((i) => (i.answer as { status: string }).status === 'done').length;
    console.log(
      `execution ${run.output && (run.output as { ok: boolean }).ok ? 'succeeded' : 'did not succeed'} in ${(wallS / 60).toFixed(1)} min (${((wallS * scale) / 3600).toFixed(2)} h at the reference limits); ` +
        `${collects.length} collect invocations, the target published by ${done} of them; ${keys.length} rows, ${published.size} distinct, ${missing} of ${inventory.jobs} jobs missing; ` +
        `DescribeTrainingJob answered ${stats.DescribeTrainingJob.accepted} times for ${inventory.jobs} jobs (a call cut off at an invocation's deadline is made again in the next)`,
    );
    if (missing > 0 || published.size !== keys.length || done !== 1) process.exitCode = 1;
  } finally {
    await simulator.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
