import { DescribeTrainingJobCommand } from '@aws-sdk/client-sagemaker';
import { readCollectorSettings } from '../../lambda/core/pipeline/config';
import { SageMakerSimulator } from '../../simulator/server';
import { startSimulator, type RunningSimulator } from '../support/local-simulator';
import { publishedRows, runTargetOnce } from '../support/target-run';

const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGION = 'us-east-1';
/** The account's limits, as the simulated service enforces them. */
const SERVICE_LIMITS = { ListTrainingJobs: 20, DescribeTrainingJob: 40, ListTags: 40, GetResources: 20 };
const SERVICE_LIMITS_SETTING = Object.entries(SERVICE_LIMITS)
  .map(([operation, rate]) => `${operation}=${rate}`)
  .join(',');

describe("a share of each operation's rate limit", () => {
  let running: RunningSimulator;
  afterEach(async () => running?.stop());

  it("keeps the collector to its share of the limit, leaving the rest to the account's own clients", async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 30, seed: 21, limits: SERVICE_LIMITS });
    const { limits } = readCollectorSettings({ SM_INVENTORY_LIMITS: SERVICE_LIMITS_SETTING, SM_INVENTORY_RATE_SHARE: '0.25' });

    // Act
    const { step } = await runTargetOnce({
      clients: running.clients(REGION),
      accountId: ACCOUNT,
      region: REGION,
      config: { limits, tagStrategy: 'bulk' },
    });

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { jobsWritten: 30 } });
    // A quarter of 40/s is 10/s; a bucket of one token lets one more into any one-second window.
    expect(running.simulator.peakAccepted('DescribeTrainingJob')).toBeLessThanOrEqual(11);
    expect(running.simulator.stats().DescribeTrainingJob.throttled).toBe(0);
  });

  it('slows down, and still publishes every job, while another client keeps the account throttled', async () => {
    // Prepare: the account's own pipeline describes jobs as fast as the service lets it, all through the run.
    running = await startSimulator({ jobsPerRegion: 40, seed: 22, limits: SERVICE_LIMITS });
    const { limits } = readCollectorSettings({ SM_INVENTORY_LIMITS: SERVICE_LIMITS_SETTING, SM_INVENTORY_RATE_SHARE: '0.5' });
    const other = running.clients(REGION, { maxAttempts: 1 }).sagemaker;
    const someJob = running.simulator.world.plans(ACCOUNT, REGION)[0].name;
    let competing = true;
    let otherCalls = 0;
    // Four callers in a loop, so the service's allowance is spent even on a loaded machine.
    const pipeline = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (competing) {
          otherCalls++;
          await other.send(new DescribeTrainingJobCommand({ TrainingJobName: someJob })).catch(() => undefined);
        }
      }),
    );

    // Act
    const { step, store } = await runTargetOnce({
      clients: running.clients(REGION),
      accountId: ACCOUNT,
      region: REGION,
      config: { limits, tagStrategy: 'bulk' },
    });
    competing = false;
    await pipeline;

    // Assess
    expect(step).toMatchObject({ status: 'published', result: { status: 'succeeded', jobsWritten: 40 } });
    const result = step.status === 'published' ? step.result : undefined;
    expect(result!.collect!.operations.DescribeTrainingJob.throttles).toBeGreaterThan(0);
    expect(otherCalls).toBeGreaterThan(40);
    const rows = await publishedRows(store, ACCOUNT, REGION);
    expect(rows.map((row) => row._key).sort()).toEqual(
      running.simulator.world
        .plans(ACCOUNT, REGION)
        .map((plan) => plan.arn)
        .sort(),
    );
  });
});
