import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceClients } from '../../lambda/core/aws/clients';
import { DEFAULT_GIVE_UP_LIMITS, DEFAULT_SHRINK_GUARD, type InventoryConfig } from '../../lambda/core/pipeline/config';
import { advanceTarget, settingsFingerprintOf, type TargetRunEvents, type TargetStep } from '../../lambda/core/pipeline/target-run';
import { SnapshotReader } from '../../lambda/core/parquet/parquet-reader';
import { readCommittedKeys } from '../../lambda/core/publish/run-record';
import { LocalStore } from '../../lambda/core/publish/local-store';
import type { WarehouseStore } from '../../lambda/core/publish/store';
import { DEFAULT_REDACTION } from '../../lambda/core/rows/redaction';
import { TrainingJobRowMapper, type TableRow } from '../../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';

export const FAST_LIMITS = { ListTrainingJobs: 1000, DescribeTrainingJob: 1000, ListTags: 1000, GetResources: 1000 };

export interface TargetRunOptions {
  readonly clients: SourceClients;
  readonly accountId: string;
  readonly region: string;
  /** @default a new LocalStore in a temporary folder */
  readonly store?: WarehouseStore;
  readonly snapshotDate?: string;
  readonly config?: Partial<
    Pick<InventoryConfig, 'limits' | 'concurrency' | 'tagStrategy' | 'compression' | 'rowGroupRows' | 'fullEveryDays' | 'shrinkGuard'>
  >;
  readonly full?: boolean;
  /** Milliseconds until calls in flight are cancelled. @default 60 s */
  readonly budgetMs?: number;
  /** Milliseconds until no new work starts. @default budgetMs less 10% */
  readonly softStopMs?: number;
  readonly holder?: string;
  readonly keepLeaseBetweenInvocations?: boolean;
  readonly events?: TargetRunEvents;
}

/** One invocation of advanceTarget, as the pipeline would run it, with test-sized defaults. */
export async function runTargetOnce(options: TargetRunOptions): Promise<{ step: TargetStep; store: WarehouseStore }> {
  const store = options.store ?? new LocalStore(mkdtempSync(join(tmpdir(), 'target-')));
  const budgetMs = options.budgetMs ?? 60_000;
  const now = Date.now();
  const step = await advanceTarget(
    {
      store,
      clients: options.clients,
      target: { accountId: options.accountId, region: options.region },
      snapshotDate: options.snapshotDate ?? '2026-11-01',
      schema: TRAINING_JOB_SCHEMA,
      config: {
        limits: FAST_LIMITS,
        concurrency: 8,
        tagStrategy: 'auto',
        compression: 'zstd',
        rowGroupRows: 1000,
        fullEveryDays: 7,
        shrinkGuard: DEFAULT_SHRINK_GUARD,
        ...DEFAULT_GIVE_UP_LIMITS,
        ...options.config,
      },
      mapper: new TrainingJobRowMapper(),
      settingsFingerprint: settingsFingerprintOf(DEFAULT_REDACTION),
      holder: options.holder ?? 'test-run',
      full: options.full,
      keepLeaseBetweenInvocations: options.keepLeaseBetweenInvocations,
      events: options.events,
    },
    { softStopAt: now + (options.softStopMs ?? budgetMs * 0.9), deadline: now + budgetMs },
  );
  return { step, store };
}

/** The key of the training-job object the run record of one (account, region, date) commits. */
export async function committedSnapshotKey(
  store: WarehouseStore,
  accountId: string,
  region: string,
  snapshotDate: string,
): Promise<string> {
  const committed = await readCommittedKeys(store, snapshotDate, { accountId, region });
  if (!committed) throw new Error(`no run record for ${accountId}/${region} on ${snapshotDate}`);
  return committed.snapshot;
}

/** Every row of the committed training-job object of one (account, region, date). */
export async function publishedRows(
  store: WarehouseStore,
  accountId: string,
  region: string,
  snapshotDate = '2026-11-01',
): Promise<TableRow[]> {
  const copy = await store.download(await committedSnapshotKey(store, accountId, region, snapshotDate));
  if (!copy) throw new Error(`no object for ${accountId}/${region} on ${snapshotDate}`);
  const reader = await SnapshotReader.open(copy.path, TRAINING_JOB_SCHEMA);
  const rows: TableRow[] = [];
  for await (const group of reader.rowGroupsOf()) rows.push(...group);
  reader.close();
  await copy.release();
  return rows;
}
