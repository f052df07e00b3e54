import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

// The function logs every view it creates; the level is read when the module loads, so it is set before the require below.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the log level is set, which a hoisted import would not be
const { handler } = require('../../lambda/functions/athena-views/handler') as typeof import('../../lambda/functions/athena-views/handler');

const context = { getRemainingTimeInMillis: () => 120_000, logStreamName: 'stream' } as Context;
const VIEWS = [
  { Name: 'v_a', Sql: 'CREATE OR REPLACE VIEW v_a AS SELECT 1 AS x' },
  { Name: 'v_b', Sql: 'CREATE OR REPLACE VIEW v_b AS SELECT x FROM v_a' },
];

describe('the Athena views custom resource', () => {
  const athena = mockClient(AthenaClient);
  let server: Server;
  let responses: Record<string, unknown>[];
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        responses.push({ method: req.method, ...JSON.parse(body) });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
  });
  afterAll(async () => {
    athena.restore();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    responses = [];
    athena.reset();
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
  });

  const event = (type: 'Create' | 'Update' | 'Delete', views = VIEWS, oldViews = VIEWS) =>
    ({
      RequestType: type,
      ResponseURL: url,
      StackId: 'stack',
      RequestId: 'req',
      LogicalResourceId: 'Views',
      PhysicalResourceId: 'Views-views',
      ResourceType: 'Custom::AthenaViews',
      ServiceToken: 'arn',
      ResourceProperties: { ServiceToken: 'arn', Workgroup: 'wg', Database: 'db', Views: views },
      OldResourceProperties: { ServiceToken: 'arn', Workgroup: 'wg', Database: 'db', Views: oldViews },
    }) as unknown as CloudFormationCustomResourceEvent;

  const statements = () => athena.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input.QueryString);

  it('creates the views in order', async () => {
    // Act
    await handler(event('Create'), context);

    // Assess
    expect(statements()).toEqual(VIEWS.map((v) => v.Sql));
  });

  it("runs the statements in the resource's workgroup and database", async () => {
    // Act
    await handler(event('Create'), context);

    // Assess
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input).toMatchObject({
      WorkGroup: 'wg',
      QueryExecutionContext: { Database: 'db' },
    });
  });

  it('reports success to CloudFormation, once, with the physical id', async () => {
    // Act
    await handler(event('Create'), context);

    // Assess
    expect(responses).toEqual([
      {
        method: 'PUT',
        Status: 'SUCCESS',
        Reason: 'See stream',
        PhysicalResourceId: 'Views-views',
        StackId: 'stack',
        RequestId: 'req',
        LogicalResourceId: 'Views',
      },
    ]);
  });

  it('on update, replaces the views and drops the ones no longer shipped', async () => {
    // Act
    await handler(event('Update', [VIEWS[0]], VIEWS), context);

    // Assess
    expect(statements()).toEqual([VIEWS[0].Sql, 'DROP VIEW IF EXISTS v_b']);
  });

  it("on an update that changes only the schema fingerprint (a table's columns changed), re-creates every view", async () => {
    // Prepare
    const update = event('Update') as unknown as {
      ResourceProperties: Record<string, unknown>;
      OldResourceProperties: Record<string, unknown>;
    };
    update.ResourceProperties.SchemaFingerprint = 'after';
    update.OldResourceProperties.SchemaFingerprint = 'before';

    // Act
    await handler(update as unknown as CloudFormationCustomResourceEvent, context);

    // Assess
    expect(statements()).toEqual(VIEWS.map((v) => v.Sql));
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });

  it('on update, succeeds with the new views in place when dropping a view no longer shipped is refused (the role may write only shipped views)', async () => {
    // Prepare
    athena
      .on(StartQueryExecutionCommand, { QueryString: 'DROP VIEW IF EXISTS v_b' })
      .rejects(Object.assign(new Error('not authorized to perform: glue:DeleteTable'), { name: 'AccessDeniedException' }));

    // Act
    await handler(event('Update', [VIEWS[0]], VIEWS), context);

    // Assess
    expect(statements()).toEqual([VIEWS[0].Sql, 'DROP VIEW IF EXISTS v_b']);
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
  });

  it('on delete, drops the views in reverse order', async () => {
    // Act
    await handler(event('Delete'), context);

    // Assess
    expect(statements()).toEqual(['DROP VIEW IF EXISTS v_b', 'DROP VIEW IF EXISTS v_a']);
  });

  it("reports FAILED with Athena's reason when a view does not compile", async () => {
    // Prepare
    athena
      .on(GetQueryExecutionCommand)
      .resolves({ QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'line 1:8: Table v_a does not exist' } } });

    // Act
    await handler(event('Create'), context);

    // Assess
    expect(responses).toEqual([
      expect.objectContaining({ Status: 'FAILED', Reason: 'Athena query q failed: line 1:8: Table v_a does not exist' }),
    ]);
  });
});
