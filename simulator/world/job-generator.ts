import type {
  AlgorithmSpecification,
  Channel,
  DebugRuleConfiguration,
  DebugRuleEvaluationStatus,
  DescribeTrainingJobResponse,
  MetricData,
  ProfilerRuleConfiguration,
  ProfilerRuleEvaluationStatus,
  ResourceConfig,
  SecondaryStatus,
  SecondaryStatusTransition,
  TrainingInstanceType,
  TrainingJobStatus,
  WarmPoolStatus,
} from '@aws-sdk/client-sagemaker';
import { SeededRandom } from './random';

/** How a job ends once its phases have run. */
export type JobOutcome = 'Completed' | 'Failed' | 'Stopped' | 'MaxRuntimeExceeded' | 'MaxWaitTimeExceeded';

interface Phase {
  readonly status: SecondaryStatus;
  readonly durationMs: number;
  readonly message: string;
}

/**
 * Everything about a simulated job that does not depend on the clock. Its Describe response at any
 * moment is computed from the plan (see `describeJobAt`), so moving the clock makes jobs progress
 * through consistent status transitions without storing per-step state.
 */
export interface TrainingJobPlan {
  readonly name: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly createdAt: number;
  readonly phases: readonly Phase[];
  readonly outcome: JobOutcome;
  readonly failureReason?: string;
  readonly spot: boolean;
  /** Billable / training time for spot jobs (below 1); 1 for on-demand. */
  readonly billableRatio: number;
  readonly keepAliveSeconds?: number;
  readonly debugRules: readonly string[];
  readonly profilerRules: readonly string[];
  readonly metricNames: readonly string[];
  /** For a job placed by instance preference: the type and count SageMaker selects once capacity is found. */
  readonly selectedInstance?: { readonly type: TrainingInstanceType; readonly count: number };
  /** Static, clock-independent part of the Describe response. */
  readonly static: Omit<
    DescribeTrainingJobResponse,
    | 'TrainingJobStatus'
    | 'SecondaryStatus'
    | 'SecondaryStatusTransitions'
    | 'TrainingStartTime'
    | 'TrainingEndTime'
    | 'LastModifiedTime'
    | 'TrainingTimeInSeconds'
    | 'BillableTimeInSeconds'
    | 'ModelArtifacts'
    | 'FinalMetricDataList'
    | 'DebugRuleEvaluationStatuses'
    | 'ProfilerRuleEvaluationStatuses'
    | 'WarmPoolStatus'
    | 'FailureReason'
    | '$metadata'
  >;
  tags: Record<string, string>;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Large accelerators sold as training plans (reserved capacity, paid up front). */
export const TRAINING_PLAN_INSTANCE_TYPES: ReadonlySet<string> = new Set(['ml.p4d.24xlarge', 'ml.p5.48xlarge', 'ml.trn1.32xlarge']);

/** Instance types jobs are drawn from, with their weights; the simulated price list prices each of them. */
export const INSTANCE_TYPES: readonly (readonly [TrainingInstanceType, number])[] = [
  ['ml.m5.xlarge', 20],
  ['ml.m5.2xlarge', 12],
  ['ml.c5.2xlarge', 10],
  ['ml.c5.4xlarge', 6],
  ['ml.g4dn.xlarge', 12],
  ['ml.g5.2xlarge', 10],
  ['ml.g5.12xlarge', 5],
  ['ml.p3.2xlarge', 6],
  ['ml.p3.8xlarge', 3],
  ['ml.p4d.24xlarge', 2],
  ['ml.p5.48xlarge', 1],
  ['ml.trn1.32xlarge', 1],
];

const TEAMS = ['search', 'ads', 'fraud', 'recsys', 'vision', 'nlp', 'forecasting', 'platform'];
const PROJECTS = ['ranker-v2', 'ctr-model', 'chargeback', 'home-feed', 'ocr', 'summarizer', 'demand-forecast', 'bench'];
const FRAMEWORKS = [
  { image: 'pytorch-training:2.3.0-gpu-py311', family: 'pytorch' },
  { image: 'tensorflow-training:2.16.1-gpu-py310', family: 'tensorflow' },
  { image: 'huggingface-pytorch-training:2.1.0-transformers4.36.0-gpu-py310', family: 'huggingface' },
  { image: 'sagemaker-xgboost:1.7-1', family: 'xgboost' },
  { image: 'sagemaker-scikit-learn:1.2-1-cpu-py3', family: 'sklearn' },
] as const;
const BUILT_IN_ALGORITHMS = ['xgboost', 'linear-learner', 'blazingtext', 'image-classification', 'object2vec'];
const FAILURE_REASONS = [
  'AlgorithmError: ExecuteUserScriptError: Command "/usr/local/bin/python3.11 train.py --epochs 20" exited with code 1',
  'CapacityError: Unable to provision requested ML compute capacity. Please retry using a different ML instance type.',
  'ClientError: Please ensure the S3 input data location is correct: no data found under s3://ml-data/train/',
  'ResourceLimitExceeded: The account-level service limit for ml.p4d.24xlarge for training job usage is 2 Instances.',
  'InternalServerError: We encountered an internal error. Please try again.',
  'AlgorithmError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 22.20 GiB total capacity)',
  'ClientError: Artifact upload failed: Insufficient disk space. Ensure the volume size is large enough — 磁盘空间不足',
];
const ECR_HOST = (account: string, region: string) => `${account}.dkr.ecr.${region}.amazonaws.com`;

/** CPU types a heterogeneous cluster's data-loading group runs on. */
const LOADER_INSTANCE_TYPES: readonly TrainingInstanceType[] = ['ml.c5.2xlarge', 'ml.c5.4xlarge', 'ml.m5.2xlarge'];

export interface JobGeneratorOptions {
  readonly accountId: string;
  readonly region: string;
  readonly seed: number;
}

/** Creates realistic job plans: most finish, some fail or stop, some still run at "now". */
export class TrainingJobGenerator {
  private readonly random: SeededRandom;
  /**
   * Draws for the newer capacity shapes come from their own stream, so adding them left every other
   * draw of a seed unchanged: a seed's jobs stay the same except those that now get another shape.
   */
  private readonly shapeRandom: SeededRandom;
  private sequence = 0;

