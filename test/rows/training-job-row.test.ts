import { InvalidRecordError } from '../../lambda/core/errors';
import { TrainingJobRowMapper } from '../../lambda/core/rows/training-job-row';
import { ACCOUNT, minimalJob, REGION } from '../support/fixtures';

describe('TrainingJobRowMapper', () => {
  const mapper = new TrainingJobRowMapper();

  it('keys the row by the job ARN and takes the account from it', () => {
    const { row } = mapper.map({ job: minimalJob('abc'), tags: undefined, region: REGION });
    expect(row._key).toBe(`arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/abc`);
    expect(row.account_id).toBe(ACCOUNT);
  });

  it('maps AutoMLJobArn to auto_ml_job_arn', () => {
    const arn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:automl-job/a1`;
    const { row } = mapper.map({ job: { ...minimalJob(), AutoMLJobArn: arn }, tags: {}, region: REGION });
    expect(row.auto_ml_job_arn).toBe(arn);
  });

  it('writes timestamps as UTC epoch milliseconds', () => {
    const { row } = mapper.map({ job: minimalJob(), tags: {}, region: REGION });
    expect(row.creation_time).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  });

  it('writes whole numbers as bigint so nothing is rounded', () => {
    const { row } = mapper.map({ job: { ...minimalJob(), TrainingTimeInSeconds: Number.MAX_SAFE_INTEGER }, tags: {}, region: REGION });
    expect(row.training_time_in_seconds).toBe(BigInt(Number.MAX_SAFE_INTEGER));
  });

  it('writes nested objects as JSON with API key names and ISO-8601 UTC dates', () => {
    const transitions = [{ Status: 'Starting' as const, StartTime: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 7)) }];
    const { row } = mapper.map({ job: { ...minimalJob(), SecondaryStatusTransitions: transitions }, tags: {}, region: REGION });
    expect(row.secondary_status_transitions).toBe('[{"Status":"Starting","StartTime":"2026-01-01T00:00:00.007Z"}]');
  });

  it('keeps empty collections empty and omitted ones NULL', () => {
    const { row } = mapper.map({ job: { ...minimalJob(), InputDataConfig: [], ExperimentConfig: {}, Environment: {} }, tags: undefined, region: REGION });
    expect(row.input_data_config).toBe('[]');
    expect(row.experiment_config).toBe('{}');
    expect(row.environment).toEqual(new Map());
    expect(row.hyper_parameters).toBeNull();
    expect(row.vpc_config).toBeNull();
  });

  it('gives a job without tags an empty tags map', () => {
    const { row } = mapper.map({ job: minimalJob(), tags: undefined, region: REGION });
    expect(row.tags).toEqual(new Map());
  });

  it('reports API fields the schema has no column for', () => {
    const job = { ...minimalJob(), MlflowConfig: { MlflowResourceArn: 'arn:x' }, BillableTokenCount: 5 };
    const { unknownFields, row } = mapper.map({ job, tags: {}, region: REGION });
    expect(unknownFields).toEqual(['MlflowConfig', 'BillableTokenCount']);
    expect(Object.keys(row)).toHaveLength(46);
  });

  it('rejects an ARN that is not a training-job ARN, naming it', () => {
    const job = { ...minimalJob(), TrainingJobArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/x` };
    expect(() => mapper.map({ job, tags: {}, region: REGION })).toThrow(InvalidRecordError);
    expect(() => mapper.map({ job, tags: {}, region: REGION })).toThrow(
      `TrainingJobArn "arn:aws:sagemaker:${REGION}:${ACCOUNT}:processing-job/x" is not a training-job ARN; expected arn:<partition>:sagemaker:<region>:<12-digit account>:training-job/<name>`,
    );
  });

  it('rejects a job whose ARN names another region than it was collected from', () => {
    expect(() => mapper.map({ job: minimalJob(), tags: {}, region: 'us-west-2' })).toThrow(/is in region eu-west-1, but the job was collected from region us-west-2/);
  });

  it('rejects a timestamp that is not a date, naming the field', () => {
    const job = { ...minimalJob(), TrainingEndTime: 'yesterday' as unknown as Date };
    expect(() => mapper.map({ job, tags: {}, region: REGION })).toThrow('TrainingEndTime is "yesterday"; expected a valid date (the SDK returns timestamps as Date)');
  });

  it('rejects an invalid date', () => {
    const job = { ...minimalJob(), LastModifiedTime: new Date('nonsense') };
    expect(() => mapper.map({ job, tags: {}, region: REGION })).toThrow(/^LastModifiedTime is null; expected a valid date/);
  });

  it('rejects a map with a non-string value, naming the key', () => {
    const job = { ...minimalJob(), HyperParameters: { epochs: 5 as unknown as string } };
    expect(() => mapper.map({ job, tags: {}, region: REGION })).toThrow('HyperParameters.epochs is 5; expected a string');
  });

  it('rejects a fractional number in an int64 column', () => {
    const job = { ...minimalJob(), BillableTimeInSeconds: 1.5 };
    expect(() => mapper.map({ job, tags: {}, region: REGION })).toThrow('BillableTimeInSeconds is 1.5; expected a whole number');
  });
});
