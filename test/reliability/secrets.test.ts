import type { Context } from 'aws-lambda';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerSimulator } from '../../simulator/server';
import { runCliInProcess } from '../support/cli-in-process';
import { queryRows, withDuckDb } from '../support/duckdb';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

/**
 * Credentials of every kind the redaction knows, planted where training jobs carry them: environment,
 * hyperparameters (also as JSON inside a value), tags by key and by value, the failure reason and a
 * status message, container entrypoint and arguments, a JSON column's nested secret-named member, and
 * values under neutral keys (a connection string, a flag, an Authorization header).
 */
const PLANTED = {
  awsKeyId: 'AKIAIOSFODNN7PLANTED',
  pem: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7PLANTED\n-----END PRIVATE KEY-----',
  openAi: 'sk-live-PLANTEDq4eC39HqLyjWDarjtT1zdp7dc',
  huggingFace: 'hf_PLANTEDabcdefghijklmnopqrstuvwxyz',
  databaseUrl: 'postgres://trainer:PLANTED-pw-9x@db.internal:5432/features',
  byKey: 'PLANTED-plain-looking-value',
  inABadField: 'hf_PLANTEDinaBadFieldabcdefghijklmnop',
  tagByKey: 'PLANTED-tag-by-key',
  tagByValue: 'ghp_PLANTEDtagByValue0123456789abcdefghij',
  redisEmptyUser: 'PLANTED-redis-pw',
  bearerInFailure: 'PLANTEDbearerInFailureReason',
  statusMessage: 'PLANTED-status-pw',
  entrypointFlag: 'PLANTED-entrypoint-pw',
  argumentEquals: 'PLANTED-argument-key',
  argumentFlag: 'PLANTED-argument-db-pw',
  hookParameter: 'PLANTED-hook-token',
  jsonInHyperparameter: 'PLANTED-json-in-value',
  connectionString: 'PLANTED-connection-pw',
  neutralFlag: 'PLANTED-neutral-flag',
  neutralBearer: 'PLANTED-neutral-bearer',
};
const SECRETS = [
  PLANTED.awsKeyId,
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7PLANTED',
  PLANTED.openAi,
  PLANTED.huggingFace,
  'PLANTED-pw-9x',
  PLANTED.byKey,
  PLANTED.inABadField,
  PLANTED.tagByKey,
  PLANTED.tagByValue,
  PLANTED.redisEmptyUser,
  PLANTED.bearerInFailure,
  PLANTED.statusMessage,
  PLANTED.entrypointFlag,
  PLANTED.argumentEquals,
  PLANTED.argumentFlag,
  PLANTED.hookParameter,
  PLANTED.jsonInHyperparameter,
  PLANTED.connectionString,
  PLANTED.neutralFlag,
  PLANTED.neutralBearer,
];