  constructor(private readonly options: JobGeneratorOptions) {
    this.random = new SeededRandom(options.seed);
    this.shapeRandom = new SeededRandom((options.seed ^ 0x5eed5a9e) >>> 0);
  }

  get rng(): SeededRandom {
    return this.random;
  }

  /** A job created at `createdAt`. Everything about it is drawn from the seeded generator. */
  plan(createdAt: number): TrainingJobPlan {
    const r = this.random;
    const { accountId, region } = this.options;
    const index = this.sequence++;
    const team = r.pick(TEAMS);
    const project = r.pick(PROJECTS);
    const origin = r.weighted([
      ['manual', 60],
      ['tuning', 25],
      ['automl', 8],
      ['pipeline', 7],
    ] as const);
    const stamp = new Date(createdAt).toISOString().slice(2, 19).replace(/[-:T]/g, '');
    const name = (
      origin === 'tuning'
        ? `tune-${project}-${stamp.slice(0, 6)}-${String(index % 1000).padStart(3, '0')}-${r.hex(8)}`
        : origin === 'automl'
          ? `automl-${project}-${r.hex(6)}-${r.hex(4)}`
          : `${team}-${project}-${stamp}-${r.hex(4)}-${index}`
    ).slice(0, 63);
    const arn = `arn:aws:sagemaker:${region}:${accountId}:training-job/${name.toLowerCase()}`;

    const instanceType = r.weighted(INSTANCE_TYPES);
    const instanceCount = r.weighted([
      [1, 70],
      [2, 15],
      [4, 10],
      [8, 4],
      [16, 1],
    ] as const);
    const spot = r.chance(0.35);
    const maxRuntime = r.pick([3600, 4 * 3600, 12 * 3600, 24 * 3600, 5 * 86400]);
    const maxWait = spot ? maxRuntime + r.pick([0, 3600, 7200]) : undefined;
    const outcome = r.weighted([
      ['Completed', 70],
      ['Failed', 15],
      ['Stopped', 8],
      ['MaxRuntimeExceeded', 5],
      ['MaxWaitTimeExceeded', spot ? 2 : 0],
    ] as const);

    const trainingMs =
      outcome === 'MaxRuntimeExceeded' ? maxRuntime * SECOND : Math.min(maxRuntime * SECOND * 0.95, r.int(3, 6 * 60) * MINUTE);
    const phases: Phase[] = [
      { status: 'Starting', durationMs: r.int(60, 600) * SECOND, message: 'Preparing the instances for training' },
      { status: 'Downloading', durationMs: r.int(20, 900) * SECOND, message: 'Downloading input data' },
    ];
    if (spot && r.chance(0.3)) {
      const before = Math.floor(trainingMs * r.next() * 0.8);
      phases.push({ status: 'Training', durationMs: before, message: 'Training image download completed. Training in progress.' });
      phases.push({ status: 'Interrupted', durationMs: r.int(2, 40) * MINUTE, message: 'Spot capacity reclaimed; waiting for capacity' });
      phases.push({ status: 'Training', durationMs: trainingMs - before, message: 'Resuming training from the last checkpoint' });
    } else {
      phases.push({ status: 'Training', durationMs: trainingMs, message: 'Training image download completed. Training in progress.' });
    }
    if (outcome === 'Failed') {
      // Fail part-way through training: later phases never happen.
      const last = phases[phases.length - 1];
      phases[phases.length - 1] = { ...last, durationMs: Math.floor(last.durationMs * r.next()) };
    } else if (outcome === 'Completed' || outcome === 'Stopped') {
      phases.push({ status: 'Uploading', durationMs: r.int(10, 300) * SECOND, message: 'Uploading generated training model' });
    }

    const framework = r.pick(FRAMEWORKS);
    const builtIn = r.chance(0.15);
    const algorithm: AlgorithmSpecification = builtIn
      ? { AlgorithmName: r.pick(BUILT_IN_ALGORITHMS), TrainingInputMode: 'File', EnableSageMakerMetricsTimeSeries: false }
      : {
          TrainingImage: `763104351884.dkr.ecr.${region}.amazonaws.com/${framework.image}`,
          TrainingInputMode: r.pick(['File', 'FastFile', 'Pipe'] as const),
          MetricDefinitions: [
            { Name: 'train:loss', Regex: 'train_loss=([0-9\\.]+)' },
            { Name: 'validation:accuracy', Regex: 'val_acc=([0-9\\.]+)' },
          ],
          EnableSageMakerMetricsTimeSeries: r.chance(0.5),
          ...(r.chance(0.2)
            ? { ContainerEntrypoint: ['python3', 'train.py'], ContainerArguments: ['--epochs', String(r.int(1, 50))] }
            : {}),
        };
    const channels: Channel[] = ['train', 'validation', ...(r.chance(0.3) ? ['test'] : [])].map((channel) => ({
      ChannelName: channel,
      DataSource: {
        S3DataSource: {
          S3DataType: 'S3Prefix',
          S3Uri: `s3://ml-data-${accountId}/${project}/${channel}/`,
          S3DataDistributionType: r.pick(['FullyReplicated', 'ShardedByS3Key'] as const),
        },
      },
      ContentType: r.pick(['application/x-parquet', 'text/csv', 'application/x-recordio-protobuf']),
      CompressionType: 'None',
      RecordWrapperType: 'None',
    }));

    const hyperParameters: Record<string, string> = {
      epochs: String(r.int(1, 100)),
      learning_rate: (r.next() / 100).toFixed(6),
      batch_size: String(r.pick([16, 32, 64, 128, 256])),
      sagemaker_region: `"${region}"`,
    };
    if (!builtIn) {
      hyperParameters.sagemaker_program = '"train.py"';
      hyperParameters.sagemaker_submit_directory = `"s3://ml-code-${accountId}/${project}/sourcedir.tar.gz"`;
    }
    for (let i = r.int(0, 8); i > 0; i--) hyperParameters[`param_${r.hex(4)}`] = r.next().toFixed(4);

    const environment: Record<string, string> | undefined = r.chance(0.4)
      ? {
          PYTHONUNBUFFERED: '1',
          NCCL_DEBUG: r.pick(['INFO', 'WARN']),
          ...(r.chance(0.3) ? { HF_DATASETS_CACHE: '/opt/ml/input/cache' } : {}),
        }
      : r.chance(0.1)
        ? {}
        : undefined;

    const keepAliveSeconds = r.chance(0.12) ? r.pick([300, 1800, 3600]) : undefined;
    const debugRules = r.chance(0.2) ? ['LossNotDecreasing', 'VanishingGradient', 'Overfit'].slice(0, r.int(1, 3)) : [];
    const profilerRules = r.chance(0.15) ? ['ProfilerReport', 'LowGPUUtilization'].slice(0, r.int(1, 2)) : [];
    const withProfiler = profilerRules.length > 0 || r.chance(0.1);

    const tags: Record<string, string> = {};
    if (r.chance(0.8)) {
      tags.team = team;
      if (r.chance(0.85)) tags.project = project;
      if (r.chance(0.6)) tags['cost-center'] = `cc-${1000 + TEAMS.indexOf(team) * 7}`;
      if (r.chance(0.3)) tags['sagemaker:domain-arn'] = `arn:aws:sagemaker:${region}:${accountId}:domain/d-${r.hex(12)}`;
      if (r.chance(0.25))
        tags['sagemaker:user-profile-arn'] = `arn:aws:sagemaker:${region}:${accountId}:user-profile/d-${r.hex(12)}/${team}-user`;
      if (r.chance(0.05)) tags.owner = 'Zoë Ångström 🚀';
    }

    const capacity = this.capacity(instanceType, instanceCount, spot);
    const plan: TrainingJobPlan = {
      name,
      arn,
      accountId,
      region,
      createdAt,
      phases,
      outcome,
      failureReason: outcome === 'Failed' ? r.pick(FAILURE_REASONS) : undefined,
      spot,
      billableRatio: spot ? 0.2 + r.next() * 0.75 : 1,
      keepAliveSeconds,
      debugRules,
      profilerRules,
      metricNames: builtIn ? ['train:error', 'validation:error'] : ['train:loss', 'validation:accuracy'],
      ...(capacity.selected ? { selectedInstance: capacity.selected } : {}),
      tags,
      static: {
        TrainingJobName: name,
        TrainingJobArn: arn,
        TuningJobArn:
          origin === 'tuning' ? `arn:aws:sagemaker:${region}:${accountId}:hyper-parameter-tuning-job/${name.slice(0, 32)}` : undefined,
        AutoMLJobArn: origin === 'automl' ? `arn:aws:sagemaker:${region}:${accountId}:automl-job/${name.slice(0, 32)}` : undefined,
        LabelingJobArn: r.chance(0.04) ? `arn:aws:sagemaker:${region}:${accountId}:labeling-job/${project}-labels-${r.hex(6)}` : undefined,
        HyperParameters: hyperParameters,
        AlgorithmSpecification: algorithm,
        RoleArn: `arn:aws:iam::${accountId}:role/service-role/AmazonSageMaker-ExecutionRole-${team}`,
        InputDataConfig: channels,
        OutputDataConfig: {
          S3OutputPath: `s3://ml-artifacts-${accountId}/${project}/`,
          ...(r.chance(0.5)
            ? { KmsKeyId: `arn:aws:kms:${region}:${accountId}:key/${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}` }
            : {}),
          CompressionType: r.pick(['GZIP', 'NONE'] as const),
        },
        ResourceConfig: {
          ...capacity.resources,
          VolumeSizeInGB: r.pick([30, 50, 100, 250, 500]),
          ...(keepAliveSeconds ? { KeepAlivePeriodInSeconds: keepAliveSeconds } : {}),
        },
        VpcConfig: r.chance(0.3)
          ? { SecurityGroupIds: [`sg-${r.hex(17)}`], Subnets: [`subnet-${r.hex(17)}`, `subnet-${r.hex(17)}`] }
          : undefined,
        StoppingCondition: { MaxRuntimeInSeconds: maxRuntime, ...(maxWait ? { MaxWaitTimeInSeconds: maxWait } : {}) },
        CreationTime: new Date(createdAt),
        EnableNetworkIsolation: r.chance(0.2),
        EnableInterContainerTrafficEncryption: instanceCount > 1 && r.chance(0.5),
        EnableManagedSpotTraining: spot,
        CheckpointConfig:
          spot || r.chance(0.1) ? { S3Uri: `s3://ml-checkpoints-${accountId}/${name}/`, LocalPath: '/opt/ml/checkpoints' } : undefined,
        DebugHookConfig:
          debugRules.length > 0 || r.chance(0.1)
            ? {
                S3OutputPath: `s3://ml-artifacts-${accountId}/${project}/debug-output`,
                LocalPath: '/opt/ml/output/tensors',
                HookParameters: { save_interval: '500' },
                CollectionConfigurations: [{ CollectionName: 'losses', CollectionParameters: { save_interval: '50' } }],
              }
            : undefined,
        ExperimentConfig: r.chance(0.3)
          ? { ExperimentName: `${project}-experiment`, TrialName: `${project}-trial-${r.hex(6)}`, TrialComponentDisplayName: 'Training' }
          : undefined,
        DebugRuleConfigurations:
          debugRules.length > 0
            ? debugRules.map<DebugRuleConfiguration>((rule) => ({
                RuleConfigurationName: `${rule}`,
                RuleEvaluatorImage: `503895931360.dkr.ecr.${region}.amazonaws.com/sagemaker-debugger-rules:latest`,
                VolumeSizeInGB: 0,
                RuleParameters: { rule_to_invoke: rule },
              }))
            : undefined,
        TensorBoardOutputConfig: r.chance(0.1)
          ? { S3OutputPath: `s3://ml-artifacts-${accountId}/${project}/tensorboard`, LocalPath: '/opt/ml/output/tensorboard' }
          : undefined,
        ProfilerConfig: withProfiler
          ? {
              S3OutputPath: `s3://ml-artifacts-${accountId}/${project}/profiler`,
              ProfilingIntervalInMilliseconds: 500,
              DisableProfiler: profilerRules.length === 0,
            }
          : undefined,
        ProfilerRuleConfigurations:
          profilerRules.length > 0
            ? profilerRules.map<ProfilerRuleConfiguration>((rule) => ({
                RuleConfigurationName: `${rule}-${r.hex(8)}`,
                RuleEvaluatorImage: `${ECR_HOST('503895931360', region)}/sagemaker-debugger-rules:latest`,
                VolumeSizeInGB: 0,
                RuleParameters: { rule_to_invoke: rule },
              }))
            : undefined,
        ProfilingStatus: withProfiler ? (profilerRules.length > 0 ? 'Enabled' : 'Disabled') : undefined,
        Environment: environment,
        RetryStrategy: r.chance(0.15) ? { MaximumRetryAttempts: r.int(1, 3) } : undefined,
        RemoteDebugConfig: r.chance(0.05) ? { EnableRemoteDebug: true } : undefined,
        InfraCheckConfig: instanceCount >= 4 && r.chance(0.5) ? { EnableInfraCheck: true } : undefined,
        // A field newer than the schema: the mapper must report it as drift, not drop it silently.
        MlflowConfig: r.chance(0.03)
          ? { MlflowResourceArn: `arn:aws:sagemaker:${region}:${accountId}:mlflow-tracking-server/${team}`, MlflowExperimentName: project }
          : undefined,
      },
    };
    return plan;
  }

