import { classifyError, describeAwsError, isAccessDenied, isNotFound } from '../../lambda/core/aws/error-classification';
import { CollectError } from '../../lambda/core/errors';

const sdkError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status, attempts: 3 } });

describe('classifying SDK errors for retries', () => {
  it.each([
    ['ThrottlingException', 400, 'throttling'],
    ['ThrottledException', 400, 'throttling'],
    ['Throttling', 400, 'throttling'],
    ['TooManyRequestsException', 429, 'throttling'],
    ['SlowDown', 503, 'throttling'],
    ['InternalFailure', 500, 'transient'],
    ['ServiceUnavailable', 503, 'transient'],
    ['NotImplemented', 501, 'permanent'],
    ['HttpVersionNotSupported', 505, 'permanent'],
    ['ValidationException', 400, 'permanent'],
    ['AccessDeniedException', 403, 'permanent'],
  ])('%s (HTTP %d) is %s', (name, status, kind) => {
    // Act
    const classified = classifyError(sdkError(name, status));

    // Assess
    expect(classified).toBe(kind);
  });

  it.each([
    ['ECONNRESET', 'transient'],
    ['EPIPE', 'transient'],
    ['ECONNREFUSED', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['EAI_AGAIN', 'unreachable'],
  ])('a socket error %s is %s', (code, kind) => {
    // Act
    const classified = classifyError(Object.assign(new Error(code), { code }));

    // Assess
    expect(classified).toBe(kind);
  });

  it('treats an answer that never came (TimeoutError) as unreachable', () => {
    // Act
    const timeout = classifyError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));

    // Assess
    expect(timeout).toBe('unreachable');
  });

  it('treats an abort as final', () => {
    // Act
    const abort = classifyError(Object.assign(new Error('aborted'), { name: 'AbortError' }));

    // Assess
    expect(abort).toBe('permanent');
  });

  it("sees through the collector's wrapper to a not-found SDK error", () => {
    // Prepare
    const wrapped = new CollectError('DescribeTrainingJob failed', { cause: sdkError('ResourceNotFound', 400) });

    // Act
    const notFound = isNotFound(wrapped);

    // Assess
    expect(notFound).toBe(true);
  });

  it("sees through the collector's wrapper to an access-denied SDK error, which is not a not-found", () => {
    // Prepare
    const denied = new CollectError('GetResources failed', { cause: sdkError('AccessDeniedException', 403) });

    // Act
    const accessDenied = isAccessDenied(denied);
    const notFound = isNotFound(denied);

    // Assess
    expect(accessDenied).toBe(true);
    expect(notFound).toBe(false);
  });

  it("treats a ValidationException saying the resource does not exist (a deleted job's tags) as not found", () => {
    // Prepare
    const deletedTagsTarget = sdkError('ValidationException', 400, 'Resource arn:aws:sagemaker:…:training-job/x does not exist.');

    // Act
    const notFound = isNotFound(deletedTagsTarget);

    // Assess
    expect(notFound).toBe(true);
  });

  it('describes an error with its name, code, message and attempts', () => {
    // Act
    const text = describeAwsError(Object.assign(sdkError('Error', 0, 'connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));

    // Assess
    expect(text).toBe('Error (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:9 after 3 attempts');
  });
});
