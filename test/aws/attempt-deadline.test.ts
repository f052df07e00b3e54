import { ListTrainingJobsCommand } from '@aws-sdk/client-sagemaker';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AttemptTimeoutError } from '../../lambda/core/aws/attempt-deadline';
import { createSourceClients } from '../../lambda/core/aws/clients';
import { RunBudget } from '../../lambda/core/aws/retry-strategy';
import { TEST_CREDENTIALS } from '../support/local-simulator';

const ANSWER = JSON.stringify({ TrainingJobSummaries: [] });

/** An HTTP server answering every request with `answer`, counting the requests and the answers cut off. */
async function serve(answer: (res: ServerResponse, req: IncomingMessage) => void): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((req, res) => req.resume().on('end', () => answer(res, req)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

/** Headers at once, then the body one byte every `intervalMs`; counts the answers the client cut off. */
function trickle(intervalMs: number, cutOff: { count: number }) {
  return (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': ANSWER.length });
    res.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      if (res.socket?.destroyed !== false) {
        cutOff.count++;
        return clearInterval(timer);
      }
      res.write(ANSWER[sent++]);
      if (sent === ANSWER.length) {
        clearInterval(timer);
        res.end();
      }
    }, intervalMs);
  };
}

/** The SageMaker client of `endpoint`, with `attemptTimeoutMs` and `maxAttempts`. */
function sagemakerOf(endpoint: string, attemptTimeoutMs: number, maxAttempts: number, budget?: RunBudget) {
  return createSourceClients({ region: 'us-east-1', endpoint, credentials: TEST_CREDENTIALS, attemptTimeoutMs, maxAttempts, budget })
    .sagemaker;
}

describe('the attempt deadline of every source client', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  });

  it('ends an attempt whose body trickles at the deadline, counted as an attempt that got no answer', async () => {
    // Prepare
    const cutOff = { count: 0 };
    const started = await serve(trickle(100, cutOff));
    server = started.server;
    const budget = new RunBudget();
    const warnings: string[] = [];
    budget.warn = (message) => warnings.push(message);
    const sagemaker = sagemakerOf(started.endpoint, 1000, 2, budget);

    // Act
    const error = await sagemaker.send(new ListTrainingJobsCommand({})).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Assess
    expect(error).toBeInstanceOf(AttemptTimeoutError);
    expect((error as AttemptTimeoutError).message).toBe("no complete answer from 127.0.0.1/ within 1 s (the attempt's deadline)");
    expect((error as AttemptTimeoutError).$metadata).toMatchObject({ attempts: 2 });
    expect(warnings).toEqual([
      "ListTrainingJobs attempt 1 of at most 2 in us-east-1 timed out: no complete answer from 127.0.0.1/ within 1 s (the attempt's deadline)",
      "ListTrainingJobs attempt 2 of at most 2 in us-east-1 timed out: no complete answer from 127.0.0.1/ within 1 s (the attempt's deadline)",
    ]);
    expect(cutOff.count).toBe(2);
    sagemaker.destroy();
  });

  it('takes a slow answer that completes within the deadline', async () => {
    // Prepare
    const started = await serve(trickle(10, { count: 0 }));
    server = started.server;
    const sagemaker = sagemakerOf(started.endpoint, 5000, 1);

    // Act
    const answer = await sagemaker.send(new ListTrainingJobsCommand({}));

    // Assess
    expect(answer.TrainingJobSummaries).toEqual([]);
    sagemaker.destroy();
  });

  it("passes the caller's abort through as an abort, not a timeout", async () => {
    // Prepare
    const started = await serve(() => undefined);
    server = started.server;
    const sagemaker = sagemakerOf(started.endpoint, 30_000, 1);
    const caller = new AbortController();

    // Act
    const pending = sagemaker.send(new ListTrainingJobsCommand({}), { abortSignal: caller.signal }).catch((e: unknown) => e);
    setTimeout(() => caller.abort(new Error('the run stopped')), 200);
    const error = (await pending) as Error;

    // Assess
    expect(error.name).toBe('AbortError');
    expect(error).not.toBeInstanceOf(AttemptTimeoutError);
    sagemaker.destroy();
  });
});
