import { join } from 'node:path';
import { QueryError } from '../../lambda/core/errors';
import { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { loadSqlCatalog } from '../../lambda/core/query/sql-catalog';
import { COST_AND_USAGE_REPORT_SCHEMA, TABLE_SCHEMAS } from '../../lambda/core/schema/table-schema';
import { SageMakerSimulator } from '../../simulator/server';
import { documentedSqlExamples } from '../support/documentation';
import type { RunningSimulator } from '../support/local-simulator';
import { SimulatedWarehouse } from '../support/simulated-warehouse';
import { billableInstanceSeconds } from './capacity-truth';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGIONS = ['us-east-1', 'eu-west-1'];
const DOCUMENTED_SQL = documentedSqlExamples();

describe('the local DuckDB warehouse over two daily snapshots', () => {
  let setup: SimulatedWarehouse;
  let running: RunningSimulator;
  let warehouse: LocalWarehouse;
  let out: string;
  let curExport: string;
  /** Each job as its last snapshot saw it: billable instance-seconds and team, by ARN (day 1's, then day 2's over them). */
  const lastSeen = new Map<string, { seconds: number | undefined; team: string }>();
  const recordSeen = () => {
    const world = running.simulator.world;
    for (const region of REGIONS)
      for (const plan of world.plans(ACCOUNT, region))
        lastSeen.set(plan.arn, { seconds: billableInstanceSeconds(world.describe(plan)), team: plan.tags.team ?? '(untagged)' });
  };

  beforeAll(async () => {
    setup = await SimulatedWarehouse.start({ regions: REGIONS, jobsPerRegion: 200, seed: 77 });
    ({ running, out } = setup);
    await setup.snapshot('2026-11-01');
    recordSeen();
    setup.world.advance(86_400_000);
    await setup.snapshot('2026-11-02');
    recordSeen();
    // A morning's state changes of the jobs still running (none new, none deleted), applied after the last snapshot.
    setup.world.recordStateChangeEvents();
    setup.world.advance(6 * 3_600_000, { newJobsPerDay: 0, tagChangeRate: 0, deleteRate: 0 });
    await setup.applyEvents(setup.world.takeStateChangeEvents());
    // A price snapshot too, as npm start writes one, so the cost queries have rows.
    await setup.prices('2026-11-02');
    // And the simulator's CUR 2.0 export, as npm start writes one, so the billed-cost queries have rows.
    curExport = await setup.costAndUsageReport();
    warehouse = await setup.open({ curExport });
  }, 60_000);
  afterAll(async () => setup?.stop());

  it('exposes the table with every snapshot, typed like the Glue table', async () => {
    // Act
    const result = await warehouse.query(
      'SELECT snapshot_date, region, CAST(count(*) AS integer) AS jobs FROM sagemaker_training_job GROUP BY snapshot_date, region ORDER BY snapshot_date, region',
    );

    // Assess
    const day2 = (region: string) => running.simulator.world.plans(ACCOUNT, region).length;
    expect(result.rows).toEqual([
      { snapshot_date: '2026-11-01', region: 'eu-west-1', jobs: 200 },
      { snapshot_date: '2026-11-01', region: 'us-east-1', jobs: 200 },
      { snapshot_date: '2026-11-02', region: 'eu-west-1', jobs: day2('eu-west-1') },
      { snapshot_date: '2026-11-02', region: 'us-east-1', jobs: day2('us-east-1') },
    ]);
  });

  it.each([...TABLE_SCHEMAS, COST_AND_USAGE_REPORT_SCHEMA].map((schema) => [schema.table, schema] as const))(
    "types %s's columns as Athena shows them: timestamps without a time zone, partitions as text, and $path",
    async (_table, schema) => {
      // Act
      const { rows } = await warehouse.query(`DESCRIBE ${schema.table}`);

      // Assess
      const types = Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
      const expected = [...schema.columns, ...schema.partitionKeys].map((c) => [
        c.name,
        {
          timestamp: 'TIMESTAMP',
          string: 'VARCHAR',
          bigint: 'BIGINT',
          double: 'DOUBLE',
          boolean: 'BOOLEAN',
          'map<string,string>': 'MAP(VARCHAR, VARCHAR)',
        }[c.type],
      ]);
      // "$path": the object each row came from, Athena's hidden column, which the views read committed objects by.
      expect(types).toEqual({ ...Object.fromEntries(expected), $path: 'VARCHAR' });
    },
  );

  it('shows each job once in the current view, in its newest state', async () => {
    // Act
    const result = await warehouse.query(
      "SELECT _key, training_job_status, snapshot_date FROM sagemaker_training_job_current WHERE region = 'us-east-1'",
    );

    // Assess
    const world = running.simulator.world;
    const expected = world
      .plans(ACCOUNT, 'us-east-1')
      .map((plan) => ({ _key: plan.arn, training_job_status: world.describe(plan).TrainingJobStatus, snapshot_date: '2026-11-02' }));
    expect([...result.rows].sort((a, b) => String(a._key).localeCompare(String(b._key)))).toEqual(
      expected.sort((a, b) => a._key.localeCompare(b._key)),
    );
  });

  it('computes billable hours per team equal to the ground truth, jobs deleted after day 1 included', async () => {
    // Prepare: the expected figures, from the simulator's own job plans as each job was last seen.
    const expected = new Map<string, number>();
    for (const { seconds, team } of lastSeen.values()) {
      if (seconds !== undefined) expected.set(team, (expected.get(team) ?? 0) + seconds);
    }

    // Act
    const result = await warehouse.query('top_teams_by_billable_hours');

    // Assess
    const top = [...expected]
      .map(([team, seconds]) => ({ team, hours: Math.round((seconds / 3600) * 100) / 100 }))
      .sort((a, b) => b.hours - a.hours || a.team.localeCompare(b.team))
      .slice(0, 10);
    expect(result.rows.map((r) => ({ team: r.team, hours: Number(r.billable_instance_hours) }))).toEqual(top);
  });

  it.each(loadSqlCatalog().queries.map((query) => [query.name]))('runs the shipped named query %s, which finds rows', async (name) => {
    // Act
    const result = await warehouse.query(name);

    // Assess
    expect(result.rows.length).toBeGreaterThan(0);
  });

  it('finds SQL examples in the documentation', () => {
    // Assess
    expect(DOCUMENTED_SQL.length).toBeGreaterThan(0);
  });

  it.each(DOCUMENTED_SQL.map(({ name, sql }) => [name, sql]))('runs the SQL of %s, which finds rows', async (_name, sql) => {
    // Act
    const result = await warehouse.query(sql);

    // Assess
    expect(result.rows.length).toBeGreaterThan(0);
  });

  it('reports a missing warehouse clearly', async () => {
    // Act
    const attempt = LocalWarehouse.open(join(out, 'nowhere'));

    // Assess
    await expect(attempt).rejects.toThrow(QueryError);
    await expect(attempt).rejects.toThrow(/no snapshots under .*nowhere\/sagemaker_training_job; run "sm-inventory snapshot --out/);
  });

  it('registers the export from its data/ folder as well as from the export folder', async () => {
    // Prepare
    const fromData = await LocalWarehouse.open(out, { curExport: join(curExport, 'data') });

    // Act
    const [whole, data] = await Promise.all(
      [warehouse, fromData].map((w) =>
        w.query('SELECT count(*) AS n, count(DISTINCT billing_period) AS periods FROM cost_and_usage_report'),
      ),
    );
    fromData.close();

    // Assess
    expect(data.rows).toEqual(whole.rows);
    expect(Number(whole.rows[0].periods)).toBeGreaterThan(0);
  });

  it('refuses a --cur folder without BILLING_PERIOD folders, naming it and what is allowed', async () => {
    // Act
    const attempt = LocalWarehouse.open(out, { curExport: out });

    // Assess
    await expect(attempt).rejects.toThrow(
      `--cur ${out} holds no BILLING_PERIOD=YYYY-MM folder; allowed: an AWS Data Exports CUR 2.0 export folder (holding data/BILLING_PERIOD=YYYY-MM/*.parquet) or its data/ folder`,
    );
  });

  it('without a Cost and Usage Report, says which flag a billed-cost query needs', async () => {
    // Prepare
    const withoutReport = await LocalWarehouse.open(out);

    // Act
    const attempt = withoutReport.query('unattributed_training_spend');

    // Assess
    await expect(attempt).rejects.toThrow(
      'unattributed_training_spend reads the Cost and Usage Report, and this warehouse has none; allowed: pass --cur <dir>, an AWS Data Exports CUR 2.0 export folder',
    );
    withoutReport.close();
  });

  it('names the DuckDB error of a bad query', async () => {
    // Act
    const attempt = warehouse.query('SELECT nope FROM sagemaker_training_job');

    // Assess
    await expect(attempt).rejects.toThrow(/DuckDB could not run the query: Binder Error: Referenced column "nope" not found/);
  });
});
