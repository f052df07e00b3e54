import { ParquetWasmEncoder } from '../../lambda/core/parquet/parquet-encoder';
import { accountRegionObject } from '../../lambda/core/publish/layout';
import { LocalStore } from '../../lambda/core/publish/local-store';
import { publishRunRecord, type RunRecord } from '../../lambda/core/publish/run-record';
import { TrainingJobRowMapper, type TableRow, type TrainingJobRecord } from '../../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}

export interface FixtureSnapshot {
  readonly date: string;
  readonly accountId: string;
  readonly region: string;
  readonly records: readonly TrainingJobRecord[];
  /** The run row written after the object, or none (a run that never finished publishing). */
  readonly run?: Partial<Pick<RunRecord, 'status' | 'finishedAt'>> | 'none';
}

/** Publishes one (account, region, date) snapshot object and its run row with the product's own encoder and publisher. */
export async function publishFixtureSnapshot(root: string, snapshot: FixtureSnapshot): Promise<void> {
  const mapper = new TrainingJobRowMapper();
  const publisher = new LocalStore(root);
  const rows: TableRow[] = snapshot.records.map((record) => mapper.map(record).row);
  const published = await publisher.publish(
    accountRegionObject(TRAINING_JOB_SCHEMA, snapshot.date, snapshot.region, snapshot.accountId),
    new ParquetWasmEncoder(TRAINING_JOB_SCHEMA).encode(from(rows)),
  );
  if (snapshot.run === 'none') return;
  const finishedAt = snapshot.run?.finishedAt ?? Date.parse(`${snapshot.date}T02:10:00Z`);
  await publishRunRecord(publisher, {
    snapshotDate: snapshot.date,
    accountId: snapshot.accountId,
    region: snapshot.region,
    status: snapshot.run?.status ?? 'complete',
    mode: 'full',
    jobsWritten: rows.length,
    jobsDescribed: rows.length,
    jobsCarried: 0,
    jobsNew: rows.length,
    jobsGone: 0,
    setAsideJobs: snapshot.run?.status === 'incomplete' ? [{ name: 'set-aside-job', reason: 'DescribeTrainingJob kept failing' }] : [],
    apiCalls: rows.length + 1,
    throttledCalls: 0,
    unknownApiFields: [],
    snapshotObject: published.location,
    snapshotBytes: published.bytes,
    ledgerObject: '',
    startedAt: finishedAt - 60_000,
    finishedAt,
  });
}
