import { latestPerJob, parseStateChangeEvent, type StateChange } from '../../lambda/core/events/state-change-event';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:training-job/train-1';

function event(id: string, lastModified: string, time = '2026-11-01T12:00:00Z') {
  return {
    version: '0',
    id,
    'detail-type': 'SageMaker Training Job State Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: [ARN],
    detail: { TrainingJobName: 'train-1', TrainingJobArn: ARN, LastModifiedTime: lastModified, HyperParameters: { token: 'hf_x' } },
  };
}

function change(value: unknown): StateChange {
  const parsed = parseStateChangeEvent(value);
  if (parsed.kind !== 'change') throw new Error(`not a change: ${JSON.stringify(parsed)}`);
  return parsed.change;
}

describe('state-change events', () => {
  it('reads the job, its account and region from the ARN, and LastModifiedTime from epoch-millisecond text', () => {
    // Act
    const parsed = change(event('e-1', '1761998400000'));

    // Assess
    expect(parsed).toEqual({
      arn: ARN,
      name: 'train-1',
      accountId: '123456789012',
      region: 'us-east-1',
      eventId: 'e-1',
      eventTime: Date.parse('2026-11-01T12:00:00Z'),
      lastModified: 1761998400000,
    });
  });

  it("keeps each job's newest event, by its LastModifiedTime, whatever the order", () => {
    // Prepare
    const events = [event('old', '1000', '2026-11-01T12:05:00Z'), event('new', '2000', '2026-11-01T12:00:00Z'), event('old', '1000')].map(
      change,
    );

    // Act
    const forwards = latestPerJob(events).get(ARN);
    const backwards = latestPerJob([...events].reverse()).get(ARN);

    // Assess
    expect(forwards).toEqual({ change: expect.objectContaining({ eventId: 'new' }), events: 3 });
    expect(backwards).toEqual(forwards);
  });

  it('ignores another detail-type, naming it', () => {
    // Act
    const parsed = parseStateChangeEvent({ ...event('e-1', '1'), 'detail-type': 'SageMaker Endpoint State Change' });

    // Assess
    expect(parsed).toEqual({ kind: 'ignored', detailType: 'SageMaker Endpoint State Change' });
  });
});
