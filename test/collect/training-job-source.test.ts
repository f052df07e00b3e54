import { createSourceClients } from '../../lambda/core/aws/clients';
import { TrainingJobSource, TimeBudgetExhaustedError } from '../../lambda/core/collect/training-job-source';
import { CollectError } from '../../lambda/core/errors';
import { OPERATIONS } from '../../simulator/operations';
import { SageMakerSimulator } from '../../simulator/server';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';
import { FAST_LIMITS } from '../support/target-run';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGION = 'us-east-1';

function sourceFor(
  clients: ReturnType<RunningSimulator['clients']>,
  overrides: { limits?: typeof FAST_LIMITS; signal?: AbortSignal; region?: string; jobThrottleAttempts?: number } = {},
) {
  return new TrainingJobSource({
    ...clients,
    accountId: ACCOUNT,
    region: overrides.region ?? REGION,
    limits: overrides.limits ?? FAST_LIMITS,
    signal: overrides.signal ?? new AbortController().signal,
    jobThrottleAttempts: overrides.jobThrottleAttempts,
  });
}

async function allSummaries(source: TrainingJobSource): Promise<{ names: string[]; pages: number }> {
  const names: string[] = [];
  let pages = 0;
  for await (const page of source.summaryPages()) {
    pages++;
    names.push(...page.summaries.map((s) => s.TrainingJobName!));
  }
  return { names, pages };
}

