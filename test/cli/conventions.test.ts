import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTINGS, type Setting } from '../../lambda/core/settings/settings';
import { version } from '../../package.json';
import { runCliInProcess } from '../support/cli-in-process';
import { startSimulator, TEST_CREDENTIALS } from '../support/local-simulator';

const COMMANDS = ['snapshot', 'apply-events', 'prices', 'query', 'report', 'simulate', 'demo'];

describe('sm-inventory at the terminal', () => {
  it('prints its version from package.json with --version', async () => {
    // Act
    const result = await runCliInProcess(['--version']);

    // Assess
    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each(COMMANDS)("%s --help lists the command's variables, its exit codes and two examples", async (command) => {
    // Act
    const result = await runCliInProcess([command, '--help']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\nEnvironment \(.*\):\n {2}[A-Z_]+\n/);
    expect(result.stdout).toMatch(/\nExit codes:\n {2}0 {4}done\n {2}1 {4}bad input/);
    expect(result.stdout.match(new RegExp(`\\n {2}\\$ sm-inventory ${command}\\b.*\\n {6}\\S`, 'g'))?.length).toBeGreaterThanOrEqual(2);
  });

  it.each(COMMANDS)('%s --help prints defaults and choices as a person writes them, not as JSON', async (command) => {
    // Act
    const result = await runCliInProcess([command, '--help']);

    // Assess
    expect(result.stdout).not.toMatch(/\(default: "|default: \[|choices: "|\[object Object\]/);
  });

  it('snapshot --help lists every setting variable, the exit codes of a stop, and its defaults as written', async () => {
    // Act
    const result = await runCliInProcess(['snapshot', '--help']);

    // Assess
    for (const setting of Object.values(SETTINGS) as Setting[]) expect(result.stdout).toContain(`\n  ${setting.variable}\n`);
    expect(result.stdout).toMatch(/\n {2}130 {2}stopped by SIGINT.*\n {2}143 {2}stopped by SIGTERM/);
    const unwrapped = result.stdout.replace(/\s+/g, ' ');
    expect(unwrapped).toContain('(choices: zstd, snappy, gzip, uncompressed)');
    expect(unwrapped).toContain('default: SM_INVENTORY_CONCURRENCY, else 8)');
  });

  it('names the flag when a flag is bad, and the variable when the variable is', async () => {
    // Act
    const byFlag = await runCliInProcess(['snapshot', '--regions', 'us-east-1', '--concurrency', '65']);
    const byVariable = await runCliInProcess(['snapshot', '--regions', 'us-east-1'], { SM_INVENTORY_CONCURRENCY: '65' });

    // Assess
    expect(byFlag).toMatchObject({ code: 1, stderr: 'error: --concurrency is "65"; allowed: a whole number from 1 to 64\n' });
    expect(byVariable).toMatchObject({
      code: 1,
      stderr: 'error: SM_INVENTORY_CONCURRENCY is "65"; allowed: a whole number from 1 to 64\n',
    });
  });

  it('refuses a flag given twice, naming both', async () => {
    // Act
    const result = await runCliInProcess(['snapshot', '--concurrency', '4', '--concurrency', '8']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: --concurrency 4 and --concurrency 8 are the same flag twice; allowed: --concurrency once\n/);
  });

  it('refuses a flag given with its --no- form, naming both', async () => {
    // Act
    const result = await runCliInProcess(['snapshot', '--no-include-caller-account', '--include-caller-account']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: --no-include-caller-account and --include-caller-account contradict each other; allowed: one of them\n/,
    );
  });

  it.each([['snapshot'], ['report']])('%s refuses an unknown SM_INVENTORY_* variable, naming the closest known one', async (command) => {
    // Act
    const result = await runCliInProcess([command], { SM_INVENTORY_TIMEBUDGET: '60' });

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: SM_INVENTORY_TIMEBUDGET is not a variable of the inventory \(did you mean SM_INVENTORY_TIME_BUDGET\?\); allowed: /,
    );
  });

  it('says what went wrong in words, with no internal class name', async () => {
    // Act
    const result = await runCliInProcess(['snapshot', '--regions', 'mars-north-1']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: --regions has "mars-north-1"; allowed: /);
    expect(result.stderr).not.toMatch(/[A-Z][A-Za-z]*Error\b/);
  });

  it('prints a progress line every few seconds on stderr when it is not a terminal, so a long run is never silent', async () => {
    // Prepare: 300 jobs described at 60 a second take about 5 s.
    const running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 300, seed: 5 });
    const out = mkdtempSync(join(tmpdir(), 'warehouse-'));
    const args = ['snapshot', '--regions', 'us-east-1', '--out', out, '--limits', 'DescribeTrainingJob=60', '--progress-every', '1'];

    // Act
    const result = await runCliInProcess(args, {
      AWS_ENDPOINT_URL: running.endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    }).finally(() => running.stop());

    // Assess
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines)
      expect(line).toMatch(/^\[\d+ s\] [01] of 1 \(account, region\) done, [01] running · \d+ jobs described of \d+ to describe so far/);
    const described = lines.map((line) => Number(/· (\d+) jobs described/.exec(line)![1]));
    expect(described).toEqual([...described].sort((a, b) => a - b));
  });
});
