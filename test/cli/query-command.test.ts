import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runQueryCommand, type QueryFlags } from '../../cli/commands/query';
import { QueryError } from '../../lambda/core/errors';
import { readConfig } from '../../lambda/core/pipeline/config';
import { runSnapshot } from '../../lambda/core/pipeline/snapshot';
import { loadSqlCatalog } from '../../lambda/core/query/sql-catalog';
import { writeCostAndUsageReport } from '../../simulator/world/cur-export-writer';
import { runCliInProcess } from '../support/cli-in-process';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

function capture() {
  let text = '';
  const stream = new Writable({ write: (chunk, _encoding, done) => ((text += String(chunk)), done()) });
  return { io: { out: stream, err: stream, setExitCode: () => undefined }, text: () => text };
}

describe('sm-inventory query', () => {
  let running: RunningSimulator;
  const warehouse = mkdtempSync(join(tmpdir(), 'warehouse-'));
  const flags = (extra: Partial<QueryFlags> = {}): QueryFlags => ({ warehouse, format: 'csv', database: 'sagemaker_inventory', ...extra });

  beforeAll(async () => {
    running = await startSimulator({ jobsPerRegion: 40, seed: 21 });
    const config = readConfig({
      SM_INVENTORY_REGIONS: 'us-east-1',
      SM_INVENTORY_OUTPUT: warehouse,
      SM_INVENTORY_LIMITS: 'ListTrainingJobs=100,DescribeTrainingJob=500,GetResources=100',
    });
    process.env.AWS_ENDPOINT_URL = running.endpoint;
    await runSnapshot(config, { credentials: TEST_CREDENTIALS, snapshotDate: '2026-11-01' });
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL;
    await running.stop();
  });

  it('runs SQL over the local warehouse and prints the result', async () => {
    // Prepare
    const { io, text } = capture();

    // Act
    const code = await runQueryCommand('SELECT count(*) AS jobs FROM sagemaker_training_job', flags(), io);

    // Assess
    expect(code).toBe(0);
    expect(text()).toBe('jobs\n40\n');
  });

  it('with --cur, runs a billed-cost query over the export folder as AWS Data Exports writes it', async () => {
    // Prepare
    const { io, text } = capture();
    const cur = mkdtempSync(join(tmpdir(), 'cur-'));
    const bill = running.simulator.world.costAndUsageReport();
    await writeCostAndUsageReport(bill, cur);

    // Act
    const code = await runQueryCommand(
      "SELECT count(*) AS lines FROM cost_and_usage_report WHERE line_item_line_item_type = 'Tax'",
      flags({ cur }),
      io,
    );

    // Assess
    expect(code).toBe(0);
    expect(text()).toBe(`lines\n${bill.filter((line) => line.line_item_line_item_type === 'Tax').length}\n`);
  });

  it('refuses --cur with --athena, where the deployment names the CUR table', async () => {
    // Act
    const attempt = runQueryCommand('unattributed_training_spend', flags({ athena: true, workgroup: 'w', cur: '/tmp/cur' }), capture().io);

    // Assess
    await expect(attempt).rejects.toThrow(
      "--cur /tmp/cur is for the local warehouse; allowed with --athena: nothing, the deployment's costAndUsageReport prop names the CUR 2.0 table",
    );
  });

  it('runs a shipped named query by its name', async () => {
    // Prepare
    const { io, text } = capture();

    // Act
    const code = await runQueryCommand('jobs_by_status', flags({ format: 'json' }), io);

    // Assess
    expect(code).toBe(0);
    const rows = text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.reduce((sum, row) => sum + Number(row.jobs), 0)).toBe(40);
  });

  it('lists the shipped views and queries with --list', async () => {
    // Prepare
    const { io, text } = capture();

    // Act
    const code = await runQueryCommand(undefined, flags({ list: true }), io);

    // Assess
    const { views, queries } = loadSqlCatalog();
    expect(code).toBe(0);
    expect(
      text()
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/)[1]),
    ).toEqual([...views, ...queries].map((d) => d.name));
  });

  it('exits 1 with a usage message when given nothing to run', async () => {
    // Act
    const result = await runCliInProcess(['query', '--warehouse', warehouse]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'error: query needs SQL text or the name of a view or named query; allowed: sm-inventory query NAME|"SQL" (sm-inventory query --list lists the names)\n',
    );
  });

  it('refuses --list given with a query, naming both', async () => {
    // Act
    const result = await runCliInProcess(['query', '--list', 'jobs_by_status']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: --list and the query "jobs_by_status" contradict each other; allowed: one of them\n');
  });

  it('refuses --athena with --warehouse, naming both', async () => {
    // Act
    const result = await runCliInProcess(['query', 'jobs_by_status', '--athena', '--warehouse', warehouse]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: option '--athena' cannot be used with option '--warehouse <dir>'\n/);
  });

  it('shows control characters in table cells as escapes, so a failure reason cannot drive the terminal', async () => {
    // Prepare: a failure reason holding a colour change, a window-title sequence, a carriage return and a bell.
    const reason = '\x1b[31mOOM\x1b]0;pwned\x07\rfake line\x9b2J';
    const sql = `SELECT '${reason}' AS failure_reason`;

    // Act
    const result = await runCliInProcess(['query', sql, '--warehouse', warehouse]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\\x1b[31mOOM\\x1b]0;pwned\\x07\\rfake line\\x9b2J');
    expect([...result.stdout].filter((char) => char !== '\n' && (char < ' ' || (char >= '\x7f' && char <= '\x9f')))).toEqual([]);
  });

  it('names the folder and the command to run when the warehouse has no snapshot', async () => {
    // Prepare
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));

    // Act
    const attempt = runQueryCommand('jobs_by_status', flags({ warehouse: empty }), capture().io);

    // Assess
    await expect(attempt).rejects.toThrow(QueryError);
    await expect(attempt).rejects.toThrow(
      `no snapshots under ${empty}/sagemaker_training_job; run "sm-inventory snapshot --out ${empty}" first`,
    );
  });

  it('asks for a workgroup before it calls Athena', async () => {
    // Act
    const attempt = runQueryCommand('jobs_by_status', flags({ athena: true }), capture().io);

    // Assess
    await expect(attempt).rejects.toThrow(
      '--athena needs --workgroup <name>; allowed: the workgroup the stack created (output AthenaWorkgroup)',
    );
  });
});
