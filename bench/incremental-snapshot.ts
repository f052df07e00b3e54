/**
 * Incremental-snapshot benchmark: N simulated jobs in one (account, region) behind the reference rate
 * limits times --scale. It takes a first snapshot, moves the simulated world a day on with about 1%
 * churn (new jobs, tag changes, deletions, running jobs moving on), takes the daily (incremental)
 * snapshot, then a describe-everything (`full`) snapshot of the same state under the same limits, and
 * prints API calls and wall time for each against the lower bound their calls impose at those limits.
 * The simulator runs in its own process (bench/support/simulator-process.ts).
 *
 *   npx tsx bench/incremental-snapshot.ts --jobs 1000
 *   npx tsx bench/incremental-snapshot.ts --jobs 10000                 # reference limits: the full runs take ~17 min each
 *   npx tsx bench/incremental-snapshot.ts --jobs 100000 --scale 10
 *   npx tsx bench/incremental-snapshot.ts --jobs 300000 --scale 10 --first-scale 200 --skip-full  # the first snapshot at limits x200
 *
 * --first-scale runs the first snapshot (and the simulator's own limits) that much faster, so a large N
 * gets to its daily snapshot in minutes; the daily and the full snapshot keep --scale.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalStore } from '../lambda/core/publish/local-store';
import { REFERENCE_LIMITS } from '../simulator/server';
import { TIME } from '../simulator/world/job-generator';
import { startSimulatorProcess, type SimulatorProcess } from './support/simulator-client';
import { BENCH_ACCOUNT, BENCH_REGION, callsOf, lowerBoundS, runTarget, scaledLimits, type TimedRun } from './support/target-runner';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000' },
    scale: { type: 'string', default: '1' },
    /** Limits multiplier of the first snapshot. @default --scale */
    'first-scale': { type: 'string' },
    'history-days': { type: 'string', default: '730' },
    'new-share': { type: 'string', default: '0.005' },
    'tag-change-rate': { type: 'string', default: '0.004' },
    'delete-rate': { type: 'string', default: '0.001' },
    latency: { type: 'string', default: '20-60' },
    'skip-full': { type: 'boolean', default: false },
  },
});
const jobs = Number(values.jobs);
const scale = Number(values.scale);
const [minLatency, maxLatency] = values.latency!.split('-').map(Number);
const limits = scaledLimits(REFERENCE_LIMITS, scale);
const firstScale = Number(values['first-scale'] ?? scale);
const firstLimits = scaledLimits(REFERENCE_LIMITS, firstScale);
const DAY_1 = '2026-11-01';
const DAY_2 = '2026-11-02';

/** Where a run's time went, from the service's side: when each operation's calls came, and what followed the last one. */
async function phases(simulator: SimulatorProcess, started: number, run: TimedRun): Promise<string> {
  const timeline = await simulator.timeline(started);
  const at = (t: number) => `${((t - started) / 1000).toFixed(1)} s`;
  const lastCall = Math.max(...Object.values(timeline).map((t) => t.last));
  return (
    `${''.padEnd(28)} calls answered: ${Object.entries(timeline)
      .map(([op, t]) => `${op} ${at(t.first)}-${at(t.last)}`)
      .join(', ')}; ` + `after the last call, ${(run.wallS - (lastCall - started) / 1000).toFixed(1)} s (the merge and the publish)`
  );
}

function line(label: string, run: TimedRun, at = limits, atScale = scale): string {
  const { boundS, byOperation } = lowerBoundS(run.operations, at);
  return (
    `${label.padEnd(28)} calls ${String(run.calls).padStart(7)} (${callsOf(run.operations)})\n` +
    `${''.padEnd(28)} wall ${run.wallS.toFixed(1)} s, bound ${boundS.toFixed(1)} s (${byOperation}), wall/bound ${(run.wallS / boundS).toFixed(3)}; ` +
    `at the reference limits the bound is ${(boundS * atScale).toFixed(0)} s\n` +
    `${''.padEnd(28)} mode ${run.result.mode}, written ${run.result.jobsWritten}, described ${run.result.jobsDescribed}, carried ${run.result.jobsCarried}, new ${run.result.jobsNew}, gone ${run.result.jobsGone}, throttled ${Object.values(run.operations).reduce((s, o) => s + o.throttles, 0)}`
  );
}

