import type { S3Client } from '@aws-sdk/client-s3';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { EVENTS_SERVICE_NAME } from '../../lambda/core/names';
import type { StateChangeEvent } from '../../simulator/world/state-change-events';
import { mismatches, readWarehouse } from '../support/compare';
import { withDuckDb } from '../support/duckdb';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';
import { createTestBucket, downloadBucket, listKeys, motoS3, startMoto, type RunningMoto } from '../support/moto-server';
import { createTestQueue, motoSqs, receiveAll, sqsEvent } from '../support/sqs-records';
import { lambdaContext } from '../stepfunctions/local-state-machine';

type HandlerModule = typeof import('../../lambda/functions/events/handler');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ACCOUNT = '123456789012';
const STRANGER = '210987654321';
/** A value the redactor would catch in a row, planted where only the event carries it: no log may show it. */
const SECRET = 'planted-hyperparameter-secret-4f1c9e';

/** Loads the handler as Lambda would: a fresh module whose cold start reads this environment. */
function loadHandler(env: Record<string, string>): HandlerModule {
  Object.assign(process.env, env);
  let loaded: HandlerModule | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy per block is the point: it re-runs the cold start
    loaded = require('../../lambda/functions/events/handler') as HandlerModule;
  });
  return loaded!;
}

/** Keeps what the function prints (its logs and EMF metrics) instead of showing it. */
function captureOutput(): string[] {
  const output: string[] = [];
  const keep = (chunk: string | Uint8Array) => (output.push(String(chunk)), true);
  jest.spyOn(process.stdout, 'write').mockImplementation(keep);
  jest.spyOn(process.stderr, 'write').mockImplementation(keep);
  return output;
}

const emfDocuments = (output: string[]) =>
  output
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line));

/** The event with a secret planted in its detail's HyperParameters. */
const withSecret = (event: StateChangeEvent): StateChangeEvent => ({
  ...event,
  detail: { ...event.detail, HyperParameters: { db_password: SECRET, epochs: '3' } },
});

/** The same event as if its job were in an account the inventory is not configured for. */
function fromStranger(event: StateChangeEvent): StateChangeEvent {
  const arn = (event.detail.TrainingJobArn as string).replace(`:${ACCOUNT}:`, `:${STRANGER}:`);
  return { ...event, id: `${event.id}-stranger`, account: STRANGER, resources: [arn], detail: { ...event.detail, TrainingJobArn: arn } };
}

interface Invocation {
  running: RunningSimulator;
  moto: RunningMoto;
  s3: S3Client;
  sqs: SQSClient;
  bucket: string;
  deadLetterQueueUrl: string;
  output: string[];
  response: SQSBatchResponse;
  /** The simulator's state changes of a day, as EventBridge delivered them. */
  events: StateChangeEvent[];
  /** The job deleted after its event was sent. */
  deletedArn: string;
}

/**
 * One invocation of the events function per block, over real HTTP: SageMaker and STS from the simulator, S3 and
 * SQS from moto. The batch: a day's state changes (duplicates included, secrets planted), and one record of each
 * bad kind. `broken` points the warehouse and the dead-letter queue at a bucket and a queue that do not exist.
 */
