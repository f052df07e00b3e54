import { InvalidRecordError } from '../../lambda/core/errors';
import { REDACTED, Redactor } from '../../lambda/core/rows/redaction';
import { TrainingJobRowMapper } from '../../lambda/core/rows/training-job-row';
import { ACCOUNT, minimalJob, REGION } from '../support/fixtures';

describe('TrainingJobRowMapper', () => {
  const mapper = new TrainingJobRowMapper();

  it('keys the row by the job ARN', () => {
    // Act
    const { row } = mapper.map({ job: minimalJob('abc'), tags: undefined, region: REGION });

    // Assess
    expect(row._key).toBe(`arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/abc`);
  });

  it('takes the account from the job ARN', () => {
    // Act
    const { row } = mapper.map({ job: minimalJob('abc'), tags: undefined, region: REGION });

    // Assess
    expect(row.account_id).toBe(ACCOUNT);
  });

  it('maps AutoMLJobArn to auto_ml_job_arn', () => {
    // Prepare
    const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:automl-job/a1`;

    // Act
    const { row } = mapper.map({ job: { ...minimalJob(), AutoMLJobArn: arn }, tags: {}, region: REGION });

    // Assess
    expect(row.auto_ml_job_arn).toBe(arn);
  });

  it('writes timestamps as UTC epoch milliseconds', () => {
    // Act
    const { row } = mapper.map({ job: minimalJob(), tags: {}, region: REGION });

    // Assess
    expect(row.creation_time).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  });

  it('writes whole numbers as bigint so nothing is rounded', () => {
    // Act: beyond 32 bits, within the century a count of seconds may span
    const { row } = mapper.map({ job: { ...minimalJob(), TrainingTimeInSeconds: 3_000_000_001 }, tags: {}, region: REGION });

    // Assess
    expect(row.training_time_in_seconds).toBe(3_000_000_001n);
  });

  it('writes nested objects as JSON with API key names and ISO-8601 UTC dates', () => {
    // Prepare
    const transitions = [{ Status: 'Starting' as const, StartTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 7)) }];

    // Act
    const { row } = mapper.map({ job: { ...minimalJob(), SecondaryStatusTransitions: transitions }, tags: {}, region: REGION });

    // Assess
    expect(row.secondary_status_transitions).toBe('[{"Status":"Starting","StartTime":"2026-01-01T00:00:00.007Z"}]');
  });

  it('keeps empty collections empty', () => {
    // Act
    const { row } = mapper.map({
      job: { ...minimalJob(), InputDataConfig: [], ExperimentConfig: {}, Environment: {} },
      tags: undefined,
      region: REGION,
    });

    // Assess
    expect(row.input_data_config).toBe('[]');
    expect(row.experiment_config).toBe('{}');
    expect(row.environment).toEqual(new Map());
  });

  it('writes omitted collections as NULL', () => {
    // Act
    const { row } = mapper.map({
      job: { ...minimalJob(), InputDataConfig: [], ExperimentConfig: {}, Environment: {} },
      tags: undefined,
      region: REGION,
    });

    // Assess
    expect(row.hyper_parameters).toBeNull();
    expect(row.vpc_config).toBeNull();
  });

  it('gives a job without tags an empty tags map', () => {
    // Act
    const { row } = mapper.map({ job: minimalJob(), tags: undefined, region: REGION });

    // Assess
    expect(row.tags).toEqual(new Map());
  });

  describe('given API fields the schema has no column for', () => {
    const job = { ...minimalJob(), MlflowConfig: { MlflowResourceArn: 'arn:x' }, BillableTokenCount: 5 };

    it('reports them', () => {
      // Act
      const { unknownFields } = mapper.map({ job, tags: {}, region: REGION });

      // Assess
      expect(unknownFields).toEqual(['MlflowConfig', 'BillableTokenCount']);
    });

    it('leaves them out of the row, which keeps its 46 columns', () => {
      // Act
      const { row } = mapper.map({ job, tags: {}, region: REGION });

      // Assess
      expect(Object.keys(row)).toHaveLength(46);
    });
  });

  it('rejects an ARN that is not a training-job ARN, saying what is expected', () => {
    // Prepare
    const job = { ...minimalJob(), TrainingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/x` };

    // Act
    const attempt = () => mapper.map({ job, tags: {}, region: REGION });

    // Assess
    expect(attempt).toThrow(InvalidRecordError);
    expect(attempt).toThrow(
      'TrainingJobArn is not a training-job ARN; expected arn:<partition>:sagemaker:<region>:<12-digit account>:training-job/<name>',
    );
  });

  it('rejects a job whose ARN names another region than it was collected from', () => {
    // Act
    const attempt = () => mapper.map({ job: minimalJob(), tags: {}, region: 'us-west-2' });

    // Assess
    expect(attempt).toThrow('TrainingJobArn is in region eu-west-1, but the job was collected from region us-west-2');
  });

  it.each(['TrainingJobName', 'TrainingJobStatus', 'CreationTime'] as const)(
    'rejects a job without %s, which Describe always returns',
    (field) => {
      // Prepare
      const job = { ...minimalJob(), [field]: undefined };

      // Act
      const attempt = () => mapper.map({ job, tags: {}, region: REGION });

      // Assess
      expect(attempt).toThrow(`${field} is missing; DescribeTrainingJob always returns it`);
    },
  );

  it.each([
    [
      'a timestamp that is not a date',
      { TrainingEndTime: 'yesterday' as unknown as Date },
      'TrainingEndTime is a string; expected a valid date (the SDK returns timestamps as Date)',
    ],
    [
      'an invalid date',
      { LastModifiedTime: new Date('nonsense') },
      'LastModifiedTime is an invalid date; expected a valid date (the SDK returns timestamps as Date)',
    ],
    [
      'a map with a non-string value',
      { HyperParameters: { epochs: 5 as unknown as string } },
      'HyperParameters.epochs is a whole number; expected a string',
    ],
    ['a fraction in an int64 column', { BillableTimeInSeconds: 1.5 }, 'BillableTimeInSeconds is a fraction; expected a whole number'],
    [
      '1e300 seconds',
      { BillableTimeInSeconds: 1e300 },
      'BillableTimeInSeconds is a whole number beyond ±2^53, which JSON cannot carry exactly; expected a whole number from -9007199254740991 to 9007199254740991',
    ],
    [
      '2^63-1 seconds, rounded by JSON',
      { TrainingTimeInSeconds: Number('9223372036854775807') },
      'TrainingTimeInSeconds is a whole number beyond ±2^53',
    ],
    [
      'a boolean given as text',
      { EnableNetworkIsolation: 'yes' as unknown as boolean },
      'EnableNetworkIsolation is a string; expected true or false',
    ],
  ])('rejects %s, naming the field but never its value', (_case, fields, message) => {
    // Prepare
    const job = { ...minimalJob(), ...fields };

    // Act
    const attempt = () => mapper.map({ job, tags: {}, region: REGION });

    // Assess
    expect(attempt).toThrow(message);
    let text = '';
    try {
      attempt();
    } catch (error) {
      text = (error as Error).message;
    }
    for (const value of Object.values(fields)
      .map((v) => (typeof v === 'object' && v !== null && !(v instanceof Date) ? Object.values(v) : [v]))
      .flat()) {
      if (typeof value === 'string' || (typeof value === 'number' && !Number.isInteger(value))) expect(text).not.toContain(String(value));
    }
  });

  it('keeps a map value the API sent as null as a NULL entry under its key', () => {
    // Prepare
    const job = { ...minimalJob(), HyperParameters: { epochs: '3', optional: null as unknown as string } };

    // Act
    const { row } = mapper.map({ job, tags: {}, region: REGION });

    // Assess
    expect(row.hyper_parameters).toEqual(
      new Map([
        ['epochs', '3'],
        ['optional', null],
      ]),
    );
  });
});

