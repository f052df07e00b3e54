import type { S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EVENTS_SERVICE_NAME, PRICES_SERVICE_NAME, SERVICE_NAME } from '../../lambda/core/names';
import { buildApp } from '../../lib/app';
import { testApp } from '../support/cdk-app';
import { mismatches, readWarehouse } from '../support/compare';
import { withDuckDb } from '../support/duckdb';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';
import { createTestBucket, downloadBucket, listKeys, motoS3, startMoto, type RunningMoto } from '../support/moto-server';
import { withoutGeneration } from '../support/object-names';
import { sqsEvent } from '../support/sqs-records';

const run = promisify(execFile);

const REGIONS = ['us-east-1', 'eu-west-1'];
const JOBS_PER_REGION = 120;

/** The bundle folder of the stack's function whose Powertools service name is `service`. */
function assetOf(outdir: string, service: string): string {
  const template = JSON.parse(readFileSync(join(outdir, 'SageMakerJobInventory.template.json'), 'utf8'));
  const fn = Object.values(
    template.Resources as Record<
      string,
      { Type: string; Properties: { Environment?: { Variables?: Record<string, string> }; Code: { S3Key: string } } }
    >,
  ).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service)!;
  return join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
}

/**
 * Calls the handler of the bundle in `assetDir` under plain Node, with only `environment` (and PATH) set, and returns what
 * it printed: `RESULT <json>` when the handler resolves, `FAILED <error name>: <message>` when it rejects.
 */
async function invokeBundle(
  assetDir: string,
  event: unknown,
  remainingMillis: number,
  environment: Record<string, string>,
): Promise<string> {
  const invoke = `require(${JSON.stringify(join(assetDir, 'index.js'))}).handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => ${remainingMillis}, functionName: 'f', awsRequestId: 'r' })
    .then((result) => { console.error('RESULT ' + JSON.stringify(result)); }, (error) => { console.error('FAILED ' + error.name + ': ' + error.message); })`;
  const { stderr } = await run(process.execPath, ['-e', invoke], {
    env: {
      PATH: process.env.PATH,
      TMPDIR: process.env.TMPDIR,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...environment,
    },
  });
  return stderr;
}

