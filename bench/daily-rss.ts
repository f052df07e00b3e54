/**
 * Peak RSS of a daily (incremental) snapshot, carried rows included, at N jobs in one (account, region).
 * The simulator runs in its own process; the first snapshot and the daily one each run in a fresh
 * process (bench/support/daily-snapshot-child.ts), so each peak RSS is that snapshot's alone. The
 * first snapshot runs at limits x--first-scale to get there quickly; the daily at x--scale. Each size
 * prints its peak RSS (and the daily's by the time every job was in, to tell the listing's part from the
 * merge's), the daily's merge and publish (from the moment every job is in to the end) on a
 * line of its own, and the daily's wall time against the least time its calls take at its limits.
 * A peak moves by up to 20 MiB from run to run (docs/benchmarks.md note 2: how far V8 and the allocator let
 * garbage pile up before it is collected), so --repeat runs the daily that many times, each on a copy of the warehouse the first
 * snapshot left, and the ratio is taken between the medians.
 *
 *   npx tsx bench/daily-rss.ts --jobs 10000,100000                     # with the Node options of a 1,024 MiB function (~10 min)
 *   npx tsx bench/daily-rss.ts --jobs 10000,100000 --repeat 3          # each daily three times, the ratio between medians (~13 min)
 *   npx tsx bench/daily-rss.ts --jobs 300000 --first-scale 200         # 300,000 jobs, the first snapshot at limits x200
 *   npx tsx bench/daily-rss.ts --jobs 10000,100000 --node-options none # with this host's V8 defaults
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { nodeOptions } from '../lib/function-parts';
import { REFERENCE_LIMITS } from '../simulator/server';
import { TIME } from '../simulator/world/job-generator';
import { startSimulatorProcess } from './support/simulator-client';
import { lowerBoundS, scaledLimits } from './support/target-runner';
import type { OperationStats } from '../lambda/core/collect/call-stats';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10000,100000' },
    scale: { type: 'string', default: '10' },
    'first-scale': { type: 'string', default: '50' },
    /** Daily runs per size, each on a copy of what the first snapshot left; the ratio is between their medians. */
    repeat: { type: 'string', default: '1' },
    /** The function memory (MiB) whose Node options the snapshot processes run with, as the deployed function does. */
    'function-memory': { type: 'string', default: '1024' },
    /** V8 flags for the snapshot processes instead ('none': this host's defaults). */
    'node-options': { type: 'string' },
  },
});
const nodeFlags = (values['node-options'] ?? nodeOptions(Number(values['function-memory'])))
  .split(' ')
  .filter((flag) => flag && flag !== 'none');

interface ChildFigures {
  readonly mode: string;
  readonly written: number;
  readonly described: number;
  readonly carried: number;
  readonly calls: number;
  readonly operations: Record<string, OperationStats>;
  readonly wallS: number;
  readonly mergePublishS: number;
  readonly peakRssMiB: number;
  readonly peakRssBeforeMergeMiB: number;
  /** The sample of process.memoryUsage() with the largest RSS, in MiB (sampled every 20 ms, so it can miss the very peak). */
  readonly memoryAtPeak: { rss: number; heapUsed: number; heapTotal: number; external: number };
}