function plant(running: RunningSimulator): void {
  const [first, second] = running.simulator.world.plans(SageMakerSimulator.defaultAccountId, 'us-east-1');
  // Tags reach the inventory by GetResources (or ListTags), apart from the Describe.
  Object.assign(first.tags, { 'db-password': PLANTED.tagByKey, note: `rotated to ${PLANTED.tagByValue}` });
  running.simulator.rewriteAnswers((operation, input, output) => {
    if (operation !== 'DescribeTrainingJob') return output;
    const job = output as Record<string, unknown>;
    if (input.TrainingJobName === first.name) {
      return {
        ...job,
        Environment: {
          AWS_ACCESS_KEY_ID: PLANTED.awsKeyId,
          SIGNING_KEY_PEM: PLANTED.pem,
          FEATURE_STORE: PLANTED.databaseUrl,
          PYTHONUNBUFFERED: '1',
          // Values under neutral keys.
          CONN: `Server=db.internal;User Id=trainer;Password=${PLANTED.connectionString};`,
          EXTRA_ARGS: `--epochs 3 --db-password ${PLANTED.neutralFlag}`,
          HEADERS: `Authorization: Bearer ${PLANTED.neutralBearer}`,
        },
        HyperParameters: {
          ...(job.HyperParameters as object),
          openai: PLANTED.openAi,
          hub: PLANTED.huggingFace,
          db_password: PLANTED.byKey,
          config: JSON.stringify({ tracking: { api_key: PLANTED.jsonInHyperparameter }, lr: 0.1 }),
        },
        AlgorithmSpecification: {
          ...(job.AlgorithmSpecification as object),
          ContainerEntrypoint: ['python', 'train.py', '--password', PLANTED.entrypointFlag],
          ContainerArguments: [
            '--hf-token',
            PLANTED.huggingFace,
            '--dsn',
            PLANTED.databaseUrl,
            `--api-key=${PLANTED.argumentEquals}`,
            '--db-password',
            PLANTED.argumentFlag,
          ],
        },
        DebugHookConfig: { S3OutputPath: 's3://bucket/debug', HookParameters: { save_interval: '100', api_token: PLANTED.hookParameter } },
        FailureReason: `AlgorithmError: cannot reach redis://:${PLANTED.redisEmptyUser}@cache.internal:6379 (sent Authorization: Bearer ${PLANTED.bearerInFailure})`,
        SecondaryStatusTransitions: [
          { Status: 'Starting', StartTime: job.CreationTime, StatusMessage: `retrying with password=${PLANTED.statusMessage}` },
        ],
      };
    }
    // A secret in a field of the wrong type: the job is set aside, and the reason must not quote it.
    if (input.TrainingJobName === second.name) return { ...job, BillableTimeInSeconds: PLANTED.inABadField };
    return output;
  });
}

async function everyCellAsText(root: string): Promise<string> {
  return withDuckDb(async (db) => {
    const rows = await queryRows(db, `SELECT * FROM read_parquet('${root}/**/*.parquet', union_by_name = true)`);
    return JSON.stringify(rows, (_key, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value instanceof Map ? Object.fromEntries(value) : value,
    );
  });
}

describe('secrets in training jobs', () => {
  let running: RunningSimulator;
  afterEach(async () => running?.stop());

  it('appear nowhere in the Parquet written by the CLI, nor in its output', async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 12, seed: 5 });
    plant(running);
    const root = mkdtempSync(join(tmpdir(), 'secrets-'));

    // Act
    const result = await runCliInProcess(['snapshot', '--regions', 'us-east-1', '--out', root, '--date', '2026-11-01', '--json'], {
      AWS_ENDPOINT_URL: running.endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });

    // Assess
    expect(result.code).toBe(2);
    const data = await everyCellAsText(root);
    expect(data).toContain('***REDACTED***');
    for (const secret of SECRETS) {
      expect(data).not.toContain(secret);
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    expect(result.stdout).toContain('BillableTimeInSeconds is a string; expected a whole number');
  });

  it("appear nowhere in the Lambda's logs, metrics or Parquet", async () => {
    // Prepare
    running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 12, seed: 5 });
    plant(running);
    const root = mkdtempSync(join(tmpdir(), 'secrets-lambda-'));
    const logs: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (logs.push(String(chunk)), true));
    const writeErr = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (logs.push(String(chunk)), true));
    const logged = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void logs.push(parts.map(String).join(' ')));
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: running.endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      SM_INVENTORY_OUTPUT: root,
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
    let handler: typeof import('../../lambda/functions/snapshot/handler').handler;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh cold start reading this environment
      handler = require('../../lambda/functions/snapshot/handler').handler;
    });

    // Act
    const outcome = await handler!({ snapshotDate: '2026-11-01' }, {
      functionName: 'f',
      awsRequestId: 'r',
      getRemainingTimeInMillis: () => 120_000,
    } as unknown as Context).then(
      (value) => ({ value }),
      (error: Error) => ({ error: error.message }),
    );
    write.mockRestore();
    writeErr.mockRestore();
    logged.mockRestore();
    process.env = saved;

    // Assess
    const text = logs.join('\n') + JSON.stringify(outcome);
    expect(text).toContain('a training job was set aside');
    expect(text).toContain('BillableTimeInSeconds is a string; expected a whole number');
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    const data = await everyCellAsText(root);
    for (const secret of SECRETS) expect(data).not.toContain(secret);
  });
});
