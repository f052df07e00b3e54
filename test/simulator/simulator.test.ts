import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  SearchCommand,
  type DescribeTrainingJobCommandOutput,
  type ListTrainingJobsCommandOutput,
} from '@aws-sdk/client-sagemaker';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { describeJobAt, jobEndTime, TIME, TrainingJobGenerator } from '../../simulator/world/job-generator';
import { parseRateLimits, SageMakerSimulator } from '../../simulator/server';
import { startSimulator, type RunningSimulator } from '../support/local-simulator';

const ACCOUNT = SageMakerSimulator.defaultAccountId;

describe('the SageMaker simulator', () => {
  let running: RunningSimulator;
  afterEach(async () => running?.stop());

  it('answers an operation it does not serve with UnknownOperationException naming it', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 5 });
    const { sagemaker } = running.clients('us-east-1', { maxAttempts: 1 });

    // Act
    const attempt = sagemaker.send(new SearchCommand({ Resource: 'TrainingJob' }));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'UnknownOperationException', message: 'The simulator does not implement Search' });
    expect(running.simulator.stats()).not.toHaveProperty('Search');
  });

  it('throttles above its limit the way AWS does: HTTP 400 ThrottlingException, counted', async () => {
    // Prepare
    running = await startSimulator({ jobsPerRegion: 5, limits: { ListTrainingJobs: 1 } });
    const response = async () =>
      fetch(`${running.endpoint}/`, {
        method: 'POST',
        headers: {
          'x-amz-target': 'SageMaker.ListTrainingJobs',
          'content-type': 'application/x-amz-json-1.1',
          authorization: 'AWS4-HMAC-SHA256 Credential=AKIAX/20261101/us-east-1/sagemaker/aws4_request',
        },
        body: '{}',
      });

    // Act
    const first = await response();
    const second = await response();

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(400);
    expect(second.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    expect(await second.json()).toEqual({ __type: 'ThrottlingException', message: 'Rate exceeded' });
    expect(running.simulator.stats().ListTrainingJobs).toEqual({ accepted: 1, throttled: 1, faulted: 0, rejected: 0, cutOff: 0 });
  });

  it('rejects a limit it does not know, naming it', () => {
    // Act
    const attempt = () => parseRateLimits('ListTrainingJobs=2,CreateTrainingJob=5');

    // Assess
    expect(attempt).toThrow(/limit "CreateTrainingJob=5" is not allowed; allowed: <operation>=<calls per second>/);
  });
});

describe("the SageMaker simulator's STS and Tagging APIs", () => {
  let running: RunningSimulator;
  beforeAll(async () => (running = await startSimulator({ jobsPerRegion: 40, seed: 8 })));
  afterAll(async () => running?.stop());

  it("identifies the caller's account", async () => {
    // Prepare
    const { sts } = running.clients('us-east-1');

    // Act
    const identity = await sts.send(new GetCallerIdentityCommand({}));

    // Assess
    expect(identity.Account).toBe(ACCOUNT);
  });

  it('serves the Tagging API for training jobs with tags only', async () => {
    // Prepare
    const { tagging } = running.clients('us-east-1');

    // Act
    const page = await tagging.send(new GetResourcesCommand({ ResourceTypeFilters: ['sagemaker:training-job'], ResourcesPerPage: 100 }));

    // Assess
    const tagged = running.simulator.world.plans(ACCOUNT, 'us-east-1').filter((p) => Object.keys(p.tags).length > 0);
    expect(page.ResourceTagMappingList!.map((m) => m.ResourceARN).sort()).toEqual(tagged.map((p) => p.arn).sort());
  });
});

describe('the SageMaker simulator moving time forward 30 days', () => {
  let running: RunningSimulator;
  let report: ReturnType<RunningSimulator['simulator']['world']['advance']>;
  let runningJob: NonNullable<ListTrainingJobsCommandOutput['TrainingJobSummaries']>[number];
  let after: DescribeTrainingJobCommandOutput;

  beforeAll(async () => {
    running = await startSimulator({ jobsPerRegion: 200, seed: 5 });
    const { sagemaker } = running.clients('us-east-1');
    const before = await sagemaker.send(new ListTrainingJobsCommand({ MaxResults: 100, StatusEquals: 'InProgress' }));
    runningJob = before.TrainingJobSummaries![0];
    report = running.simulator.world.advance(30 * TIME.DAY);
    after = await sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: runningJob.TrainingJobName }));
  });
  afterAll(async () => running?.stop());

  it('creates new jobs', () => {
    // Assess
    expect(report.created).toBeGreaterThan(0);
  });

  it('ends a job that was running, after its creation', () => {
    // Assess
    expect(after.TrainingJobStatus).not.toBe('InProgress');
    expect(after.TrainingEndTime!.getTime()).toBeGreaterThan(runningJob.CreationTime!.getTime());
  });
});

describe('the job generator', () => {
  const generator = new TrainingJobGenerator({ accountId: ACCOUNT, region: 'us-west-2', seed: 77 });
  const now = Date.UTC(2026, 10, 1);
  const plans = Array.from({ length: 2000 }, (_, i) => generator.plan(now - i * 3_600_000));
  const jobs = plans.map((plan) => ({ plan, job: describeJobAt(plan, now)! }));
  const trained = jobs.filter(({ job }) => job.TrainingTimeInSeconds !== undefined && job.TrainingTimeInSeconds > 0);

  it('bills spot jobs less than their training time', () => {
    // Prepare
    const spot = trained.filter(({ job }) => job.EnableManagedSpotTraining);

    // Assess
    expect(spot.length).toBeGreaterThan(0);
    for (const { job } of spot) expect(job.BillableTimeInSeconds!).toBeLessThan(job.TrainingTimeInSeconds!);
  });

  it('bills on-demand jobs exactly their training time', () => {
    // Prepare
    const onDemand = trained.filter(({ job }) => !job.EnableManagedSpotTraining);

    // Assess
    expect(onDemand.length).toBeGreaterThan(0);
    for (const { job } of onDemand) expect(job.BillableTimeInSeconds).toBe(job.TrainingTimeInSeconds);
  });

  it("orders each job's status transitions in time", () => {
    // Assess
    for (const { job } of jobs) {
      const times = job.SecondaryStatusTransitions!.map((t) => t.StartTime!.getTime());
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
  });

  it('ends ended jobs at their planned end time, not before they started', () => {
    // Assess
    for (const { plan, job } of jobs.filter(({ job }) => job.TrainingEndTime)) {
      expect(job.TrainingEndTime!.getTime()).toBe(jobEndTime(plan));
      expect(job.TrainingEndTime!.getTime()).toBeGreaterThanOrEqual(job.TrainingStartTime!.getTime());
    }
  });

  it('gives failed jobs, and only those, a failure reason', () => {
    // Assess
    for (const { job } of jobs) expect(job.FailureReason !== undefined).toBe(job.TrainingJobStatus === 'Failed');
  });

  it('produces every status SageMaker reports', () => {
    // Act
    const statuses = new Set(jobs.map(({ job }) => `${job.TrainingJobStatus}/${job.SecondaryStatus}`));

    // Assess
    for (const expected of [
      'Completed/Completed',
      'Failed/Failed',
      'Stopped/Stopped',
      'Stopped/MaxRuntimeExceeded',
      'InProgress/Training',
    ]) {
      expect(statuses).toContain(expected);
    }
  });
});
