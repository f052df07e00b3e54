/**
 * Mapping + Parquet writing benchmark: realistic Describe responses → rows → parquet-wasm (ZSTD,
 * 1,000-row row groups) → a local snapshot file. Each size runs in its own process so its peak RSS
 * is its own.
 *
 *   npx tsx bench/write-throughput.ts                 # 10k and 100k rows
 *   npx tsx bench/write-throughput.ts --rows 250000   # one size
 *   npx tsx bench/write-throughput.ts --rows 100000 --baseline 03c918a --rounds 5
 *
 * `--baseline` runs this same command in another checkout (a directory with its node_modules, or a git
 * revision checked out into a temporary worktree for the run), alternately with this one, so both
 * share the machine's load; it prints every round, each side's median and the ratio.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ParquetWasmEncoder } from '../lambda/core/parquet/parquet-encoder';
import { LocalStore } from '../lambda/core/publish/local-store';
import { TrainingJobRowMapper, type TableRow } from '../lambda/core/rows/training-job-row';
import { accountRegionObject } from '../lambda/core/publish/layout';
import { TRAINING_JOB_SCHEMA } from '../lambda/core/schema/table-schema';
import { compareWithBaseline } from './support/baseline';
import { jobRecords } from './support/job-records';

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    compression: { type: 'string', default: 'zstd' },
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '5' },
  },
});
const NOW = Date.UTC(2026, 10, 1);

async function runOne(rows: number): Promise<void> {
  const mapper = new TrainingJobRowMapper();
  const encoder = new ParquetWasmEncoder(TRAINING_JOB_SCHEMA, { compression: values.compression as 'zstd' });
  const root = mkdtempSync(join(tmpdir(), 'bench-'));
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  async function* mapped(): AsyncIterable<TableRow> {
    for (const record of jobRecords(rows, { now: NOW })) yield mapper.map(record).row;
  }
  const started = performance.now();
  const result = await new LocalStore(root).publish(
    accountRegionObject(TRAINING_JOB_SCHEMA, '2026-11-01', 'us-east-1', '123456789012'),
    encoder.encode(mapped()),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  rmSync(root, { recursive: true, force: true });
  console.log(
    `${String(rows).padStart(7)} rows  ${seconds.toFixed(2).padStart(7)} s  ${Math.round(rows / seconds)
      .toString()
      .padStart(7)} rows/s  ` +
      `${(result.bytes / 1024 / 1024).toFixed(1).padStart(6)} MiB file  peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB  (${values.compression})`,
  );
}

if (values.baseline) {
  compareWithBaseline({
    baseline: values.baseline,
    rows: Number(values.rows ?? 100_000),
    rounds: Number(values.rounds),
    compression: values.compression!,
    script: __filename,
  });
} else if (values.rows) {
  void runOne(Number(values.rows));
} else {
  console.log(`node ${process.version}, one process per size (map + encode + write; generation of the input included)`);
  for (const rows of [10_000, 100_000]) {
    execFileSync(process.execPath, ['--import', 'tsx', __filename, '--rows', String(rows), '--compression', values.compression!], {
      stdio: 'inherit',
    });
  }
}