async function snapshotInOwnProcess(endpoint: string, warehouse: string, date: string, scale: string): Promise<ChildFigures> {
  const { stdout } = await run(
    process.execPath,
    [...nodeFlags, '--import', 'tsx', join(__dirname, 'support', 'daily-snapshot-child.ts'), endpoint, warehouse, date, scale],
    {
      maxBuffer: 1 << 20,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildFigures;
}

async function main(): Promise<void> {
  const sizes = values.jobs!.split(',').map(Number);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat ${values.repeat} is not a whole number of runs of 1 or more`);
  const results: { jobs: number; daily: ChildFigures }[] = [];
  for (const jobs of sizes) {
    const simulator = await startSimulatorProcess({
      jobsPerRegion: jobs,
      seed: 9,
      historyDays: 730,
      limits: { ...scaledLimits(REFERENCE_LIMITS, Number(values['first-scale'])) },
      latencyMs: [5, 15],
    });
    const warehouse = mkdtempSync(join(tmpdir(), 'bench-rss-'));
    try {
      const first = await snapshotInOwnProcess(simulator.endpoint, warehouse, '2026-11-01', values['first-scale']!);
      const churn = await simulator.advance(TIME.DAY, { newJobsPerDay: Math.round(jobs * 0.005), tagChangeRate: 0.004, deleteRate: 0.001 });
      console.log(`N = ${jobs}: first snapshot (${first.mode}, ${first.written} rows) peak RSS ${first.peakRssMiB.toFixed(0)} MiB`);
      const dailies: ChildFigures[] = [];
      for (let run = 0; run < repeat; run++) {
        const copy = mkdtempSync(join(tmpdir(), 'bench-rss-daily-'));
        try {
          cpSync(warehouse, copy, { recursive: true });
          const daily = await snapshotInOwnProcess(simulator.endpoint, copy, '2026-11-02', values.scale!);
          printDaily(jobs, daily, churn.changed);
          dailies.push(daily);
        } finally {
          rmSync(copy, { recursive: true, force: true });
        }
      }
      // The lower of the middle two for an even count.
      const median = [...dailies].sort((a, b) => a.peakRssMiB - b.peakRssMiB)[Math.floor((repeat - 1) / 2)];
      if (repeat > 1) {
        const peaks = dailies.map((daily) => daily.peakRssMiB.toFixed(0)).join(', ');
        console.log(`N = ${jobs}: daily peak RSS over ${repeat} runs ${peaks} MiB, median ${median.peakRssMiB.toFixed(0)} MiB`);
      }
      results.push({ jobs, daily: median });
    } finally {
      await simulator.stop();
      rmSync(warehouse, { recursive: true, force: true });
    }
  }
  const [small, ...larger] = results;
  const which = repeat > 1 ? ` (medians of ${repeat} runs)` : '';
  for (const large of larger) {
    const perJobKiB = ((large.daily.peakRssMiB - small.daily.peakRssMiB) * 1024) / (large.jobs - small.jobs);
    console.log(
      `daily peak RSS ratio N=${large.jobs} / N=${small.jobs}${which}: ${(large.daily.peakRssMiB / small.daily.peakRssMiB).toFixed(2)} (${perJobKiB.toFixed(2)} KiB per job between them)`,
    );
  }
  console.log(
    `Each figure is the peak RSS (getrusage maxrss) of a fresh Node process running only that snapshot, tsx loader included; V8 flags: ${nodeFlags.join(' ') || 'none (defaults for this host)'}${values['node-options'] === undefined ? ` (those of a ${values['function-memory']} MiB function)` : ''}.`,
  );
}

/** One daily run's figures: its peak RSS (and before the merge), what it held then, its merge, and its wall against its bound. */
function printDaily(jobs: number, daily: ChildFigures, changed: number): void {
  console.log(
    `N = ${jobs}: daily (${daily.mode}: ${daily.carried} carried, ${daily.described} described, ${changed} changed) peak RSS ${daily.peakRssMiB.toFixed(0)} MiB ` +
      `(${daily.peakRssBeforeMergeMiB.toFixed(0)} MiB by the time every job was in, before the merge)`,
  );
  const at = daily.memoryAtPeak;
  console.log(
    `N = ${jobs}: daily memory at its largest sampled RSS (${at.rss} MiB): V8 heap ${at.heapUsed} MiB used of ${at.heapTotal} MiB, ` +
      `${at.external} MiB outside it (array buffers, wasm memory)`,
  );
  console.log(`N = ${jobs}: daily merge and publish ${daily.mergePublishS.toFixed(2)} s`);
  const { boundS } = lowerBoundS(daily.operations, scaledLimits(REFERENCE_LIMITS, Number(values.scale)));
  console.log(
    `N = ${jobs}: daily wall ${daily.wallS.toFixed(1)} s against the ${boundS.toFixed(1)} s bound of its ${daily.calls} calls at limits x${values.scale} (${(daily.wallS / boundS).toFixed(2)}x)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
