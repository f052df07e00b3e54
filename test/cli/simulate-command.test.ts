import { ListTrainingJobsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { runCli } from '../support/cli';
import { TEST_CREDENTIALS } from '../support/local-simulator';

describe('sm-inventory simulate', () => {
  it('serves the simulated jobs on the port it prints until it is told to stop', async () => {
    // Prepare
    const run = runCli(['simulate', '--port', '0', '--jobs', '7', '--regions', 'eu-west-1'], {});
    const endpoint = await new Promise<string>((resolve, reject) => {
      let seen = '';
      run.child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(seen);
        if (match) resolve(match[1]);
      });
      run.done.then((result) => reject(new Error(`simulate exited early: ${result.stderr}`)));
    });
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
