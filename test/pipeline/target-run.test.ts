import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetLayout } from '../../lambda/core/parquet/parquet-layout';
import { SnapshotReader } from '../../lambda/core/parquet/parquet-reader';
import { readProgressChunk, type Checkpoint } from '../../lambda/core/pipeline/checkpoint';
import { DEFAULT_SHRINK_GUARD } from '../../lambda/core/pipeline/config';
import { stateKey, workFolder, workKeys } from '../../lambda/core/pipeline/work-area';
import { TRAINING_JOB_LEDGER_SCHEMA, TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { LocalStore } from '../../lambda/core/publish/local-store';
import type { TableRow } from '../../lambda/core/rows/training-job-row';
import { AwsError } from '../../simulator/protocol';
import { SageMakerSimulator } from '../../simulator/server';
import { TIME } from '../../simulator/world/job-generator';
import { mismatches, readWarehouse } from '../support/compare';
import { withDuckDb } from '../support/duckdb';
import { startSimulator, type RunningSimulator } from '../support/local-simulator';
import { committedSnapshotKey, publishedRows, runTargetOnce, type TargetRunOptions } from '../support/target-run';
import type { TargetAdvance, TargetStep } from '../../lambda/core/pipeline/target-run-types';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGION = 'us-east-1';
const DAY_1 = '2026-11-01';
const DAY_2 = '2026-11-02';
const DAY_3 = '2026-11-03';

const byKey = (rows: TableRow[]) => [...rows].sort((a, b) => (String(a._key) < String(b._key) ? -1 : 1));

/** Rows per row group of the published object of a date. */
async function publishedRowGroupSizes(store: LocalStore, date: string): Promise<number[]> {
  const reader = await SnapshotReader.open(
    join(store.describe(), await committedSnapshotKey(store, ACCOUNT, REGION, date)),
    TRAINING_JOB_SCHEMA,
  );
  const sizes: number[] = [];
  for await (const group of reader.rowGroupsOf(['_key'])) sizes.push(group.length);
  reader.close();
  return sizes;
}

/** The published object of a date: its path, its bytes and their layout. */
async function publishedObject(store: LocalStore, date: string): Promise<{ bytes: Buffer; layout: ParquetLayout }> {
  const path = join(store.describe(), await committedSnapshotKey(store, ACCOUNT, REGION, date));
  return { bytes: readFileSync(path), layout: await ParquetLayout.ofFile(path) };
}

/** The bytes of each column chunk of row group `group` of an object, by leaf column path. */
function chunkBytes({ bytes, layout }: { bytes: Buffer; layout: ParquetLayout }, group: number): Map<string, Buffer> {
  return new Map(layout.rowGroups[group].chunks.map((chunk) => [chunk.path, bytes.subarray(chunk.start, chunk.start + chunk.length)]));
}

/** The leaf columns whose chunk bytes differ between two row groups. */
function differingColumns(one: Map<string, Buffer>, other: Map<string, Buffer>): string[] {
  return [...one].filter(([path, bytes]) => !bytes.equals(other.get(path)!)).map(([path]) => path);
}

/** The ledger's `deleted` rows of a date, each without the ledger's own columns: the snapshot row it records. */
async function ledgerDepartedRows(store: LocalStore, date: string): Promise<TableRow[]> {
  const folder = join(store.describe(), TRAINING_JOB_LEDGER_SCHEMA.table, `snapshot_date=${date}`, `region=${REGION}`);
  const rows: TableRow[] = [];
  for (const file of readdirSync(folder)) {
    const reader = await SnapshotReader.open(join(folder, file), TRAINING_JOB_LEDGER_SCHEMA);
    for await (const group of reader.rowGroupsOf()) rows.push(...group);
    reader.close();
  }
  return rows.filter((row) => row.event === 'deleted').map(({ event: _event, last_snapshot_date: _date, ...row }) => row);
}

function newStore(): LocalStore {
  return new LocalStore(mkdtempSync(join(tmpdir(), 'target-run-')));
}

/** Every job of the simulated (account, region), checked column by column against the published object. */
async function expectGroundTruth(store: LocalStore, running: RunningSimulator, date: string): Promise<void> {
  const rows = await withDuckDb((db) => readWarehouse(db, `${store.describe()}/sagemaker_training_job/snapshot_date=${date}/*/*.parquet`));
  const world = running.simulator.world;
  const plans = world.plans(ACCOUNT, REGION);
  expect([...rows.keys()].sort()).toEqual(plans.map((p) => `${date}|${p.arn}`).sort());
  expect(plans.flatMap((plan) => mismatches(rows.get(`${date}|${plan.arn}`)!, world.describe(plan), plan.tags))).toEqual([]);
}

describe('advanceTarget: one (account, region) of a snapshot', () => {
  let running: RunningSimulator;
  afterEach(async () => running?.stop());
  const run = (options: Omit<TargetRunOptions, 'clients' | 'accountId' | 'region'>) =>
    runTargetOnce({ clients: running.clients(REGION), accountId: ACCOUNT, region: REGION, ...options });
  /**
   * An invocation of one execution that starts no new work after one second, with a deadline well after
   * it, so no call the service has answered is cut off (it would be made again: a second describe).
   */
  const budgetedInvocation = (store: LocalStore, snapshotDate = DAY_1) =>
    run({
      store,
      snapshotDate,
      budgetMs: 5000,
      softStopMs: 1000,
      holder: 'execution-1',
      keepLeaseBetweenInvocations: true,
      config: { limits: { ListTrainingJobs: 2, DescribeTrainingJob: 100, ListTags: 100, GetResources: 100 } },
    });

  /**
   * Yesterday's snapshot of `jobs` long-settled jobs, in row groups of 40: its store, the config that wrote
   * it, its rows and the simulator's plans of its jobs by ARN, to change them by.
   */
  const settledDayOneInGroupsOf40 = async (jobs: number) => {
    running = await startSimulator({ jobsPerRegion: jobs, seed: 31, historyDays: 60 });
    const store = newStore();
    const config = { rowGroupRows: 40 };
    await run({ store, snapshotDate: DAY_1, config });
    const dayOne = await publishedRows(store, ACCOUNT, REGION, DAY_1);
    const plans = new Map(running.simulator.world.plans(ACCOUNT, REGION).map((plan) => [plan.arn, plan]));
    return { store, config, dayOne, plans };
  };

  it('describes every job on the first run and publishes them with the run record and the state for the next run', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 230, seed: 31 });
    const store = newStore();

    // Act
    const { step } = await run({ store });

    // Assess
    expect(step).toMatchObject({
      status: 'published',
      result: {
        status: 'succeeded',
        mode: 'full',
        modeReason: 'no previous snapshot',
        jobsWritten: 230,
        jobsDescribed: 230,
        jobsCarried: 0,
      },
    });
    await expectGroundTruth(store, running, DAY_1);
    const state = JSON.parse(
      Buffer.from((await store.get(stateKey('sagemaker_training_job', { accountId: ACCOUNT, region: REGION })))!).toString(),
    );
    expect(state).toMatchObject({ snapshotDate: DAY_1, rows: 230, lastFullSnapshotDate: DAY_1 });
    expect(await store.get(workKeys('sagemaker_training_job', DAY_1, { accountId: ACCOUNT, region: REGION }).checkpoint)).toBeUndefined();
  });

  it('says once that it is publishing, when every job is described and before the step ends', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 40, seed: 31 });
    let lastAdvance: TargetAdvance | undefined;
    const describedWhenPublishing: number[] = [];

    // Act
    const { step } = await run({
      events: {
        advanced: (advance) => (lastAdvance = advance),
        publishing: () => describedWhenPublishing.push(lastAdvance!.jobsDescribed),
      },
    });

    // Assess
    expect(step.status).toBe('published');
    expect(describedWhenPublishing).toEqual([40]);
  });

  it('writes on day 2, describing only what changed, exactly the rows a full describe of the same state writes', async () => {
    // Prepare: a day of recent jobs, so the next day moves many of them on: they finish, warm pools expire, rules complete.
    running = await startSimulator({ jobsPerRegion: 400, seed: 17, historyDays: 1 });
    const incremental = newStore();
    await run({ store: incremental, snapshotDate: DAY_1 });
    const dayOne = new Map((await publishedRows(incremental, ACCOUNT, REGION, DAY_1)).map((row) => [String(row._key), row]));
    const changes = running.simulator.world.advance(TIME.DAY, { newJobsPerDay: 12, tagChangeRate: 0.05, deleteRate: 0.03 });

    // Act
    const { step: daily } = await run({ store: incremental, snapshotDate: DAY_2 });
    const { step: full, store: reference } = await run({ store: newStore(), snapshotDate: DAY_2, full: true });

    // Assess
    expect(changes).toMatchObject({ created: expect.any(Number), retagged: expect.any(Number), deleted: expect.any(Number) });
    expect(Math.min(changes.created, changes.retagged, changes.deleted)).toBeGreaterThan(0);
    expect(daily.status).toBe('published');
    const result = daily.status === 'published' ? daily.result : undefined;
    expect(result).toMatchObject({ mode: 'incremental', jobsNew: changes.created, jobsGone: changes.deleted });
    expect(result!.jobsCarried + result!.jobsDescribed).toBe(result!.jobsWritten);
    expect(result!.jobsDescribed).toBeLessThan(result!.jobsWritten / 2);
    expect(full).toMatchObject({ status: 'published', result: { mode: 'full', jobsDescribed: result!.jobsWritten } });
    const dayTwo = byKey(await publishedRows(incremental, ACCOUNT, REGION, DAY_2));
    expect(dayTwo).toEqual(byKey(await publishedRows(reference, ACCOUNT, REGION, DAY_2)));
    await expectGroundTruth(incremental, running, DAY_2);
    const warmPoolsExpired = dayTwo.filter(
      (row) =>
        String(dayOne.get(String(row._key))?.warm_pool_status).includes('Available') && String(row.warm_pool_status).includes('Terminated'),
    );
    expect(warmPoolsExpired.length).toBeGreaterThan(0);
  });

  it("carries yesterday's rows across many row groups into row groups of the configured size, exactly as a full describe writes them", async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 300, seed: 23, historyDays: 2 });
    const incremental = newStore();
    const config = { rowGroupRows: 40 };
    await run({ store: incremental, snapshotDate: DAY_1, config });
    running.simulator.world.advance(TIME.DAY, { newJobsPerDay: 9, tagChangeRate: 0.05, deleteRate: 0.03 });

    // Act
    const { step: daily } = await run({ store: incremental, snapshotDate: DAY_2, config });
    const { store: reference } = await run({ store: newStore(), snapshotDate: DAY_2, full: true, config });

    // Assess
    expect(daily).toMatchObject({ status: 'published', result: { mode: 'incremental', jobsCarried: expect.any(Number) } });
    expect(daily.status === 'published' && daily.result.jobsCarried).toBeGreaterThan(160);
    const groups = await publishedRowGroupSizes(incremental, DAY_2);
    expect(groups.slice(0, -1).every((rows) => rows === 40)).toBe(true);
    expect((await publishedRowGroupSizes(incremental, DAY_1)).length).toBeGreaterThan(5);
    expect(byKey(await publishedRows(incremental, ACCOUNT, REGION, DAY_2))).toEqual(
      byKey(await publishedRows(reference, ACCOUNT, REGION, DAY_2)),
    );
  });

  it("copies yesterday's row groups in which every row is carried byte for byte, encoding again only the tags that moved", async () => {
    // Prepare: settled jobs in row groups of 40; one job of group 0 deleted, one of group 2 retagged.
    const { store, config, dayOne, plans } = await settledDayOneInGroupsOf40(200);
    running.simulator.world.deleteJob(ACCOUNT, REGION, String(dayOne[10].training_job_name));
    const retagged = plans.get(String(dayOne[90]._key))!;
    retagged.tags = { ...retagged.tags, 'moved-on': 'day-2' };
    const yesterday = await publishedObject(store, DAY_1);

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, config });
    const { store: reference } = await run({ store: newStore(), snapshotDate: DAY_2, full: true, config });

    // Assess: groups 1, 2 and 3 (long-settled jobs) come first, as they were but for group 2's tags; group 0's rows are encoded again, after them.
    expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental', jobsGone: 1, jobsWritten: 199 } });
    const today = await publishedObject(store, DAY_2);
    const differing = [1, 2, 3].map((group, index) => differingColumns(chunkBytes(yesterday, group), chunkBytes(today, index)));
    expect(differing).toEqual([[], ['tags.entries.key', 'tags.entries.value'], []]);
    const groupZeroCopied = today.layout.rowGroups.some(
      (_, group) => differingColumns(chunkBytes(yesterday, 0), chunkBytes(today, group)).length === 0,
    );
    expect(groupZeroCopied).toBe(false);
    expect(byKey(await publishedRows(store, ACCOUNT, REGION, DAY_2))).toEqual(
      byKey(await publishedRows(reference, ACCOUNT, REGION, DAY_2)),
    );
  });

  it('writes again, with their tags of today, carried rows whose tags moved in row groups encoded again, exactly as a full describe writes them', async () => {
    // Prepare: row groups of 40, a job deleted from each (so each is encoded again), and three jobs in four retagged
    // or untagged: more moved rows than the merge decodes before writing them, so some land ahead of other groups' rows.
    const { store, config, dayOne, plans } = await settledDayOneInGroupsOf40(400);
    dayOne.forEach((row, position) => {
      const plan = plans.get(String(row._key))!;
      if (position % 40 === 5) running.simulator.world.deleteJob(ACCOUNT, REGION, String(row.training_job_name));
      else if (position % 4 !== 0) plan.tags = position % 8 === 1 ? {} : { ...plan.tags, 'moved-on': `day-2-${position}` };
    });

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, config });
    const { store: reference } = await run({ store: newStore(), snapshotDate: DAY_2, full: true, config });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental', jobsGone: 10, jobsWritten: 390 } });
    const dayTwo = byKey(await publishedRows(store, ACCOUNT, REGION, DAY_2));
    expect(dayTwo).toEqual(byKey(await publishedRows(reference, ACCOUNT, REGION, DAY_2)));
    await expectGroundTruth(store, running, DAY_2);
  });

  it("publishes yesterday's row groups of settled jobs whole on a day nothing changed", async () => {
    // Prepare: 200 jobs in row groups of 40, and no change since; the few jobs not settled yet (the newest) are described again.
    running = await startSimulator({ jobsPerRegion: 200, seed: 31, historyDays: 60 });
    const store = newStore();
    const config = { rowGroupRows: 40 };
    await run({ store, snapshotDate: DAY_1, config });
    const yesterday = await publishedObject(store, DAY_1);

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, config });

    // Assess: the first four groups come back as they were, in their order; the last, with the jobs described, is encoded again.
    expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental', jobsWritten: 200, jobsNew: 0, jobsGone: 0 } });
    expect(step.status === 'published' && step.result.jobsDescribed).toBeLessThan(40);
    const today = await publishedObject(store, DAY_2);
    const differing = [0, 1, 2, 3].map((group) => differingColumns(chunkBytes(yesterday, group), chunkBytes(today, group)));
    expect(differing).toEqual([[], [], [], []]);
    await expectGroundTruth(store, running, DAY_2);
  });

  it('carries on day 3 the row groups it copied on day 2, exactly as a full describe writes them', async () => {
    // Prepare: two days of churn in row groups of 40.
    running = await startSimulator({ jobsPerRegion: 300, seed: 41, historyDays: 30 });
    const store = newStore();
    const config = { rowGroupRows: 40 };
    await run({ store, snapshotDate: DAY_1, config });
    running.simulator.world.advance(TIME.DAY, { newJobsPerDay: 5, tagChangeRate: 0.01, deleteRate: 0.005 });
    await run({ store, snapshotDate: DAY_2, config });
    running.simulator.world.advance(TIME.DAY, { newJobsPerDay: 5, tagChangeRate: 0.01, deleteRate: 0.005 });

    // Act
    const { step } = await run({ store, snapshotDate: DAY_3, config });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental' } });
    expect((await publishedRowGroupSizes(store, DAY_3)).slice(0, -1).every((rows) => rows === 40)).toBe(true);
    await expectGroundTruth(store, running, DAY_3);
  });

  it("encodes every row again when yesterday's object was written with another compression", async () => {
    // Prepare: yesterday's object in Snappy.
    running = await startSimulator({ jobsPerRegion: 120, seed: 43, historyDays: 60 });
    const store = newStore();
    await run({ store, snapshotDate: DAY_1, config: { rowGroupRows: 40, compression: 'snappy' } });

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, config: { rowGroupRows: 40, compression: 'zstd' } });

    // Assess: every chunk in ZSTD (6 in parquet.thrift), and the rows exact.
    expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental', jobsDescribed: 0 } });
    const today = await publishedObject(store, DAY_2);
    expect(new Set(today.layout.rowGroups.flatMap((group) => group.chunks.map((chunk) => chunk.codec)))).toEqual(new Set([6]));
    await expectGroundTruth(store, running, DAY_2);
  });

  it("puts in the ledger the row yesterday's snapshot held of each job deleted since, from row groups the merge passes", async () => {
    // Prepare: yesterday's object in row groups of 40; one deleted job from each of three of them.
    running = await startSimulator({ jobsPerRegion: 200, seed: 31, historyDays: 60 });
    const store = newStore();
    const config = { rowGroupRows: 40 };
    await run({ store, snapshotDate: DAY_1, config });
    const dayOne = await publishedRows(store, ACCOUNT, REGION, DAY_1);
    const deleted = [dayOne[5], dayOne[90], dayOne[170]].filter((row) => /Completed|Failed|Stopped/.test(String(row.training_job_status)));
    for (const row of deleted) running.simulator.world.deleteJob(ACCOUNT, REGION, String(row.training_job_name));

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, config });

    // Assess
    expect(deleted.length).toBeGreaterThan(1);
    expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental', jobsGone: deleted.length } });
    expect(byKey(await ledgerDepartedRows(store, DAY_2))).toEqual(byKey(deleted));
  });

  it("puts in the ledger the row yesterday's snapshot held of every job when all of them were deleted and none is carried", async () => {
    // Prepare: every job deleted, one created, and the mass deletion allowed.
    running = await startSimulator({ jobsPerRegion: 60, seed: 37, historyDays: 60 });
    const store = newStore();
    const config = { rowGroupRows: 25, shrinkGuard: { ...DEFAULT_SHRINK_GUARD, allow: true } };
    await run({ store, snapshotDate: DAY_1, config });
    const dayOne = await publishedRows(store, ACCOUNT, REGION, DAY_1);
    for (const row of dayOne) running.simulator.world.deleteJob(ACCOUNT, REGION, String(row.training_job_name));
    running.simulator.world.createJobNamed(ACCOUNT, REGION, 'the-one-job-left');

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, config });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { jobsWritten: 1, jobsCarried: 0, jobsGone: dayOne.length } });
    expect(byKey(await ledgerDepartedRows(store, DAY_2))).toEqual(byKey(dayOne));
  });

  it('keeps a carried row as it was until a full describe writes the column that changed without a listing sign of it', async () => {
    // Prepare: a long-settled job whose hyper-parameters change in place (the listing shows no change).
    running = await startSimulator({ jobsPerRegion: 120, seed: 29 });
    const store = newStore();
    await run({ store, snapshotDate: DAY_1 });
    const world = running.simulator.world;
    const oldest = world.plans(ACCOUNT, REGION).reduce((a, b) => (a.createdAt <= b.createdAt ? a : b));
    Object.assign(oldest, { static: { ...oldest.static, HyperParameters: { epochs: '7', learning_rate: '0.5' } } });
    world.advance(TIME.DAY, { newJobsPerDay: 0, tagChangeRate: 0, deleteRate: 0 });
    const rowOf = async (date: string) => (await publishedRows(store, ACCOUNT, REGION, date)).find((row) => row._key === oldest.arn)!;

    // Act
    const { step: daily } = await run({ store, snapshotDate: DAY_2 });
    const { step: full } = await run({ store, snapshotDate: DAY_3, config: { fullEveryDays: 1 } });

    // Assess
    expect(daily).toMatchObject({ result: { mode: 'incremental', jobsDescribed: 0 } });
    expect(full).toMatchObject({ result: { mode: 'full' } });
    expect((await rowOf(DAY_2)).hyper_parameters).toEqual((await rowOf(DAY_1)).hyper_parameters);
    expect((await rowOf(DAY_3)).hyper_parameters).toEqual(
      new Map([
        ['epochs', '7'],
        ['learning_rate', '0.5'],
      ]),
    );
  });

  describe('the modified-first listing of an incremental run', () => {
    type Answer = { operation: string; input: Record<string, unknown>; output: Record<string, unknown> };
    /** Day 1 published, then a day of changes; returns clients whose every SageMaker answer passes through `onAnswer`. */
    async function dayTwoClients(
      jobsPerRegion: number,
      { newJobsPerDay = 20, onAnswer = () => undefined }: { newJobsPerDay?: number; onAnswer?: (answer: Answer) => void } = {},
    ) {
      running = await startSimulator({ jobsPerRegion, seed: 23, historyDays: 1 });
      const store = newStore();
      await run({ store, snapshotDate: DAY_1 });
      running.simulator.world.advance(TIME.DAY, { newJobsPerDay });
      const clients = running.clients(REGION);
      const answered: Answer[] = [];
      clients.sagemaker.middlewareStack.add(
        (next, context) => async (args) => {
          const result = await next(args);
          const answer = {
            operation: String(context.commandName).replace(/Command$/, ''),
            input: { ...(args.input as Record<string, unknown>) },
            output: result.output as unknown as Record<string, unknown>,
          };
          answered.push(answer);
          onAnswer(answer);
          return result;
        },
        { step: 'initialize', name: 'answers' },
      );
      return { store, clients, answered };
    }
    const isModifiedListing = (answer: Answer) =>
      answer.operation === 'ListTrainingJobs' && answer.input.LastModifiedTimeAfter !== undefined;

    it('describes the modified jobs while the full listing still pages on', async () => {
      // Prepare: listing is the slow part (a page a second, 7 pages), as at the reference limits.
      const { store, clients, answered } = await dayTwoClients(600);

      // Act
      const { step } = await runTargetOnce({
        clients,
        accountId: ACCOUNT,
        region: REGION,
        store,
        snapshotDate: DAY_2,
        config: { limits: { ListTrainingJobs: 1, DescribeTrainingJob: 100, ListTags: 100, GetResources: 100 } },
      });

      // Assess
      expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental' } });
      expect(isModifiedListing(answered[0])).toBe(true);
      const fullListing = answered.filter((answer) => answer.operation === 'ListTrainingJobs' && !isModifiedListing(answer));
      expect(fullListing.length).toBe(Math.ceil(running.simulator.world.plans(ACCOUNT, REGION).length / 100));
      const operations = answered.map((answer) => answer.operation);
      expect(operations.lastIndexOf('DescribeTrainingJob')).toBeGreaterThan(0);
      expect(operations.lastIndexOf('DescribeTrainingJob')).toBeLessThan(operations.lastIndexOf('ListTrainingJobs'));
      await expectGroundTruth(store, running, DAY_2);
    });

    it('leaves out a job it described that was deleted before the full listing reached it', async () => {
      // Prepare: the first job described is deleted right after its describe, while the full listing is still paging.
      let deleted: string | undefined;
      const { store, clients } = await dayTwoClients(600, {
        onAnswer: (answer) => {
          if (answer.operation !== 'DescribeTrainingJob' || deleted !== undefined) return;
          deleted = String(answer.output.TrainingJobName);
          running.simulator.world.deleteJob(ACCOUNT, REGION, deleted);
        },
      });

      // Act
      const { step } = await runTargetOnce({
        clients,
        accountId: ACCOUNT,
        region: REGION,
        store,
        snapshotDate: DAY_2,
        config: { limits: { ListTrainingJobs: 2, DescribeTrainingJob: 100, ListTags: 100, GetResources: 100 } },
      });

      // Assess
      expect(deleted).toBeDefined();
      const result = step.status === 'published' ? step.result : undefined;
      expect(result).toMatchObject({ mode: 'incremental' });
      expect(result!.jobsDescribed + result!.jobsCarried).toBe(result!.jobsWritten);
      const rows = await publishedRows(store, ACCOUNT, REGION, DAY_2);
      expect(rows.map((row) => row.training_job_name)).not.toContain(deleted);
      await expectGroundTruth(store, running, DAY_2);
    });

    it('continues from its saved page in the next invocation, describing no job twice', async () => {
      // Prepare: a day with 400 new jobs, listed 2 pages a second by invocations that stop after one second. The deadline
      // is well after it, so no call the service has answered is cut off (it would be made again: a second describe).
      const { store, clients, answered } = await dayTwoClients(300, { newJobsPerDay: 400 });
      const describedOnDayOne = running.simulator.stats().DescribeTrainingJob.accepted;
      const invocation = () =>
        runTargetOnce({
          clients,
          accountId: ACCOUNT,
          region: REGION,
          store,
          snapshotDate: DAY_2,
          budgetMs: 5000,
          softStopMs: 1000,
          holder: 'execution-2',
          keepLeaseBetweenInvocations: true,
          config: { limits: { ListTrainingJobs: 2, DescribeTrainingJob: 100, ListTags: 100, GetResources: 100 } },
        });

      // Act
      const steps: TargetStep[] = [];
      for (let i = 0; i < 30 && steps.at(-1)?.status !== 'published'; i++) steps.push((await invocation()).step);

      // Assess
      const modifiedPages = answered.filter(isModifiedListing);
      expect(modifiedPages.length).toBeGreaterThan(2);
      expect(new Set(modifiedPages.map((answer) => answer.input.NextToken ?? 'first')).size).toBe(modifiedPages.length);
      expect(steps.length).toBeGreaterThan(2);
      const last = steps.at(-1)!;
      expect(last.status).toBe('published');
      const result = last.status === 'published' ? last.result : undefined;
      expect(running.simulator.stats().DescribeTrainingJob.accepted - describedOnDayOne).toBe(result!.jobsDescribed);
      await expectGroundTruth(store, running, DAY_2);
    });

    it('gives way to the full listing, with a warning, when the service rejects it', async () => {
      // Prepare
      const { store, clients } = await dayTwoClients(300, {
        onAnswer: (answer) => {
          if (isModifiedListing(answer)) throw new AwsError(400, 'ValidationException', 'LastModifiedTimeAfter is not supported here');
        },
      });
      const warnings: string[] = [];

      // Act
      const { step } = await runTargetOnce({
        clients,
        accountId: ACCOUNT,
        region: REGION,
        store,
        snapshotDate: DAY_2,
        events: { warning: (message) => warnings.push(message) },
      });

      // Assess
      expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental' } });
      expect(warnings).toContain('listing the jobs modified since the previous snapshot failed; the full listing finds them, later');
      await expectGroundTruth(store, running, DAY_2);
    });

    it('stops at a page short of full that says more follow, since the service then filters after paging', async () => {
      // Prepare: the service answers 10 of the modified jobs and a token, as one that filters each page of 100 would.
      const { store, clients, answered } = await dayTwoClients(300, {
        onAnswer: (answer) => {
          if (!isModifiedListing(answer)) return;
          answer.output.TrainingJobSummaries = (answer.output.TrainingJobSummaries as unknown[]).slice(0, 10);
          answer.output.NextToken = 'more-pages-filtered-after-paging';
        },
      });

      const warnings: string[] = [];

      // Act
      const { step } = await runTargetOnce({
        clients,
        accountId: ACCOUNT,
        region: REGION,
        store,
        snapshotDate: DAY_2,
        events: { warning: (message) => warnings.push(message) },
      });

      // Assess
      expect(step).toMatchObject({ status: 'published', result: { mode: 'incremental' } });
      expect(answered.filter(isModifiedListing)).toHaveLength(1);
      expect(warnings).toEqual([]);
      await expectGroundTruth(store, running, DAY_2);
    });
  });

  it('describes everything again once the last full describe is older than fullEveryDays', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 60, seed: 5 });
    const store = newStore();
    await run({ store, snapshotDate: DAY_1 });

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, config: { fullEveryDays: 1 } });

    // Assess
    expect(step).toMatchObject({
      status: 'published',
      result: { mode: 'full', jobsDescribed: 60, modeReason: expect.stringContaining('1 days since the last full describe (2026-11-01)') },
    });
  });

  it('falls back to a full describe, with a warning saying why, when the previous snapshot is corrupt', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 50, seed: 6 });
    const store = newStore();
    await run({ store, snapshotDate: DAY_1 });
    const committed = await committedSnapshotKey(store, ACCOUNT, REGION, DAY_1);
    truncateSync(join(store.describe(), committed), 100);
    const warnings: string[] = [];

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, events: { warning: (message) => warnings.push(message) } });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { mode: 'full', jobsDescribed: 50 } });
    expect(warnings).toEqual([
      expect.stringMatching(
        /previous snapshot .*\/snapshot_date=2026-11-01\/region=us-east-1\/123456789012\.\d{8}T\d{6}Z-[0-9a-f]{8}\.parquet .*is not a readable Parquet file .*; describing every job instead$/,
      ),
    ]);
    await expectGroundTruth(store, running, DAY_2);
  });

  it('describes every job when the state names an object no run record commits (here one of another table)', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 20, seed: 6 });
    const store = newStore();
    await run({ store, snapshotDate: DAY_1 });
    const stateFile = join(store.describe(), stateKey('sagemaker_training_job', { accountId: ACCOUNT, region: REGION }));
    const state = JSON.parse(
      Buffer.from((await store.get(stateKey('sagemaker_training_job', { accountId: ACCOUNT, region: REGION })))!).toString(),
    );
    writeFileSync(
      stateFile,
      JSON.stringify({ ...state, key: `sagemaker_inventory_run/snapshot_date=${DAY_1}/region=${REGION}/${ACCOUNT}.parquet`, rows: 1 }),
    );
    const warnings: string[] = [];

    // Act
    const { step } = await run({ store, snapshotDate: DAY_2, events: { warning: (message) => warnings.push(message) } });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { mode: 'full', jobsDescribed: 20, modeReason: 'no previous snapshot' } });
    expect(warnings).toEqual([]);
  });

  it('saves its progress when the budget ends and the next invocation continues it, describing no job twice', async () => {
    // Prepare: invocations that start no new work after one second (budgetedInvocation), so no describe is made twice.
    running = await startSimulator({ jobsPerRegion: 300, seed: 9, latencyMs: [5, 10] });
    const store = newStore();
    const invocation = () => budgetedInvocation(store);

    // Act
    const steps = [];
    for (let i = 0; i < 20; i++) {
      const { step } = await invocation();
      steps.push(step.status);
      if (step.status !== 'continuing') break;
    }

    // Assess
    expect(steps.length).toBeGreaterThan(2);
    expect(steps.at(-1)).toBe('published');
    expect(steps.slice(0, -1).every((status) => status === 'continuing')).toBe(true);
    expect(running.simulator.stats().DescribeTrainingJob.accepted).toBe(300);
    await expectGroundTruth(store, running, DAY_1);
  });

  it("saves a mark, not the tags, for a job whose tags yesterday's row holds, and publishes them from that row on resuming", async () => {
    // Prepare: yesterday's snapshot, then one job retagged; invocations that stop after one second, so day 2 takes several.
    running = await startSimulator({ jobsPerRegion: 300, seed: 9, latencyMs: [5, 10] });
    const store = newStore();
    await run({ store, snapshotDate: DAY_1 });
    const retagged = running.simulator.world.plans(ACCOUNT, REGION)[120];
    retagged.tags = { ...retagged.tags, 'moved-on': 'day-2' };
    const checkpointKey = workKeys(TRAINING_JOB_SCHEMA.table, DAY_2, { accountId: ACCOUNT, region: REGION }).checkpoint;

    // Act: every chunk of progress is read while the next invocation still needs it.
    const steps: TargetStep[] = [];
    const saved = new Map<string, Record<string, string> | null>();
    for (let i = 0; i < 20 && steps.at(-1)?.status !== 'published'; i++) {
      const { step } = await budgetedInvocation(store, DAY_2);
      steps.push(step);
      if (step.status !== 'continuing') continue;
      const checkpoint = JSON.parse(readFileSync(join(store.describe(), checkpointKey), 'utf8')) as Checkpoint;
      const chunk = await readProgressChunk(store, checkpoint.chunks.at(-1)!, checkpointKey, REGION);
      for (const [arn, tags] of chunk.tags) saved.set(arn, tags);
    }
    const { store: reference } = await run({ store: newStore(), snapshotDate: DAY_2, full: true });

    // Assess
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.at(-1)).toMatchObject({ status: 'published', result: { mode: 'incremental' } });
    const setsSaved = [...saved].filter(([, tags]) => tags !== null);
    expect(setsSaved.every(([arn, tags]) => arn === retagged.arn && tags!['moved-on'] === 'day-2')).toBe(true);
    expect([...saved.values()].filter((tags) => tags === null).length).toBeGreaterThan(100);
    expect(byKey(await publishedRows(store, ACCOUNT, REGION, DAY_2))).toEqual(
      byKey(await publishedRows(reference, ACCOUNT, REGION, DAY_2)),
    );
  });

  it('fails, and publishes nothing, when a part an earlier invocation saved is gone by the merge', async () => {
    // Prepare: invocations as above, until one has saved a part of described rows; then the parts go.
    running = await startSimulator({ jobsPerRegion: 300, seed: 9, latencyMs: [5, 10] });
    const store = newStore();
    const invocation = () => budgetedInvocation(store);
    const work = join(store.describe(), workFolder(TRAINING_JOB_SCHEMA.table, DAY_1, { accountId: ACCOUNT, region: REGION }));
    const savedParts = () => (existsSync(work) ? readdirSync(work).filter((name) => name.startsWith('part-')) : []);
    let step: TargetStep | undefined;
    for (let i = 0; i < 20 && savedParts().length === 0; i++) step = (await invocation()).step;
    expect(step?.status).toBe('continuing');
    for (const part of savedParts()) rmSync(join(work, part));

    // Act
    for (let i = 0; i < 20 && step?.status === 'continuing'; i++) step = (await invocation()).step;

    // Assess
    expect(step?.status === 'failed' && step.result.error).toMatch(/the saved part .*part-\d+\.parquet of .* is missing/);
    const partition = join(store.describe(), TRAINING_JOB_SCHEMA.table, `snapshot_date=${DAY_1}`);
    expect(existsSync(partition) ? readdirSync(partition, { recursive: true }) : []).toEqual([]);
    await expect(committedSnapshotKey(store, ACCOUNT, REGION, DAY_1)).rejects.toThrow('no run record');
  });

  it('refuses a second run of the same (account, region, date) while the first holds the lease', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 200, seed: 9, latencyMs: [5, 10] });
    const store = newStore();
    const first = await run({
      store,
      budgetMs: 800,
      softStopMs: 500,
      holder: 'execution-1',
      keepLeaseBetweenInvocations: true,
      config: { limits: { ListTrainingJobs: 2, DescribeTrainingJob: 50, ListTags: 50, GetResources: 50 } },
    });

    // Act
    const second = await run({ store, holder: 'execution-2' });

    // Assess
    expect(first.step.status).toBe('continuing');
    expect(second.step).toMatchObject({
      status: 'failed',
      result: {
        error: expect.stringMatching(/another run of 123456789012\/us-east-1 for 2026-11-01 holds .*lease\.json; this run was refused/),
      },
    });
  });

  it('sets aside a job the service will not describe, publishing the rest as incomplete', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 40, seed: 3 });
    const victim = running.simulator.world.plans(ACCOUNT, REGION)[7];
    running.simulator.onCall((operation, input) => {
      if (operation === 'DescribeTrainingJob' && input.TrainingJobName === victim.name)
        throw new AwsError(400, 'ValidationException', 'Training job name is not valid.');
    });
    const store = newStore();

    // Act
    const { step } = await run({ store });

    // Assess
    expect(step).toMatchObject({
      status: 'published',
      result: {
        status: 'incomplete',
        jobsWritten: 39,
        setAside: [
          {
            name: victim.name,
            arn: victim.arn,
            reason: expect.stringMatching(/^DescribeTrainingJob failed: ValidationException: Training job name is not valid/),
          },
        ],
      },
    });
    const rows = await publishedRows(store, ACCOUNT, REGION);
    expect(rows.map((row) => row._key)).not.toContain(victim.arn);
  });

  it('publishes nothing when so many jobs fail that the service, not a job, is at fault', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 40, seed: 3 });
    running.simulator.onCall((operation) => {
      if (operation === 'DescribeTrainingJob')
        throw new AwsError(403, 'AccessDeniedException', 'User is not authorized to perform: sagemaker:DescribeTrainingJob');
    });
    const store = newStore();

    // Act
    const { step } = await run({ store });

    // Assess
    expect(step).toMatchObject({
      status: 'failed',
      result: {
        error: expect.stringMatching(
          /40 of 40 jobs to describe in 123456789012\/us-east-1 could not be described \(more than 10\), so the service is failing, not a job; nothing was published/,
        ),
      },
    });
    expect(existsSync(join(store.describe(), `sagemaker_training_job/snapshot_date=${DAY_1}`))).toBe(false);
  });

  it('loses no job when 80% of calls are throttled for a while, or when 5xx and resets come in bursts', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 150, seed: 3 });
    let describes = 0;
    running.simulator.onCall((operation) => {
      // Once describing is under way: 1.5 s of an 80% throttling storm, then 1.5 s of 5xx and resets.
      if (operation !== 'DescribeTrainingJob' || ++describes !== 5) return;
      running.simulator.setFaults({ throttle: 0.8 });
      setTimeout(() => running.simulator.setFaults({ internalError: 0.15, unavailable: 0.1, connectionReset: 0.05 }), 1500);
      setTimeout(() => running.simulator.setFaults({}), 3000);
    });
    const store = newStore();

    // Act
    const { step } = await run({ store });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { status: 'succeeded', jobsWritten: 150 } });
    const stats = running.simulator.stats();
    expect(stats.DescribeTrainingJob.throttled).toBeGreaterThan(0);
    expect(stats.DescribeTrainingJob.faulted).toBeGreaterThan(0);
    await expectGroundTruth(store, running, DAY_1);
  });

  it('counts a job deleted between listing and describing as vanished, and leaves it out', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 60, seed: 9 });
    const victim = running.simulator.world.plans(ACCOUNT, REGION)[30];
    running.simulator.onCall((operation) => {
      if (operation === 'DescribeTrainingJob') running.simulator.world.deleteJob(ACCOUNT, REGION, victim.name);
    });
    const store = newStore();

    // Act
    const { step } = await run({ store });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { status: 'succeeded', jobsWritten: 59, collect: { jobsVanished: 1 } } });
  });

  it('reports a field the API returns that neither the SDK nor the schema knows, and still writes the job', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 10, seed: 4 });
    running.simulator.rewriteAnswers((operation, _input, output) =>
      operation === 'DescribeTrainingJob'
        ? {
            ...(output as object),
            QuantumConfig: { Qubits: 9 },
            ResourceConfig: { ...(output as { ResourceConfig: object }).ResourceConfig, HoloDeck: true },
          }
        : output,
    );
    const store = newStore();

    // Act
    const { step } = await run({ store });

    // Assess
    expect(step).toMatchObject({
      status: 'published',
      result: { jobsWritten: 10, unknownFields: { QuantumConfig: 10, 'ResourceConfig.HoloDeck': 10 } },
    });
  });

  it('writes an empty object, with its schema, for an account with no training jobs', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 0 });
    const store = newStore();

    // Act
    const { step } = await run({ store });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { status: 'succeeded', jobsWritten: 0 } });
    expect(await publishedRows(store, ACCOUNT, REGION)).toEqual([]);
  });
});
