import { ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli';
import { TEST_CREDENTIALS } from '../support/local-simulator';

/** Starts `simulate` with `args` and resolves with the endpoint it prints. */
function startSimulate(args: string[]) {
  const run = runCli(['simulate', '--port', '0', ...args], {});
  const endpoint = new Promise<string>((resolve, reject) => {
    let seen = '';
    run.child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    run.done.then((result) => reject(new Error(`simulate exited early: ${result.stderr}`)));
  });
  return { run, endpoint };
}

describe('sm-inventory simulate', () => {
  it('appends the state-change events of each advance to --events-file, one EventBridge event per line', async () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'simulate-events-')), 'events.jsonl');
    const { run, endpoint } = startSimulate(['--jobs', '50', '--events-file', file]);

    // Act
    const advanced = await fetch(`${await endpoint}/_simulator/advance`, { method: 'POST', body: JSON.stringify({ days: 1 }) });
    const answer = (await advanced.json()) as { stateChangeEvents: number };
    run.child.kill('SIGTERM');
    await run.done;

    // Assess
    const events = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.length).toBe(answer.stateChangeEvents);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({
      'detail-type': 'SageMaker Training Job State Change',
      source: 'aws.sagemaker',
      detail: {
        TrainingJobArn: expect.stringMatching(/^arn:aws:sagemaker:us-east-1:\d{12}:training-job\//),
        LastModifiedTime: expect.stringMatching(/^\d+$/),
        Tags: expect.any(Object),
      },
    });
  });

  it('serves the simulated jobs on the port it prints until it is told to stop', async () => {
    // Prepare
    const started = startSimulate(['--jobs', '7', '--regions', 'eu-west-1']);
    const { run } = started;
    const endpoint = await started.endpoint;
    const client = new SageMakerClient({ region: 'eu-west-1', endpoint, credentials: TEST_CREDENTIALS });

    // Act
    const page = await client.send(new ListTrainingJobsCommand({ MaxResults: 100 }));
    run.child.kill('SIGTERM');
    const result = await run.done;

    // Assess
    expect(page.TrainingJobSummaries).toHaveLength(7);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`export AWS_ENDPOINT_URL_SAGEMAKER=${endpoint}`);
    client.destroy();
  });

  it('rejects a limit for an operation it does not serve with a message, not a stack trace', async () => {
    // Act
    const result = await runCli(['simulate', '--port', '0', '--limits', 'CreateTrainingJob=5'], {}).done;

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /error: option '--limits <op=rate\[,op=rate\]>' argument 'CreateTrainingJob=5' is invalid\. limit "CreateTrainingJob=5" is not allowed; allowed: <operation>=<calls per second> with operation one of ListTrainingJobs, /,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