  /**
   * The ResourceConfig members that place the job: InstanceType + InstanceCount for most; for about 6%
   * a heterogeneous cluster (InstanceGroups: a CPU data-loading group beside the trainers, or the
   * trainers split into two groups of one type); for about 6% of on-demand jobs (the API rejects
   * preferences with managed spot) an ordered InstancePreferences list, of which SageMaker selects one.
   * Shapes that make costing hard, derived from the same draws so no other job changes: a cluster split
   * into two groups of one type for which the API also echoes a top-level InstanceType/InstanceCount; a
   * training plan on the first preference of a third of the lists (prepaid when that one is selected);
   * a job-level TrainingPlanArn on about 3% of on-demand jobs; and about 2% of on-demand jobs with
   * no instance type at all, as serverless training reports them.
   */
  private capacity(
    instanceType: TrainingInstanceType,
    instanceCount: number,
    spot: boolean,
  ): {
    resources: Pick<ResourceConfig, 'InstanceType' | 'InstanceCount' | 'InstanceGroups' | 'InstancePreferences' | 'TrainingPlanArn'>;
    selected?: { type: TrainingInstanceType; count: number };
  } {
    const r = this.shapeRandom;
    const roll = r.next();
    if (roll < 0.06) {
      const groups = r.chance(0.75)
        ? [
            { InstanceGroupName: 'data-loaders', InstanceType: r.pick(LOADER_INSTANCE_TYPES), InstanceCount: r.int(1, 4) },
            { InstanceGroupName: 'trainers', InstanceType: instanceType, InstanceCount: instanceCount },
          ]
        : [
            { InstanceGroupName: 'trainers-a', InstanceType: instanceType, InstanceCount: instanceCount },
            { InstanceGroupName: 'trainers-b', InstanceType: instanceType, InstanceCount: r.int(1, 4) },
          ];
      // Two groups of one type: the API also echoes the first group at the top level, which is not a third group.
      const echoed = groups[0].InstanceType === groups[1].InstanceType ? { InstanceType: instanceType, InstanceCount: instanceCount } : {};
      return { resources: { InstanceGroups: groups, ...echoed } };
    }
    if (roll < 0.12 && !spot) {
      const alternatives = INSTANCE_TYPES.map(([type]) => type).filter((type) => type !== instanceType);
      const types = [instanceType, r.pick(alternatives)];
      if (r.chance(0.5)) types.push(r.pick(alternatives.filter((type) => type !== types[1])));
      const chosen = r.weighted(types.map((_, i) => [i, [6, 3, 1][i]] as const));
      const plan = roll < 0.08 ? this.trainingPlanArn(instanceType) : undefined;
      if (r.chance(0.5)) {
        // One count for whichever type is selected.
        return {
          resources: {
            InstancePreferences: types.map((type, i) => ({ InstanceType: type, ...(i === 0 && plan ? { TrainingPlanArns: [plan] } : {}) })),
            InstanceCount: instanceCount,
          },
          selected: { type: types[chosen], count: instanceCount },
        };
      }
      // A count per preference, for types with different accelerator counts.
      const counts = types.map((_, i) => (i === 0 ? instanceCount : r.int(1, 8)));
      return {
        resources: {
          InstancePreferences: types.map((type, i) => ({
            InstanceType: type,
            InstanceCount: counts[i],
            ...(i === 0 && plan ? { TrainingPlanArns: [plan] } : {}),
          })),
        },
        selected: { type: types[chosen], count: counts[chosen] },
      };
    }
    if (roll >= 0.98 && !spot) return { resources: {} };
    if (roll >= 0.95 && !spot)
      return {
        resources: { InstanceType: instanceType, InstanceCount: instanceCount, TrainingPlanArn: this.trainingPlanArn(instanceType) },
      };
    return { resources: { InstanceType: instanceType, InstanceCount: instanceCount } };
  }

