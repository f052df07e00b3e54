import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { ACCOUNT, heterogeneousClusterJob, instancePreferenceJob, minimalJob, REGION } from '../support/fixtures';
import { billableInstanceSeconds, capacityOf } from './capacity-truth';
import { publishFixtureSnapshot } from './warehouse-writer';

const FINISHED = { TrainingJobStatus: 'Completed', SecondaryStatus: 'Completed' } as const;

/** One instance for 399 s: Athena's DECIMAL division would show 0.1 hours. */
const shortJob: DescribeTrainingJobResponse = {
  ...minimalJob('short-single-instance'),
  ...FINISHED,
  ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
  TrainingTimeInSeconds: 399,
  BillableTimeInSeconds: 399,
  SecondaryStatusTransitions: [
    { Status: 'Starting', StartTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), EndTime: new Date(Date.UTC(2026, 0, 2, 3, 6, 0, 1)) },
    { Status: 'Training', StartTime: new Date(Date.UTC(2026, 0, 2, 3, 6, 0, 1)) },
  ],
};
/** Several groups are 'mixed' even when they share a type (each group is still priced at its own type's price). */
const oneTypeGroups: DescribeTrainingJobResponse = {
  ...minimalJob('one-type-groups'),
  ...FINISHED,
  ResourceConfig: {
    VolumeSizeInGB: 30,
    InstanceGroups: [
      { InstanceGroupName: 'a', InstanceType: 'ml.g5.2xlarge', InstanceCount: 2 },
      { InstanceGroupName: 'b', InstanceType: 'ml.g5.2xlarge', InstanceCount: 3 },
    ],
  },
  BillableTimeInSeconds: 100,
};
/** A single group is its type. */
const singleGroup: DescribeTrainingJobResponse = {
  ...minimalJob('single-group'),
  ...FINISHED,
  ResourceConfig: { VolumeSizeInGB: 30, InstanceGroups: [{ InstanceGroupName: 'only', InstanceType: 'ml.c5.4xlarge', InstanceCount: 4 }] },
  BillableTimeInSeconds: 250,
};
/** Placed by preference, still waiting for capacity: no type selected yet, one count for whichever is. */
const pendingPreference: DescribeTrainingJobResponse = {
  ...minimalJob('pending-preference'),
  ResourceConfig: {
    VolumeSizeInGB: 30,
    InstanceCount: 2,
    InstancePreferences: [{ InstanceType: 'ml.p5.48xlarge' }, { InstanceType: 'ml.p4d.24xlarge' }],
  },
};
const JOBS = [shortJob, heterogeneousClusterJob(), oneTypeGroups, singleGroup, instancePreferenceJob(), pendingPreference];

describe('the flat view over one job of each capacity shape', () => {
  let warehouse: LocalWarehouse;
  let byName: Map<string, Record<string, unknown>>;

  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), 'shapes-'));
    await publishFixtureSnapshot(root, {
      date: '2026-01-03',
      accountId: ACCOUNT,
      region: REGION,
      records: JOBS.map((job) => ({ job, tags: {}, region: REGION })),
    });
    warehouse = await LocalWarehouse.open(root);
    const { rows } = await warehouse.query('SELECT * FROM sagemaker_training_job_flat');
    byName = new Map(rows.map((row) => [row.training_job_name as string, row]));
  });
  afterAll(() => warehouse?.close());

  it("shows billable instance-hours to the second's precision, as a DOUBLE (399 s is 0.1108 h, not 0.1)", async () => {
    // Act
    const { rows } = await warehouse.query(
      "SELECT billable_instance_hours, typeof(billable_instance_hours) AS type FROM sagemaker_training_job_flat WHERE training_job_name = 'short-single-instance'",
    );

    // Assess
    expect(rows).toEqual([{ billable_instance_hours: 399 / 3600, type: 'DOUBLE' }]);
  });

  it.each(JOBS.map((job) => [job.TrainingJobName!, job] as const))(
    "derives %s's capacity shape, instance type, count and billable instance-seconds",
    (name, job) => {
      // Prepare
      const capacity = capacityOf(job);
      const seconds = billableInstanceSeconds(job);

      // Assess
      const row = byName.get(name)!;
      expect([row.capacity_shape, row.instance_type, row.instance_count, row.billable_instance_seconds]).toEqual([
        capacity.shape,
        capacity.instanceType,
        capacity.instanceCount === null ? null : String(capacity.instanceCount),
        seconds === undefined ? null : String(seconds),
      ]);
    },
  );

  it('covers a cluster of several types, several groups of one type, a single group, a selected and a pending preference', () => {
    // Assess
    expect(JOBS.map((job) => [capacityOf(job).shape, capacityOf(job).instanceType])).toEqual([
      ['instance_type', 'ml.m5.xlarge'],
      ['instance_groups', 'mixed'],
      ['instance_groups', 'mixed'],
      ['instance_groups', 'ml.c5.4xlarge'],
      ['instance_preferences', 'ml.g5.2xlarge'],
      ['instance_preferences', null],
    ]);
  });

  it('types dates as DATE, flags as text QuickSight can filter on, timestamps without a time zone and hours as DOUBLE', async () => {
    // Act
    const { rows } = await warehouse.query('DESCRIBE sagemaker_training_job_flat');

    // Assess
    const types = Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
    expect(types).toMatchObject({
      snapshot_date: 'DATE',
      creation_date: 'DATE',
      creation_time: 'TIMESTAMP',
      training_end_time: 'TIMESTAMP',
      managed_spot_training: 'VARCHAR',
      instance_count: 'BIGINT',
      billable_instance_seconds: 'BIGINT',
      billable_instance_hours: 'DOUBLE',
      spot_savings_percent: 'DOUBLE',
    });
    expect(Object.values(types).filter((type) => /BOOLEAN|MAP|STRUCT|\[\]|WITH TIME ZONE/.test(String(type)))).toEqual([]);
  });

  it('parses the ISO-8601 dates inside JSON columns with from_iso8601_timestamp, to the millisecond', async () => {
    // Act
    const { rows } = await warehouse.query(
      "SELECT CAST(from_iso8601_timestamp(json_extract_scalar(secondary_status_transitions, '$[0].StartTime')) AS timestamp) AS started, " +
        "date_diff('millisecond', from_iso8601_timestamp(json_extract_scalar(secondary_status_transitions, '$[0].StartTime')), " +
        "from_iso8601_timestamp(json_extract_scalar(secondary_status_transitions, '$[0].EndTime'))) AS starting_ms " +
        "FROM sagemaker_training_job_current WHERE training_job_name = 'short-single-instance'",
    );

    // Assess
    const [starting] = shortJob.SecondaryStatusTransitions!;
    expect(rows).toEqual([
      {
        started: starting.StartTime!.toISOString().replace('T', ' ').replace('Z', ''),
        starting_ms: String(starting.EndTime!.getTime() - starting.StartTime!.getTime()),
      },
    ]);
  });
});
