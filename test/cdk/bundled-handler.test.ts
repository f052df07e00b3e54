import type { S3Client } from '@aws-sdk/client-s3';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PRICES_SERVICE_NAME, SERVICE_NAME } from '../../lambda/core/names';
import { buildApp } from '../../lib/app';
import { testApp } from '../support/cdk-app';
import { mismatches, readWarehouse } from '../support/compare';
import { withDuckDb } from '../support/duckdb';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';
import { createTestBucket, downloadBucket, listKeys, motoS3, startMoto, type RunningMoto } from '../support/moto-server';

const run = promisify(execFile);

/** The bundle folder of the stack's function whose Powertools service name is `service`. */
function assetOf(outdir: string, service: string): string {
  const template = JSON.parse(readFileSync(join(outdir, 'SageMakerJobInventory.template.json'), 'utf8'));
  const fn = Object.values(template.Resources as Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, string> }; Code: { S3Key: string } } }>).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === service,
  )!;
  return join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
}

describe('the Lambda bundle that cdk synth produces', () => {
  let running: RunningSimulator;
  let moto: RunningMoto;
  let s3: S3Client;
  let assetDir: string;
  let priceAssetDir: string;

  beforeAll(async () => {
    // Prepare: one real synth with bundling (esbuild, no Docker), as `cdk deploy` would upload it.
    const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const { app } = buildApp(testApp({}, { bundle: true, outdir }));
    app.synth();
    // Two assets carry parquet-wasm (the snapshot and the price refresh); each function's S3 key names its asset.
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && existsSync(join(outdir, d, 'parquet_wasm_bg.wasm')));
    expect(assets).toHaveLength(2);
    assetDir = assetOf(outdir, SERVICE_NAME);
    priceAssetDir = assetOf(outdir, PRICES_SERVICE_NAME);
    [running, moto] = await Promise.all([startSimulator({ regions: ['us-east-1', 'eu-west-1'], jobsPerRegion: 120, seed: 42 }), startMoto()]);
    s3 = motoS3(moto);
  }, 120_000);
  afterAll(async () => {
    s3?.destroy();
    await Promise.all([running?.stop(), moto?.stop()]);
  });

  it('ships parquet-wasm\'s .wasm beside each bundle that writes Parquet, and no node_modules', () => {
    expect(readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map', 'parquet_wasm_bg.wasm']);
    expect(readdirSync(priceAssetDir).sort()).toEqual(['index.js', 'index.js.map', 'parquet_wasm_bg.wasm']);
  });

  it('runs the price refresh bundle under plain Node against the simulator\'s Price List API and S3', async () => {
    // Prepare
    const bucket = await createTestBucket(s3, 'prices-bundle');
    const invoke = `require(${JSON.stringify(join(priceAssetDir, 'index.js'))}).handler({ snapshotDate: '2026-11-02' }, { getRemainingTimeInMillis: () => 300000, functionName: 'f', awsRequestId: 'r' })
      .then((result) => { console.error('RESULT ' + JSON.stringify(result)); }, (error) => { console.error('FAILED ' + error.message); process.exit(1); })`;

    // Act
    const { stderr } = await run(process.execPath, ['-e', invoke], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_PRICING: running.endpoint,
        AWS_ENDPOINT_URL_S3: moto.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
        SM_INVENTORY_OUTPUT: `s3://${bucket}/inventory`,
        SM_INVENTORY_S3_FORCE_PATH_STYLE: 'true',
      },
    });

    // Assess
    expect(stderr).toContain(`RESULT {"snapshotDate":"2026-11-02","location":"s3://${bucket}/inventory/sagemaker_instance_price/snapshot_date=2026-11-02/prices.parquet","prices":24}`);
    expect(await listKeys(s3, bucket)).toEqual(['inventory/sagemaker_instance_price/snapshot_date=2026-11-02/prices.parquet']);
  });

  it('runs under plain Node against the simulator and S3, writing a snapshot DuckDB reads back exactly', async () => {
    // Prepare
    const bucket = await createTestBucket(s3, 'bundle');
    const invoke = `require(${JSON.stringify(join(assetDir, 'index.js'))}).handler({ snapshotDate: '2026-11-01' }, { getRemainingTimeInMillis: () => 600000, functionName: 'f', awsRequestId: 'r' })
      .then((result) => { console.error('RESULT ' + JSON.stringify(result)); }, (error) => { console.error('FAILED ' + error.message); process.exit(1); })`;

    // Act
    const { stderr } = await run(process.execPath, ['-e', invoke], {
      env: {
        PATH: process.env.PATH,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_SAGEMAKER: running.endpoint,
        AWS_ENDPOINT_URL_STS: running.endpoint,
        AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API: running.endpoint,
        AWS_ENDPOINT_URL_S3: moto.endpoint,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        SM_INVENTORY_REGIONS: 'us-east-1,eu-west-1',
        SM_INVENTORY_OUTPUT: `s3://${bucket}/inventory`,
        SM_INVENTORY_S3_FORCE_PATH_STYLE: 'true',
        SM_INVENTORY_LIMITS: 'ListTrainingJobs=100,DescribeTrainingJob=500,GetResources=100',
      },
    });

    // Assess
    expect(stderr).toContain('RESULT {"snapshotDate":"2026-11-01","jobsWritten":240');
    expect(await listKeys(s3, bucket)).toEqual([
      'inventory/_state/sagemaker_training_job/region=eu-west-1/123456789012.json',
      'inventory/_state/sagemaker_training_job/region=us-east-1/123456789012.json',
      'inventory/sagemaker_inventory_run/snapshot_date=2026-11-01/region=eu-west-1/123456789012.parquet',
      'inventory/sagemaker_inventory_run/snapshot_date=2026-11-01/region=us-east-1/123456789012.parquet',
      'inventory/sagemaker_training_job/snapshot_date=2026-11-01/region=eu-west-1/123456789012.parquet',
      'inventory/sagemaker_training_job/snapshot_date=2026-11-01/region=us-east-1/123456789012.parquet',
    ]);
    const local = await downloadBucket(s3, bucket);
    const rows = await withDuckDb((db) => readWarehouse(db, `${local}/inventory/sagemaker_training_job/*/*/*.parquet`));
    const world = running.simulator.world;
    const plans = ['us-east-1', 'eu-west-1'].flatMap((region) => world.plans('123456789012', region));
    expect(rows.size).toBe(240);
    expect(plans.flatMap((plan) => mismatches(rows.get(`2026-11-01|${plan.arn}`)!, world.describe(plan), plan.tags))).toEqual([]);
  });

  it('keeps its error names through minifying, since the state machine retries and reports errors by name', async () => {
    // Prepare: a step event the function refuses.
    const invoke = `require(${JSON.stringify(join(assetDir, 'index.js'))}).handler({ step: 'publish' }, { getRemainingTimeInMillis: () => 60000, functionName: 'f', awsRequestId: 'r' })
      .then(() => process.exit(1), (error) => { console.error('FAILED ' + error.name + ': ' + error.message); })`;

    // Act
    const { stderr } = await run(process.execPath, ['-e', invoke], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', SM_INVENTORY_OUTPUT: mkdtempSync(join(tmpdir(), 'bundle-')), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });

    // Assess
    expect(stderr).toContain('FAILED ConfigError: function event: step is "publish"; allowed: resolve, collect, summarize');
  });
});