async function main(): Promise<void> {
  const simulator = await startSimulatorProcess({
    jobsPerRegion: jobs,
    seed: 7,
    historyDays: Number(values['history-days']),
    limits: { ...(firstScale > scale ? firstLimits : limits) },
    latencyMs: [minLatency, maxLatency],
  });
  const warehouse = mkdtempSync(join(tmpdir(), 'bench-incremental-'));
  const store = new LocalStore(warehouse);
  console.log(
    `N = ${jobs} jobs in one (account, region), history ${values['history-days']} days; limits = reference x${scale} ` +
      `(${Object.entries(limits)
        .map(([op, rate]) => `${op} ${rate}/s`)
        .join(', ')}); simulator latency ${values.latency} ms, in its own process.`,
  );
  console.log(
    `Scaling: every limit is x${scale}, so each run's lower bound is 1/${scale} of what the reference limits impose; wall/bound is the figure to compare.`,
  );
  try {
    let started = Date.now();
    const first = await runTarget({ endpoint: simulator.endpoint, store, snapshotDate: DAY_1, limits: firstLimits });
    console.log(line(`first snapshot (full${firstScale === scale ? '' : `, limits x${firstScale}`})`, first, firstLimits, firstScale));
    console.log(await phases(simulator, started, first));

    const churn = await simulator.advance(TIME.DAY, {
      newJobsPerDay: Math.round(jobs * Number(values['new-share'])),
      tagChangeRate: Number(values['tag-change-rate']),
      deleteRate: Number(values['delete-rate']),
    });
    console.log(
      `one day later: ${churn.created} new, ${churn.deleted} gone, ${churn.modified} modified (LastModifiedTime or status moved), ${churn.retagged} retagged; ` +
        `changed ${churn.changed} (${((churn.changed / jobs) * 100).toFixed(2)}% of N: rows new, gone or different), ${churn.jobsAfter} jobs now`,
    );

    started = Date.now();
    const daily = await runTarget({ endpoint: simulator.endpoint, store, snapshotDate: DAY_2, limits });
    console.log(line('daily snapshot (incremental)', daily));
    console.log(`${''.padEnd(28)} merge and publish ${daily.mergePublishS.toFixed(2)} s`);
    console.log(await phases(simulator, started, daily));
    const inventory = await simulator.inventory(BENCH_ACCOUNT, BENCH_REGION);
    if (daily.result.jobsWritten !== inventory.jobs)
      throw new Error(`the daily snapshot wrote ${daily.result.jobsWritten} jobs; the account has ${inventory.jobs}`);
    const budget = Math.ceil(jobs / 100) + 2 * churn.changed;
    console.log(
      `${''.padEnd(28)} calls against ⌈N/100⌉ + 2 × changed = ${Math.ceil(jobs / 100)} + 2 × ${churn.changed} = ${budget}: ${daily.calls} (${daily.calls <= budget ? `${budget - daily.calls} under` : `${daily.calls - budget} over`})`,
    );

    if (!values['skip-full']) {
      started = Date.now();
      const full = await runTarget({ endpoint: simulator.endpoint, store, snapshotDate: DAY_2, limits, full: true });
      console.log(line('same state, full describe', full));
      console.log(await phases(simulator, started, full));
      console.log(
        `${''.padEnd(28)} the daily snapshot made ${(full.calls / daily.calls).toFixed(1)}x fewer calls and took ${(full.wallS / daily.wallS).toFixed(1)}x less time than describing everything`,
      );
    }
  } finally {
    await simulator.stop();
    rmSync(warehouse, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