describe('TrainingJobRowMapper redaction', () => {
  const mapper = new TrainingJobRowMapper();
  const planted = {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    DB_PASSWORD: 'hunter2-correct-horse',
    OPENAI_KEY: 'sk-live-4eC39HqLyjWDarjtT1zdp7dc9a8b7c6d',
    HF_HUB: 'hf_abcdefghijklmnopqrstuvwxyz012345',
    STRIPE: 'sk_live_51HxYzAbCdEfGhIjKlMnOpQr',
    DATABASE_URL: 'postgres://analyst:s3cr3t-pw@db.internal:5432/ml',
    SIGNING_PEM: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----',
    GITHUB: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
    JWT: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  };

  describe('on a job with planted secrets in its environment and hyper-parameters', () => {
    const job = {
      ...minimalJob(),
      Environment: { ...planted, PYTHONUNBUFFERED: '1' },
      HyperParameters: { epochs: '10', api_token: 'plain-looking-value' },
    };

    it('replaces every planted secret in environment with the marker, keeping the keys', () => {
      // Act
      const { row } = mapper.map({ job, tags: {}, region: REGION });

      // Assess
      const environment = row.environment as Map<string, string>;
      expect([...environment.keys()].sort()).toEqual([...Object.keys(planted), 'PYTHONUNBUFFERED'].sort());
      expect(Object.fromEntries(environment)).toEqual({
        ...Object.fromEntries(Object.keys(planted).map((key) => [key, REDACTED])),
        DATABASE_URL: `postgres://analyst:${REDACTED}@db.internal:5432/ml`,
        PYTHONUNBUFFERED: '1',
      });
    });

    it('keeps an environment value that is no secret', () => {
      // Act
      const { row } = mapper.map({ job, tags: {}, region: REGION });

      // Assess
      expect((row.environment as Map<string, string>).get('PYTHONUNBUFFERED')).toBe('1');
    });

    it('replaces a hyper-parameter named like a secret with the marker, keeping the others', () => {
      // Act
      const { row } = mapper.map({ job, tags: {}, region: REGION });

      // Assess
      expect(row.hyper_parameters).toEqual(
        new Map([
          ['epochs', '10'],
          ['api_token', REDACTED],
        ]),
      );
    });
  });

  it('scrubs credentials out of JSON columns, leaving valid JSON', () => {
    // Prepare
    const job = {
      ...minimalJob(),
      AlgorithmSpecification: {
        TrainingImage: 'img',
        TrainingInputMode: 'File' as const,
        ContainerArguments: ['--hf-token', planted.HF_HUB, '--db', planted.DATABASE_URL],
      },
    };

    // Act
    const { row } = mapper.map({ job, tags: {}, region: REGION });

    // Assess
    const spec = JSON.parse(String(row.algorithm_specification));
    expect(spec.ContainerArguments).toEqual(['--hf-token', REDACTED, '--db', `postgres://analyst:${REDACTED}@db.internal:5432/ml`]);
  });

  it('redacts a secret-named member deep in a nested API object without changing the object it was given', () => {
    // Prepare
    const hook = { S3OutputPath: 's3://bucket/hooks', HookParameters: { save_interval: '100', wandb_api_key: 'plain-looking-value' } };
    const job = { ...minimalJob(), DebugHookConfig: hook };

    // Act
    const { row } = mapper.map({ job, tags: {}, region: REGION });

    // Assess
    expect(JSON.parse(String(row.debug_hook_config))).toEqual({
      S3OutputPath: 's3://bucket/hooks',
      HookParameters: { save_interval: '100', wandb_api_key: REDACTED },
    });
    expect(hook.HookParameters.wandb_api_key).toBe('plain-looking-value');
  });

  it('writes a nested API object holding no secret as the API sent it, dates as ISO-8601 text', () => {
    // Prepare
    const transitions = [
      {
        Status: 'Starting' as const,
        StartTime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
        StatusMessage: 'Preparing the instances for training',
      },
      {
        Status: 'Training' as const,
        StartTime: new Date(Date.UTC(2026, 0, 2, 3, 9, 0)),
        StatusMessage: 'Training image download completed',
      },
    ];
    const job = { ...minimalJob(), SecondaryStatusTransitions: transitions };

    // Act
    const { row } = mapper.map({ job, tags: {}, region: REGION });

    // Assess
    expect(row.secondary_status_transitions).toBe(
      '[{"Status":"Starting","StartTime":"2026-01-02T03:04:05.000Z","StatusMessage":"Preparing the instances for training"},' +
        '{"Status":"Training","StartTime":"2026-01-02T03:09:00.000Z","StatusMessage":"Training image download completed"}]',
    );
  });

  it('writes values unchanged when redaction is turned off', () => {
    // Prepare
    const open = new TrainingJobRowMapper(undefined, new Redactor({ enabled: false, extraKeyPatterns: [] }));

    // Act
    const { row } = open.map({ job: { ...minimalJob(), Environment: planted }, tags: {}, region: REGION });

    // Assess
    expect(Object.fromEntries(row.environment as Map<string, string>)).toEqual(planted);
  });

  it('also redacts keys matching configured extra patterns', () => {
    // Prepare
    const strict = new TrainingJobRowMapper(undefined, new Redactor({ enabled: true, extraKeyPatterns: ['wandb'] }));

    // Act
    const { row } = strict.map({ job: { ...minimalJob(), Environment: { WANDB_API: 'abc', LR: '0.1' } }, tags: {}, region: REGION });

    // Assess
    expect(row.environment).toEqual(
      new Map([
        ['WANDB_API', REDACTED],
        ['LR', '0.1'],
      ]),
    );
  });
});
