import { TrainingJobCollector } from '../../lambda/core/collect/training-job-collector';
import { createSourceClients } from '../../lambda/core/aws/clients';
import { CollectError } from '../../lambda/core/errors';
import { TrainingJobRowMapper } from '../../lambda/core/rows/training-job-row';
import { SageMakerSimulator } from '../../lambda/simulator/server';
import { drain, startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGION = 'us-east-1';
const FAST = { ListTrainingJobs: 1000, DescribeTrainingJob: 1000, ListTags: 1000, GetResources: 1000 };

function collectorFor(running: RunningSimulator, overrides: Partial<ConstructorParameters<typeof TrainingJobCollector>[0]> = {}) {
  const clients = running.clients(REGION, { maxAttempts: 3 });
  return new TrainingJobCollector({ ...clients, accountId: ACCOUNT, region: REGION, limits: FAST, ...overrides });
}

function groundTruth(running: RunningSimulator) {
  const world = running.simulator.world;
  return new Map(world.plans(ACCOUNT, REGION).map((plan) => [plan.arn, { job: world.describe(plan), tags: plan.tags }]));
}

describe('TrainingJobCollector against the SageMaker simulator over HTTP', () => {
  let running: RunningSimulator;
  afterEach(async () => running?.stop());

  it('returns every job across many pages, each exactly as Describe and the tags say', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 437, seed: 7 });
    const collector = collectorFor(running);

    // Act
    const records = await drain(collector.records());

    // Assess
    const truth = groundTruth(running);
    expect(records).toHaveLength(437);
    expect(new Set(records.map((r) => r.job.TrainingJobArn)).size).toBe(437);
    for (const record of records) {
      const expected = truth.get(record.job.TrainingJobArn!)!;
      expect(record.job).toEqual(JSON.parse(JSON.stringify(expected.job), reviveDates));
      expect(record.tags).toEqual(expected.tags);
    }
    expect(collector.stats().operations.ListTrainingJobs.calls).toBe(5);
    expect(collector.stats().operations.DescribeTrainingJob.calls).toBe(437);
  });

  it('brings every schema column to the row mapper for some job', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 400, seed: 11 });
    const mapper = new TrainingJobRowMapper();

    // Act
    const rows = (await drain(collectorFor(running).records())).map((record) => mapper.map(record).row);

    // Assess
    const columnsNeverFilled = Object.keys(rows[0]).filter((column) => rows.every((row) => row[column] === null));
    expect(columnsNeverFilled).toEqual([]);
  });

  it('loses no job when 80% of calls are throttled for a while', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 150, seed: 3, faults: { throttle: 0.8 } });
    let describes = 0;
    running.simulator.onCall((operation) => {
      // Start a second storm once describing is under way, so Describe calls are hit too.
      if (operation === 'DescribeTrainingJob' && ++describes === 20) {
        running.simulator.setFaults({ throttle: 0.8 });
        setTimeout(() => running.simulator.setFaults({}), 2000);
      }
    });
    setTimeout(() => running.simulator.setFaults({}), 1500);
    const collector = collectorFor(running);

    // Act
    const records = await drain(collector.records());

    // Assess
    expect(records).toHaveLength(150);
    const seenByClient = Object.values(collector.stats().operations).reduce((sum, op) => sum + op.throttles, 0);
    const sentByServer = Object.values(running.simulator.stats()).reduce((sum, op) => sum + op.throttled, 0);
    expect(collector.stats().operations.DescribeTrainingJob.throttles).toBeGreaterThan(0);
    expect(seenByClient).toBe(sentByServer);
  });

  it('retries 5xx answers and connection resets without losing a job', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 120, seed: 5, faults: { internalError: 0.1, unavailable: 0.1, connectionReset: 0.05 } });
    const collector = collectorFor(running, { sagemaker: running.clients(REGION, { maxAttempts: 8 }).sagemaker, tagging: running.clients(REGION, { maxAttempts: 8 }).tagging });

    // Act
    const records = await drain(collector.records());

    // Assess
    expect(records).toHaveLength(120);
    const faulted = Object.values(running.simulator.stats()).reduce((sum, c) => sum + c.faulted, 0);
    expect(faulted).toBeGreaterThan(0);
    expect(collector.stats().operations.DescribeTrainingJob.retries).toBeGreaterThan(0);
  });

  it('skips a job deleted between listing and describing, and counts it', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 60, seed: 9 });
    const victim = running.simulator.world.plans(ACCOUNT, REGION)[30];
    running.simulator.onCall((operation) => {
      if (operation === 'DescribeTrainingJob') running.simulator.world.deleteJob(ACCOUNT, REGION, victim.name);
    });
    const collector = collectorFor(running);

    // Act
    const records = await drain(collector.records());

    // Assess
    expect(records.map((r) => r.job.TrainingJobArn)).not.toContain(victim.arn);
    expect(records).toHaveLength(59);
    expect(collector.stats().jobsVanished).toBe(1);
  });

  it('returns nothing, without error, for an account with zero jobs', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 0 });

    // Act
    const records = await drain(collectorFor(running).records());

    // Assess
    expect(records).toEqual([]);
  });

  it('reads tags with ListTags per job when asked, with the same result as the bulk path', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 80, seed: 13 });
    const perJob = collectorFor(running, { tagStrategy: 'per-job' });
    const bulk = collectorFor(running, { tagStrategy: 'bulk' });

    // Act
    const viaListTags = await drain(perJob.records());
    const viaBulk = await drain(bulk.records());

    // Assess
    const tagsOf = (records: typeof viaBulk) => Object.fromEntries(records.map((r) => [r.job.TrainingJobArn!, r.tags]));
    expect(tagsOf(viaListTags)).toEqual(tagsOf(viaBulk));
    expect(perJob.stats().operations.ListTags.calls).toBe(80);
    expect(bulk.stats().operations.ListTags).toBeUndefined();
    expect(bulk.stats().operations.GetResources.calls).toBe(1);
  });

  it('fails with a clear error naming the operation when credentials are rejected', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 5, rejectedAccessKeys: [TEST_CREDENTIALS.accessKeyId] });

    // Act
    const attempt = drain(collectorFor(running).records());

    // Assess
    await expect(attempt).rejects.toThrow(CollectError);
    await expect(attempt).rejects.toThrow(/ListTrainingJobs failed in us-east-1 for account 123456789012: UnrecognizedClientException/);
  });

  it('gives up with a clear error, not a hang, when the endpoint refuses connections', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 1 });
    const clients = running.clients(REGION, { maxAttempts: 2 });
    await running.simulator.stop();
    const collector = new TrainingJobCollector({ ...clients, accountId: ACCOUNT, region: REGION, limits: FAST });

    // Act
    const attempt = drain(collector.records());

    // Assess
    await expect(attempt).rejects.toThrow(/ListTrainingJobs failed in us-east-1 .*ECONNREFUSED/);
  });

  it('gives up with a clear error naming the region when the region does not exist', async () => {
    // Prepare: no endpoint override, so the SDK resolves the real regional endpoint, which has no DNS name.
    const saved = Object.entries(process.env).filter(([k]) => k.startsWith('AWS_ENDPOINT_URL'));
    for (const [key] of saved) delete process.env[key];
    const clients = createSourceClients({ region: 'xx-east-9', credentials: TEST_CREDENTIALS, maxAttempts: 2, connectionTimeoutMs: 2000 });
    const collector = new TrainingJobCollector({ ...clients, accountId: ACCOUNT, region: 'xx-east-9', limits: FAST });

    // Act
    const attempt = drain(collector.records());

    // Assess
    await expect(attempt).rejects.toThrow(/ListTrainingJobs failed in xx-east-9 for account 123456789012: .*(ENOTFOUND|EAI_AGAIN).*api\.sagemaker\.xx-east-9\.amazonaws\.com/);
    for (const client of Object.values(clients)) client.destroy();
    Object.assign(process.env, Object.fromEntries(saved));
  });

  it('stops retrying throttled calls when the time budget runs out', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 5, faults: { throttle: 1 } });
    const collector = collectorFor(running, { deadline: Date.now() + 1500 });

    // Act
    const attempt = drain(collector.records());

    // Assess
    await expect(attempt).rejects.toThrow(/ListTrainingJobs (failed|not finished) in us-east-1 .*time budget ran out/);
    expect(collector.stats().operations.ListTrainingJobs.throttles).toBeGreaterThan(0);
  });

  it('stops, reporting how far it got, once the time budget is spent even without throttling', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 300, latencyMs: [5, 10] });
    const collector = collectorFor(running, { deadline: Date.now() + 700, limits: { ...FAST, DescribeTrainingJob: 100 } });

    // Act
    const attempt = drain(collector.records());

    // Assess
    // Which call is in flight when the budget ends depends on the machine's speed; either way the message says how far it got.
    await expect(attempt).rejects.toThrow(/(ListTrainingJobs|DescribeTrainingJob) not finished in us-east-1 for account 123456789012: the run's time budget ran out after \d+ of \d+ jobs listed so far were described/);
    expect(collector.stats().jobsDescribed).toBeLessThan(300);
  });

  it('never sends faster than its configured limit', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 60, limits: { DescribeTrainingJob: 20 } });
    const collector = collectorFor(running, { limits: { ...FAST, DescribeTrainingJob: 20 } });

    // Act
    await drain(collector.records());

    // Assess
    expect(running.simulator.stats().DescribeTrainingJob.throttled).toBe(0);
    expect(running.simulator.peakAccepted('DescribeTrainingJob')).toBeLessThanOrEqual(21);
  });
});

function reviveDates(_key: string, value: unknown): unknown {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) ? new Date(value) : value;
}