function invokeOnce(broken: boolean) {
  const saved = { ...process.env };
  const invocation = {} as Invocation;

  beforeAll(async () => {
    // Prepare
    const [running, moto] = await Promise.all([
      startSimulator({ regions: ['us-east-1'], jobsPerRegion: 30, seed: 7, now: Date.now() - 2 * DAY }),
      startMoto(),
    ]);
    Object.assign(invocation, { running, moto, s3: motoS3(moto), sqs: motoSqs(moto) });
    invocation.bucket = broken ? 'no-such-bucket' : await createTestBucket(invocation.s3, 'events');
    const queueUrl = await createTestQueue(invocation.sqs);
    invocation.deadLetterQueueUrl = broken ? queueUrl.replace(/[^/]+$/, 'no-such-queue') : queueUrl;
    running.simulator.world.recordStateChangeEvents();
    running.simulator.world.advance(DAY, { newJobsPerDay: 12, deleteRate: 0 });
    invocation.events = running.simulator.world.takeStateChangeEvents();
    const [first, second, third] = invocation.events;
    invocation.deletedArn = third.detail.TrainingJobArn as string;
    running.simulator.world.deleteJob(ACCOUNT, 'us-east-1', third.detail.TrainingJobName as string);
    const bodies = [
      ...invocation.events.map((event, i) => JSON.stringify(i % 5 === 0 ? withSecret(event) : event)),
      JSON.stringify({ ...first, id: 'other-type', 'detail-type': 'SageMaker Endpoint State Change' }),
      SECRET,
      JSON.stringify({ ...withSecret(second), id: 'no-arn', detail: { HyperParameters: { db_password: SECRET } } }),
      JSON.stringify(withSecret(fromStranger(first))),
    ];
    const { handler } = loadHandler({
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SAGEMAKER: running.endpoint,
      AWS_ENDPOINT_URL_STS: running.endpoint,
      AWS_ENDPOINT_URL_S3: moto.endpoint,
      AWS_ENDPOINT_URL_SQS: moto.endpoint,
      SM_INVENTORY_OUTPUT: `s3://${invocation.bucket}/inventory`,
      SM_INVENTORY_S3_FORCE_PATH_STYLE: 'true',
      SM_INVENTORY_MAX_ATTEMPTS: '2',
      SM_INVENTORY_LIMITS: 'DescribeTrainingJob=500,ListTags=500',
      SM_INVENTORY_DEAD_LETTER_QUEUE_URL: invocation.deadLetterQueueUrl,
    });
    invocation.output = captureOutput();

    // Act
    invocation.response = await handler(sqsEvent(bodies), lambdaContext(60_000)).finally(() => jest.restoreAllMocks());
  }, 120_000);
  afterAll(async () => {
    jest.restoreAllMocks();
    process.env = { ...saved };
    invocation.s3?.destroy();
    invocation.sqs?.destroy();
    await Promise.all([invocation.running?.stop(), invocation.moto?.stop()]);
  });
  return invocation;
}

/** The message ids of the day's events (the first records of the batch), and those of the four bad records after them. */
const recordIds = (invocation: Invocation) => {
  const good = invocation.events.map((_, i) => `m-${i}`);
  const n = invocation.events.length;
  return { good, otherType: `m-${n}`, notJson: `m-${n + 1}`, noArn: `m-${n + 2}`, stranger: `m-${n + 3}` };
};

const attribute = (message: Message, name: string) => message.MessageAttributes?.[name]?.StringValue;