  /** The account's reserved-capacity plan for one instance type. */
  private trainingPlanArn(instanceType: string): string {
    const { accountId, region } = this.options;
    return `arn:aws:sagemaker:${region}:${accountId}:training-plan/reserved-${instanceType.replace(/^ml\./, '').replace(/\./g, '-')}`;
  }
}

const TERMINAL_STATUS: Record<JobOutcome, { status: TrainingJobStatus; secondary: SecondaryStatus; message: string }> = {
  Completed: { status: 'Completed', secondary: 'Completed', message: 'Training job completed' },
  Failed: { status: 'Failed', secondary: 'Failed', message: 'Training job failed' },
  Stopped: { status: 'Stopped', secondary: 'Stopped', message: 'The job was stopped by the user' },
  MaxRuntimeExceeded: {
    status: 'Stopped',
    secondary: 'MaxRuntimeExceeded',
    message: 'Job stopped: it exceeded the maximum allowed runtime',
  },
  MaxWaitTimeExceeded: {
    status: 'Stopped',
    secondary: 'MaxWaitTimeExceeded',
    message: 'Job stopped: it exceeded the maximum allowed wait time',
  },
};
const STOPPING_MS = 45 * SECOND;

/** When the job reaches its terminal status, given its plan. */
export function jobEndTime(plan: TrainingJobPlan): number {
  const phasesEnd = plan.createdAt + plan.phases.reduce((sum, phase) => sum + phase.durationMs, 0);
  return plan.outcome === 'Failed' || plan.outcome === 'Completed' ? phasesEnd : phasesEnd + STOPPING_MS;
}

/** The job as DescribeTrainingJob returns it at clock time `now` (ms). Undefined before it is created. */
export function describeJobAt(plan: TrainingJobPlan, now: number): DescribeTrainingJobResponse | undefined {
  if (now < plan.createdAt) return undefined;
  const transitions: SecondaryStatusTransition[] = [];
  let cursor = plan.createdAt;
  for (const phase of plan.phases) {
    if (cursor > now) break;
    const end = cursor + phase.durationMs;
    transitions.push({
      Status: phase.status,
      StartTime: new Date(cursor),
      ...(end <= now ? { EndTime: new Date(end) } : {}),
      StatusMessage: phase.message,
    });
    cursor = end;
  }
  const stopping = plan.outcome !== 'Completed' && plan.outcome !== 'Failed';
  if (stopping && cursor <= now) {
    const end = cursor + STOPPING_MS;
    transitions.push({
      Status: 'Stopping',
      StartTime: new Date(cursor),
      ...(end <= now ? { EndTime: new Date(end) } : {}),
      StatusMessage: 'Stopping the job',
    });
  }
  const endedAt = jobEndTime(plan);
  const ended = endedAt <= now;
  const terminal = TERMINAL_STATUS[plan.outcome];
  if (ended)
    transitions.push({
      Status: terminal.secondary,
      StartTime: new Date(endedAt),
      EndTime: new Date(endedAt),
      StatusMessage: terminal.message,
    });

  const current = transitions[transitions.length - 1];
  const status: TrainingJobStatus = ended ? terminal.status : current.Status === 'Stopping' ? 'Stopping' : 'InProgress';
  const trainingStart = transitions.length > 1 ? transitions[1].StartTime!.getTime() : undefined;
  const trainingSeconds = ended && trainingStart !== undefined ? Math.round((endedAt - trainingStart) / SECOND) : undefined;
  const lastModified = Math.max(...transitions.map((t) => (t.EndTime ?? t.StartTime)!.getTime()));
  const completed = ended && (plan.outcome === 'Completed' || plan.outcome === 'Stopped');

  return {
    ...plan.static,
    // SageMaker reports the type it selected from InstancePreferences once it has found capacity.
    ...(plan.selectedInstance && trainingStart !== undefined
      ? {
          ResourceConfig: {
            ...plan.static.ResourceConfig,
            SelectedInstanceType: plan.selectedInstance.type,
            SelectedInstanceCount: plan.selectedInstance.count,
          },
        }
      : {}),
    TrainingJobStatus: status,
    SecondaryStatus: current.Status,
    FailureReason: ended ? plan.failureReason : undefined,
    ModelArtifacts: completed
      ? { S3ModelArtifacts: `${plan.static.OutputDataConfig?.S3OutputPath}${plan.name}/output/model.tar.gz` }
      : undefined,
    TrainingStartTime: trainingStart === undefined ? undefined : new Date(trainingStart),
    TrainingEndTime: ended ? new Date(endedAt) : undefined,
    LastModifiedTime: new Date(lastModified),
    SecondaryStatusTransitions: transitions,
    TrainingTimeInSeconds: trainingSeconds,
    BillableTimeInSeconds:
      trainingSeconds === undefined ? undefined : plan.spot ? Math.floor(trainingSeconds * plan.billableRatio) : trainingSeconds,
    FinalMetricDataList: completed ? finalMetrics(plan, endedAt) : undefined,
    DebugRuleEvaluationStatuses: plan.debugRules.length > 0 ? ruleStatuses(plan, plan.debugRules, ended, endedAt) : undefined,
    ProfilerRuleEvaluationStatuses:
      plan.profilerRules.length > 0
        ? ruleStatuses(
            plan,
            plan.static.ProfilerRuleConfigurations!.map((rule) => rule.RuleConfigurationName!),
            ended,
            endedAt,
          )
        : undefined,
    WarmPoolStatus: warmPool(plan, ended, endedAt, now),
  };
}

function finalMetrics(plan: TrainingJobPlan, endedAt: number): MetricData[] {
  const seed = parseInt(plan.arn.slice(-6).replace(/[^0-9a-f]/g, '0'), 16) || 7;
  return plan.metricNames.map((metric, i) => ({
    MetricName: metric,
    Value: Number((((seed * (i + 3)) % 1000) / 1000).toFixed(4)),
    Timestamp: new Date(endedAt - 1000),
  }));
}

function ruleStatuses(
  plan: TrainingJobPlan,
  rules: readonly string[],
  ended: boolean,
  endedAt: number,
): (DebugRuleEvaluationStatus & ProfilerRuleEvaluationStatus)[] {
  return rules.map((rule, i) => ({
    RuleConfigurationName: rule,
    RuleEvaluationJobArn: `arn:aws:sagemaker:${plan.region}:${plan.accountId}:processing-job/${plan.name.slice(0, 40)}-${rule.slice(0, 10).toLowerCase()}-${i}`,
    RuleEvaluationStatus: ended ? (i % 2 === 0 ? 'NoIssuesFound' : 'IssuesFound') : 'InProgress',
    ...(ended && i % 2 === 1 ? { StatusDetails: `${rule}: issues found at step ${100 * (i + 1)}` } : {}),
    LastModifiedTime: new Date(ended ? endedAt + 60 * SECOND : plan.createdAt),
  }));
}

function warmPool(plan: TrainingJobPlan, ended: boolean, endedAt: number, now: number): WarmPoolStatus | undefined {
  if (!plan.keepAliveSeconds || !ended) return undefined;
  const retainedUntil = endedAt + plan.keepAliveSeconds * SECOND;
  if (now < retainedUntil) return { Status: 'Available' };
  return { Status: 'Terminated', ResourceRetainedBillableTimeInSeconds: plan.keepAliveSeconds };
}

export const TIME = { SECOND, MINUTE, HOUR, DAY } as const;