describe('TrainingJobSource against the SageMaker simulator over HTTP', () => {
  let running: RunningSimulator;
  afterEach(async () => running?.stop());

  it('lists every job, oldest first, 100 a page', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 437, seed: 7 });
    const source = sourceFor(running.clients(REGION));

    // Act
    const { names, pages } = await allSummaries(source);

    // Assess
    const plans = running.simulator.world.plans(ACCOUNT, REGION);
    expect(pages).toBe(5);
    expect(names).toEqual(plans.map((p) => p.name));
    expect(source.sender.calls.snapshot().ListTrainingJobs.calls).toBe(5);
  });

  it('resumes listing from a saved token, continuing where the last page ended', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 250, seed: 4 });
    const first = sourceFor(running.clients(REGION));
    let token: string | undefined;
    const before: string[] = [];
    for await (const page of first.summaryPages()) {
      before.push(...page.summaries.map((s) => s.TrainingJobName!));
      token = page.nextToken;
      break;
    }

    // Act
    const after = await allSummaries(sourceFor(running.clients(REGION)));
    const resumed: string[] = [];
    for await (const page of sourceFor(running.clients(REGION)).summaryPages(token))
      resumed.push(...page.summaries.map((s) => s.TrainingJobName!));

    // Assess
    expect([...before, ...resumed]).toEqual(after.names);
  });

  it('reads the same tags in bulk (100 jobs a call) as with ListTags per job', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 80, seed: 13 });
    const source = sourceFor(running.clients(REGION));
    const plans = running.simulator.world.plans(ACCOUNT, REGION);

    // Act
    const bulk = new Map<string, Record<string, string>>();
    for await (const page of source.tagPages()) for (const [arn, tags] of page.tags) bulk.set(arn, tags);
    const perJob = new Map<string, Record<string, string>>();
    for (const plan of plans) perJob.set(plan.arn, await source.listTags(plan.arn));

    // Assess
    for (const plan of plans) expect(bulk.get(plan.arn) ?? {}).toEqual(perJob.get(plan.arn));
    expect(source.sender.calls.snapshot().GetResources.calls).toBe(1);
    expect(source.sender.calls.snapshot().ListTags.calls).toBe(80);
  });

  it('describes a job as DescribeTrainingJob returns it, and calls a deleted one vanished', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 3, seed: 2 });
    const [plan, gone] = running.simulator.world.plans(ACCOUNT, REGION);
    running.simulator.world.deleteJob(ACCOUNT, REGION, gone.name);
    const source = sourceFor(running.clients(REGION));

    // Act
    const described = await source.describe(plan.name);
    const vanished = await source.describe(gone.name);

    // Assess
    expect(described).toEqual({ kind: 'described', job: running.simulator.world.describe(plan), unknownApiFields: [] });
    expect(vanished).toEqual({ kind: 'vanished' });
  });

  it('defers a job whose Describe keeps failing with 5xx, after its few attempts, instead of waiting for the deadline', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 2, seed: 2 });
    const [plan] = running.simulator.world.plans(ACCOUNT, REGION);
    running.simulator.setFaults({ internalError: 1 });
    const source = sourceFor(running.clients(REGION));

    // Act
    const outcome = await source.describe(plan.name);

    // Assess
    expect(outcome).toEqual({ kind: 'deferred', reason: expect.stringMatching(/^DescribeTrainingJob failed 8 times: InternalFailure/) });
    expect(source.sender.calls.snapshot().DescribeTrainingJob.calls).toBe(8);
  });

  it('defers a job throttled on its own, after its throttle cap, once Describe has succeeded for another job', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 2, seed: 2 });
    const [served, throttled] = running.simulator.world.plans(ACCOUNT, REGION);
    running.simulator.onCall((operation, input) => {
      if (operation === 'DescribeTrainingJob' && input.TrainingJobName === throttled.name)
        throw OPERATIONS.DescribeTrainingJob.throttlingError();
    });
    const source = sourceFor(running.clients(REGION), { jobThrottleAttempts: 2 });

    // Act
    const first = await source.describe(served.name);
    const outcome = await source.describe(throttled.name);

    // Assess
    expect(first.kind).toBe('described');
    expect(outcome).toEqual({
      kind: 'deferred',
      reason: expect.stringMatching(
        /^DescribeTrainingJob was throttled 2 times for this call while it succeeded for others: ThrottlingException/,
      ),
    });
  });

  it('keeps retrying throttling that no Describe gets through, as the account is throttled, not the job, until the deadline', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 2, seed: 2, faults: { throttle: 1, onlyOperations: ['DescribeTrainingJob'] } });
    const [plan] = running.simulator.world.plans(ACCOUNT, REGION);
    const deadline = new AbortController();
    const source = sourceFor(running.clients(REGION), { jobThrottleAttempts: 1, signal: deadline.signal });
    const throttles = () => source.sender.calls.snapshot().DescribeTrainingJob?.throttles ?? 0;
    // The deadline comes once the call has been throttled well past its cap of 1.
    const watcher = setInterval(() => {
      if (throttles() >= 3) deadline.abort(new DOMException('The run reached its deadline', 'TimeoutError'));
    }, 20);

    // Act
    const outcome = await source.describe(plan.name).catch((error: unknown) => error);
    clearInterval(watcher);

    // Assess
    expect(outcome).toBeInstanceOf(TimeBudgetExhaustedError);
    expect(throttles()).toBeGreaterThanOrEqual(3);
  });

  it('fails with a clear error naming the operation when credentials are rejected', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 5, rejectedAccessKeys: [TEST_CREDENTIALS.accessKeyId] });

    // Act
    const attempt = allSummaries(sourceFor(running.clients(REGION)));

    // Assess
    await expect(attempt).rejects.toThrow(CollectError);
    await expect(attempt).rejects.toThrow(/ListTrainingJobs failed in us-east-1 for account 123456789012: UnrecognizedClientException/);
  });

  it('gives up with a clear error, not a hang, when the endpoint refuses connections', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 1 });
    const clients = running.clients(REGION, { maxAttempts: 2 });
    await running.simulator.stop();

    // Act
    const attempt = allSummaries(sourceFor(clients));

    // Assess
    await expect(attempt).rejects.toThrow(/ListTrainingJobs failed in us-east-1 .*ECONNREFUSED.* after 2 attempts/);
  });

  it('gives up with a clear error naming the endpoint when a region has no DNS name', async () => {
    // Prepare: no endpoint override, so the SDK resolves the real regional endpoint, which does not exist.
    const saved = Object.entries(process.env).filter(([k]) => k.startsWith('AWS_ENDPOINT_URL'));
    for (const [key] of saved) delete process.env[key];
    const clients = createSourceClients({ region: 'xx-east-9', credentials: TEST_CREDENTIALS, maxAttempts: 2, connectionTimeoutMs: 2000 });

    // Act
    const attempt = allSummaries(sourceFor(clients, { region: 'xx-east-9' }));

    // Assess
    await expect(attempt).rejects.toThrow(
      /ListTrainingJobs failed in xx-east-9 for account 123456789012: .*(ENOTFOUND|EAI_AGAIN).*api\.sagemaker\.xx-east-9\.amazonaws\.com/,
    );
    for (const client of Object.values(clients)) client.destroy();
    Object.assign(process.env, Object.fromEntries(saved));
  });

  it('stops retrying a throttled call at the deadline, saying so', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 5, faults: { throttle: 1 } });
    const source = sourceFor(running.clients(REGION), { signal: AbortSignal.timeout(1500) });

    // Act
    const attempt = allSummaries(source);

    // Assess
    await expect(attempt).rejects.toThrow(TimeBudgetExhaustedError);
    await expect(attempt).rejects.toThrow(
      /ListTrainingJobs not finished in us-east-1 for account 123456789012: the run's time budget ran out/,
    );
    expect(source.sender.calls.snapshot().ListTrainingJobs.throttles).toBeGreaterThan(0);
  });

  it('never sends faster than its configured limit', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 60, limits: { DescribeTrainingJob: 20 } });
    const source = sourceFor(running.clients(REGION), { limits: { ...FAST_LIMITS, DescribeTrainingJob: 20 } });
    const plans = running.simulator.world.plans(ACCOUNT, REGION);

    // Act
    await Promise.all(plans.map((plan) => source.describe(plan.name)));

    // Assess
    expect(running.simulator.stats().DescribeTrainingJob.throttled).toBe(0);
    expect(running.simulator.peakAccepted('DescribeTrainingJob')).toBeLessThanOrEqual(21);
  });
});