describe('the events function, on a batch of state changes with one bad record of each kind', () => {
  const invocation = invokeOnce(false);

  it('hands no record back to SQS: each was applied, ignored, refused, skipped or dead-lettered', () => {
    // Assess
    expect(invocation.response).toEqual({ batchItemFailures: [] });
  });

  it('writes one change object whose rows are the changed jobs as the simulator describes them now, each once', async () => {
    // Prepare
    const world = invocation.running.simulator.world;
    const changed = new Set(invocation.events.map((event) => event.detail.TrainingJobArn as string));
    changed.delete(invocation.deletedArn);

    // Act
    const keys = await listKeys(invocation.s3, invocation.bucket);
    const local = await downloadBucket(invocation.s3, invocation.bucket);
    const rows = await withDuckDb((db) => readWarehouse(db, `${local}/inventory/sagemaker_training_job_change/*/*.parquet`));

    // Assess
    expect(keys).toEqual([
      expect.stringMatching(/^inventory\/sagemaker_training_job_change\/recorded_date=\d{4}-\d{2}-\d{2}\/[^/]+\.parquet$/),
    ]);
    expect(invocation.events.length).toBeGreaterThan(changed.size);
    expect([...rows.values()].map((row) => row._key).sort()).toEqual([...changed].sort());
    const plans = world.plans(ACCOUNT, 'us-east-1').filter((plan) => changed.has(plan.arn));
    expect(
      plans.flatMap((plan) =>
        mismatches(
          [...rows.values()].find((row) => row._key === plan.arn)!,
          world.describe(plan),
          plan.tags,
        ),
      ),
    ).toEqual([]);
  });

  it('sends the record that is not JSON and the event without a job ARN to the dead-letter queue, each with its reason', async () => {
    // Prepare
    const { notJson, noArn } = recordIds(invocation);

    // Act
    const letters = await receiveAll(invocation.sqs, invocation.deadLetterQueueUrl);

    // Assess
    const byRecord = Object.fromEntries(letters.map((m) => [attribute(m, 'sourceMessageId'), m]));
    expect(Object.keys(byRecord).sort()).toEqual([notJson, noArn].sort());
    expect(attribute(byRecord[notJson], 'reason')).toBe(
      `the message body (${SECRET.length} characters) is not JSON; expected one EventBridge event as the rule sends it`,
    );
    expect(byRecord[notJson].Body).toBe(SECRET);
    expect(attribute(byRecord[noArn], 'reason')).toBe('detail.TrainingJobArn is missing; the job cannot be described without it');
    expect(attribute(byRecord[noArn], 'eventId')).toBe('no-arn');
    expect(JSON.parse(byRecord[noArn].Body!).id).toBe('no-arn');
  });

  it('counts each kind of record in its EMF metrics', () => {
    // Prepare: every event of the deleted job is skipped with it
    const ofDeleted = invocation.events.filter((event) => event.detail.TrainingJobArn === invocation.deletedArn).length;

    // Act
    const batch = emfDocuments(invocation.output).find((document) => 'EventsApplied' in document);

    // Assess
    expect(batch).toMatchObject({
      service: EVENTS_SERVICE_NAME,
      EventsApplied: invocation.events.length - ofDeleted,
      EventsIgnored: 1,
      EventsDeadLettered: 2,
      EventsRefused: 1,
      EventsSkipped: ofDeleted,
      EventsRetried: 0,
    });
  });

  it('logs the refused event with its account and the skipped job with its ARN', () => {
    // Prepare
    const logs = invocation.output.join('');

    // Assess
    expect(logs).toMatch(new RegExp(`"message":"event refused[^"]*".*"accountId":"${STRANGER}"`));
    expect(logs).toMatch(new RegExp(`"message":"job skipped[^"]*".*"arn":"${invocation.deletedArn}"`));
  });

  it("never logs a value of an event's HyperParameters", () => {
    // Prepare
    const logs = invocation.output.join('');

    // Assess
    expect(logs).toContain('"message":"batch applied"');
    // Not even the start of a body that is not JSON, which Node's parser quotes in its message.
    expect(logs).not.toContain(SECRET.slice(0, 10));
  });
});

describe('the events function, when its change object and its dead letters cannot be written', () => {
  const invocation = invokeOnce(true);

  it('hands back every record the object would have carried, and the one whose dead letter failed', () => {
    // Prepare
    const { good, notJson, noArn } = recordIds(invocation);
    const deletedIndexes = invocation.events.flatMap((event, i) =>
      event.detail.TrainingJobArn === invocation.deletedArn ? [`m-${i}`] : [],
    );

    // Assess
    const failed = invocation.response.batchItemFailures.map((failure) => failure.itemIdentifier).sort();
    expect(failed).toEqual([...good.filter((id) => !deletedIndexes.includes(id)), notJson, noArn].sort());
  });

  it('counts the records handed back', () => {
    // Act
    const batch = emfDocuments(invocation.output).find((document) => 'EventsRetried' in document);

    // Assess
    expect(batch).toMatchObject({ EventsRetried: invocation.response.batchItemFailures.length, EventsDeadLettered: 0 });
  });

  it("logs why, without a value of an event's HyperParameters", () => {
    // Prepare
    const logs = invocation.output.join('');

    // Assess
    expect(logs).toContain('no-such-bucket');
    expect(logs).toContain('could not be sent to the dead-letter queue');
    expect(logs).not.toContain(SECRET);
  });
});
