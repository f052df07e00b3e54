import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import type { StateChangeEvent } from '../../simulator/world/state-change-events';
import { SimulatedWarehouse } from '../support/simulated-warehouse';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The table's own columns: what live and current must agree on (the views add where each row came from). */
const JOB_COLUMNS = TRAINING_JOB_SCHEMA.columns.map((column) => column.name).join(', ');

/** Every job's row as text, by ARN, so two warehouses compare column by column. */
async function rowsByArn(warehouse: LocalWarehouse, view: string, arns?: ReadonlySet<string>): Promise<Map<string, string>> {
  const { rows } = await warehouse.query(`SELECT ${JOB_COLUMNS}, region FROM ${view}`);
  const text = (row: unknown) => JSON.stringify(row, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
  return new Map(rows.filter((row) => !arns || arns.has(String(row._key))).map((row) => [String(row._key), text(row)]));
}

async function withWarehouse<T>(out: string, read: (warehouse: LocalWarehouse) => Promise<T>): Promise<T> {
  const warehouse = await LocalWarehouse.open(out);
  try {
    return await read(warehouse);
  } finally {
    warehouse.close();
  }
}

describe('the live view, over a day of EventBridge state changes between two snapshots', () => {
  let setup: SimulatedWarehouse;
  let events: StateChangeEvent[];
  /** The warehouse as it was before any event, for replays. */
  let beforeEvents: string;
  let changedArns: Set<string>;
  let describesForBatch: number;

  beforeAll(async () => {
    setup = await SimulatedWarehouse.start({ regions: ['us-east-1'], jobsPerRegion: 150, seed: 23, now: Date.now() - 3 * DAY });
    setup.world.recordStateChangeEvents();
    await setup.snapshot('2026-11-01');
    beforeEvents = mkdtempSync(join(tmpdir(), 'before-events-'));
    cpSync(setup.out, beforeEvents, { recursive: true });
    setup.world.advance(DAY, { newJobsPerDay: 40, deleteRate: 0 });
    events = setup.world.takeStateChangeEvents();
    changedArns = new Set(events.map((event) => event.detail.TrainingJobArn as string));
    setup.running.simulator.resetStats();
    await setup.applyEvents(events);
    describesForBatch = setup.running.simulator.stats().DescribeTrainingJob.accepted;
  }, 120_000);
  afterAll(async () => setup?.stop());

  it('after the events, live holds every changed job as the simulator has it now, in every column', async () => {
    // Prepare: the truth, as a full snapshot of the same moment reads it
    const truth = mkdtempSync(join(tmpdir(), 'truth-'));
    await setup.snapshot('2026-11-02', undefined, { SM_INVENTORY_OUTPUT: truth });

    // Act
    const live = await withWarehouse(setup.out, (warehouse) => rowsByArn(warehouse, 'sagemaker_training_job_live', changedArns));

    // Assess
    const expected = await withWarehouse(truth, (warehouse) => rowsByArn(warehouse, 'sagemaker_training_job_current', changedArns));
    expect(changedArns.size).toBeGreaterThan(40);
    expect(live).toEqual(expected);
  });

  it('describes each job once, however many times EventBridge delivered its events', () => {
    // Assess
    const ids = events.map((event) => event.id);
    expect(new Set(ids).size).toBeLessThan(ids.length);
    expect(describesForBatch).toBe(changedArns.size);
  });

  it('gives the same live view when the events are applied in reverse order, in batches', async () => {
    // Prepare
    const replay = mkdtempSync(join(tmpdir(), 'reversed-'));
    cpSync(beforeEvents, replay, { recursive: true });
    const reversed = [...events].reverse();

    // Act
    for (let start = 0; start < reversed.length; start += 25) await setup.applyEvents(reversed.slice(start, start + 25), replay);

    // Assess
    const inOrder = await withWarehouse(setup.out, (warehouse) => rowsByArn(warehouse, 'sagemaker_training_job_live'));
    const inReverse = await withWarehouse(replay, (warehouse) => rowsByArn(warehouse, 'sagemaker_training_job_live'));
    expect(inReverse).toEqual(inOrder);
  });

  it('after the next snapshot, live equals current, and a job deleted between two of its events is gone', async () => {
    // Prepare: a job running now changes, is applied, is deleted, and its next change comes in
    setup.world.advance(HOUR, { newJobsPerDay: 0, deleteRate: 0, tagChangeRate: 0 });
    const running = setup.world.takeStateChangeEvents();
    const first = running[0];
    const arn = first.detail.TrainingJobArn as string;
    await setup.applyEvents([first]);
    setup.world.deleteJob(first.account, first.region, first.detail.TrainingJobName as string);
    const afterDeletion = await setup.applyEvents([
      { ...first, id: 'event-after-deletion', time: new Date(setup.world.now()).toISOString() },
    ]);

    // Act
    await setup.snapshot('2026-11-03');
    const { live, current } = await withWarehouse(setup.out, async (warehouse) => ({
      live: await rowsByArn(warehouse, 'sagemaker_training_job_live'),
      current: await rowsByArn(warehouse, 'sagemaker_training_job_current'),
    }));

    // Assess
    expect(afterDeletion.outcomes).toEqual([{ kind: 'skipped', arn, reason: expect.stringContaining('deleted after the event') }]);
    expect(live.has(arn)).toBe(false);
    expect(live).toEqual(current);
  });
});