describe('the Lambda bundle that cdk synth produces', () => {
  let running: RunningSimulator;
  let moto: RunningMoto;
  let s3: S3Client;
  let parquetAssets: string[];
  const assetDirs: Record<string, string> = {};
  /** What every bundle that calls AWS needs to reach the simulator and moto. */
  let awsEnvironment: Record<string, string>;

  beforeAll(async () => {
    // Prepare: one real synth with bundling (esbuild, no Docker), as `cdk deploy` would upload it.
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const { app } = buildApp(testApp({ 'inventory:liveEvents': 'true' }, { bundle: true, outdir }));
    app.synth();
    // Each function's S3 key names its asset.
    parquetAssets = readdirSync(outdir)
      .filter((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'parquet_wasm_bg.wasm')))
      .map((d) => join(outdir, d));
    for (const service of [SERVICE_NAME, PRICES_SERVICE_NAME, EVENTS_SERVICE_NAME]) assetDirs[service] = assetOf(outdir, service);
    [running, moto] = await Promise.all([startSimulator({ regions: REGIONS, jobsPerRegion: JOBS_PER_REGION, seed: 42 }), startMoto()]);
    s3 = motoS3(moto);
    awsEnvironment = {
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      SM_INVENTORY_REGIONS: REGIONS.join(','),
      SM_INVENTORY_S3_FORCE_PATH_STYLE: 'true',
    };
  }, 120_000);
  afterAll(async () => {
    s3?.destroy();
    await Promise.all([running?.stop(), moto?.stop()]);
  });

  it('carries parquet-wasm in the three bundles that write Parquet, the snapshot, the price refresh and the events function', () => {
    // Assess
    expect(parquetAssets).toHaveLength(3);
    expect(parquetAssets.sort()).toEqual([assetDirs[SERVICE_NAME], assetDirs[PRICES_SERVICE_NAME], assetDirs[EVENTS_SERVICE_NAME]].sort());
  });

  it.each([SERVICE_NAME, PRICES_SERVICE_NAME, EVENTS_SERVICE_NAME])(
    "ships parquet-wasm's .wasm beside the %s bundle, and no node_modules",
    (service) => {
      // Act
      const files = readdirSync(assetDirs[service]).sort();

      // Assess
      expect(files).toEqual(['index.js', 'index.js.map', 'parquet_wasm_bg.wasm']);
    },
  );

  it("runs the price refresh bundle under plain Node against the simulator's Price List API and S3", async () => {
    // Prepare
    const bucket = await createTestBucket(s3, 'prices-bundle');

    // Act
    const output = await invokeBundle(assetDirs[PRICES_SERVICE_NAME], { snapshotDate: '2026-11-02' }, 300_000, {
      ...awsEnvironment,
      AWS_ENDPOINT_URL_PRICING: running.endpoint,
      SM_INVENTORY_OUTPUT: `s3://${bucket}/inventory`,
    });

    // Assess
    expect(output).toContain(
      `RESULT {"snapshotDate":"2026-11-02","location":"s3://${bucket}/inventory/sagemaker_instance_price/snapshot_date=2026-11-02/prices.parquet","prices":24}`,
    );
    expect(await listKeys(s3, bucket)).toEqual(['inventory/sagemaker_instance_price/snapshot_date=2026-11-02/prices.parquet']);
  });

  describe('the snapshot bundle, run under plain Node against the simulator and S3', () => {
    const expectedJobs = REGIONS.length * JOBS_PER_REGION;
    let bucket: string;
    let output: string;

    beforeAll(async () => {
      // Prepare
      bucket = await createTestBucket(s3, 'bundle');

      // Act
      output = await invokeBundle(assetDirs[SERVICE_NAME], { snapshotDate: '2026-11-01' }, 600_000, {
        ...awsEnvironment,
        AWS_ENDPOINT_URL_SAGEMAKER: running.endpoint,
        AWS_ENDPOINT_URL_STS: running.endpoint,
        AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API: running.endpoint,
        SM_INVENTORY_OUTPUT: `s3://${bucket}/inventory`,
        SM_INVENTORY_LIMITS: 'ListTrainingJobs=100,DescribeTrainingJob=500,GetResources=100',
      });
    }, 60_000);

    it('reports every job of every region written', () => {
      // Assess
      expect(output).toContain(`RESULT {"snapshotDate":"2026-11-01","jobsWritten":${expectedJobs}`);
    });

    it('writes one snapshot, one run record, one ledger of first-seen jobs and one state object per region', async () => {
      // Act
      const keys = (await listKeys(s3, bucket)).map(withoutGeneration);

      // Assess
      expect(keys).toEqual([
        'inventory/_state/sagemaker_training_job/region=eu-west-1/123456789012.json',
        'inventory/_state/sagemaker_training_job/region=us-east-1/123456789012.json',
        'inventory/sagemaker_inventory_run/snapshot_date=2026-11-01/region=eu-west-1/123456789012.parquet',
        'inventory/sagemaker_inventory_run/snapshot_date=2026-11-01/region=us-east-1/123456789012.parquet',
        'inventory/sagemaker_training_job/snapshot_date=2026-11-01/region=eu-west-1/123456789012.<generation>.parquet',
        'inventory/sagemaker_training_job/snapshot_date=2026-11-01/region=us-east-1/123456789012.<generation>.parquet',
        'inventory/sagemaker_training_job_ledger/snapshot_date=2026-11-01/region=eu-west-1/123456789012.<generation>.parquet',
        'inventory/sagemaker_training_job_ledger/snapshot_date=2026-11-01/region=us-east-1/123456789012.<generation>.parquet',
      ]);
    });

    it('writes a snapshot DuckDB reads back exactly as the simulator describes the jobs', async () => {
      // Prepare
      const local = await downloadBucket(s3, bucket);
      const world = running.simulator.world;
      const plans = REGIONS.flatMap((region) => world.plans('123456789012', region));

      // Act
      const rows = await withDuckDb((db) => readWarehouse(db, `${local}/inventory/sagemaker_training_job/*/*/*.parquet`));

      // Assess
      expect(rows.size).toBe(expectedJobs);
      expect(plans.flatMap((plan) => mismatches(rows.get(`2026-11-01|${plan.arn}`)!, world.describe(plan), plan.tags))).toEqual([]);
    });
  });

  it('keeps its error names through minifying, since the state machine retries and reports errors by name', async () => {
    // Prepare: a step event the function refuses.
    const event = { step: 'publish' };

    // Act
    const output = await invokeBundle(assetDirs[SERVICE_NAME], event, 60_000, {
      SM_INVENTORY_OUTPUT: mkdtempSync(join(tmpdir(), 'bundle-')),
    });

    // Assess
    expect(output).toContain('FAILED ConfigError: function event: step is "publish"; allowed: resolve, collect, summarize');
  });

  it("runs the events bundle under plain Node on an SQS batch of the simulator's state changes, into S3", async () => {
    // Prepare: an hour of the simulator's state changes (after the snapshot tests, which compare against its jobs as they were)
    const bucket = await createTestBucket(s3, 'events-bundle');
    const world = running.simulator.world;
    world.recordStateChangeEvents();
    world.advance(3_600_000, { newJobsPerDay: 24, deleteRate: 0 });
    const events = world.takeStateChangeEvents().filter((event) => event.region === 'us-east-1');
    const jobs = new Set(events.map((event) => event.detail.TrainingJobArn)).size;

    // Act
    const output = await invokeBundle(assetDirs[EVENTS_SERVICE_NAME], sqsEvent(events.map((event) => JSON.stringify(event))), 120_000, {
      ...awsEnvironment,
      AWS_ENDPOINT_URL_SAGEMAKER: running.endpoint,
      AWS_ENDPOINT_URL_STS: running.endpoint,
      AWS_ENDPOINT_URL_SQS: moto.endpoint,
      SM_INVENTORY_OUTPUT: `s3://${bucket}/inventory`,
      SM_INVENTORY_LIMITS: 'DescribeTrainingJob=500,ListTags=500',
      SM_INVENTORY_DEAD_LETTER_QUEUE_URL: `${moto.endpoint}/123456789012/events-bundle-dlq`,
    });

    // Assess
    expect(jobs).toBeGreaterThan(0);
    expect(output).toContain('RESULT {"batchItemFailures":[]}');
    expect(await listKeys(s3, bucket)).toEqual([
      expect.stringMatching(/^inventory\/sagemaker_training_job_change\/recorded_date=[\d-]+\/[^/]+\.parquet$/),
    ]);
  });
});
