import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { createAthenaClient } from '../../lambda/core/aws/clients';
import { QueryError } from '../../lambda/core/errors';
import { AthenaQueryRunner } from '../../lambda/core/query/athena-query-runner';
import { runCli } from '../support/cli';
import { TEST_CREDENTIALS } from '../support/local-simulator';
import { startMoto, type RunningMoto } from '../support/moto-server';

describe('AthenaQueryRunner against the moto server over HTTP', () => {
  let moto: RunningMoto;

  beforeAll(async () => {
    moto = await startMoto();
  }, 60_000);
  afterAll(async () => moto?.stop());

  async function seedResult(rows: string[][], columns: { Name: string; Type: string }[]): Promise<void> {
    const response = await fetch(`${moto.endpoint}/moto-api/static/athena/query-results`, {
      method: 'POST',
      body: JSON.stringify({
        account_id: '123456789012',
        region: 'us-east-1',
        results: [
          {
            rows: rows.map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })),
            column_info: columns.map((c) => ({ ...c, Label: c.Name, Nullable: 'UNKNOWN', CaseSensitive: false })),
          },
        ],
      }),
    });
    expect(response.status).toBe(201);
  }

  it('starts the query, waits for it and returns typed rows without the header row', async () => {
    // Prepare
    await seedResult(
      [
        ['team', 'jobs', 'hours'],
        ['vision', '12', '3.5'],
        ['ads', '7', '1.25'],
      ],
      [
        { Name: 'team', Type: 'varchar' },
        { Name: 'jobs', Type: 'integer' },
        { Name: 'hours', Type: 'double' },
      ],
    );
    const client = createAthenaClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: TEST_CREDENTIALS });

    // Act
    const result = await new AthenaQueryRunner(client, { workgroup: 'primary', database: 'sagemaker_inventory' }).query(
      'SELECT team, count(*) AS jobs FROM t GROUP BY team',
    );
    client.destroy();

    // Assess
    expect(result).toEqual({
      columns: ['team', 'jobs', 'hours'],
      rows: [
        { team: 'vision', jobs: 12, hours: 3.5 },
        { team: 'ads', jobs: 7, hours: 1.25 },
      ],
    });
  });

  it('is what `sm-inventory query --athena` runs, printing CSV', async () => {
    // Prepare
    await seedResult(
      [
        ['training_job_status', 'jobs'],
        ['Completed', '70'],
      ],
      [
        { Name: 'training_job_status', Type: 'varchar' },
        { Name: 'jobs', Type: 'bigint' },
      ],
    );

    // Act
    const result = await runCli(['query', 'jobs_by_status', '--athena', '--workgroup', 'primary', '--format', 'csv'], {
      AWS_ENDPOINT_URL_ATHENA: moto.endpoint,
    }).done;

    // Assess
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('training_job_status,jobs\nCompleted,70\n');
  });
});

describe('AthenaQueryRunner paging, waiting and failures (SDK mocked)', () => {
  // mockClient patches every AthenaClient: set up only for this block, after the HTTP tests ran.
  let athena: ReturnType<typeof mockClient>;
  beforeAll(() => (athena = mockClient(AthenaClient)));
  afterEach(() => athena.reset());
  afterAll(() => athena.restore());
  const runner = () =>
    new AthenaQueryRunner(new AthenaClient({ region: 'us-east-1', credentials: TEST_CREDENTIALS }), {
      workgroup: 'wg',
      pollInitialMs: 1,
      pollMaxMs: 2,
    });

  /** A query that is queued, then running, then done, whose result comes in two pages. */
  function mockPagedQuery(): void {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    const meta = { ColumnInfo: [{ Name: 'n', Type: 'varchar' }] };
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q1', NextToken: undefined })
      .resolves({
        ResultSet: { ResultSetMetadata: meta, Rows: [{ Data: [{ VarCharValue: 'n' }] }, { Data: [{ VarCharValue: 'a' }] }] },
        NextToken: 't2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q1', NextToken: 't2' })
      .resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [{ Data: [{ VarCharValue: 'b' }] }, { Data: [{}] }] } });
  }

  it('polls until SUCCEEDED', async () => {
    // Prepare
    mockPagedQuery();

    // Act
    await runner().query('SELECT n FROM t');

    // Assess
    expect(athena.commandCalls(GetQueryExecutionCommand)).toHaveLength(3);
  });

  it('reads every page of results, an empty cell as NULL', async () => {
    // Prepare
    mockPagedQuery();

    // Act
    const result = await runner().query('SELECT n FROM t');

    // Assess
    expect(result.rows).toEqual([{ n: 'a' }, { n: 'b' }, { n: null }]);
  });

  it("reports a failed query with Athena's reason", async () => {
    // Prepare
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: "SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved" } },
    });

    // Act
    const attempt = runner().query('SELECT nope FROM t');

    // Assess
    await expect(attempt).rejects.toThrow(QueryError);
    await expect(attempt).rejects.toThrow("Athena query q2 failed: SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved");
  });

  it('rejects a workgroup name Athena would refuse, naming it', () => {
    // Act
    const attempt = () => new AthenaQueryRunner(new AthenaClient({ region: 'us-east-1' }), { workgroup: 'my workgroup' });

    // Assess
    expect(attempt).toThrow('workgroup "my workgroup" is not allowed; allowed: 1-128 letters, digits, . _ -');
  });
});
