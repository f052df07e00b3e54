import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SHRINK_GUARD } from '../../lambda/core/pipeline/config';
import { refuseShrink } from '../../lambda/core/pipeline/shrink-guard';
import { SageMakerSimulator } from '../../simulator/server';
import { runCliInProcess, withoutProgressLines } from '../support/cli-in-process';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

const TARGET = { accountId: '123456789012', region: 'us-east-1' };
const PREVIOUS = { snapshotDate: '2026-11-01', rows: 1000 };

describe('the shrink guard', () => {
  it.each<[string, number, { snapshotDate: string; rows: number }]>([
    ['a drop of 10% exactly', 900, PREVIOUS],
    ['a drop of more than 10% but not more than 20 jobs', 180, { snapshotDate: '2026-11-01', rows: 200 }],
    ['growth', 1200, PREVIOUS],
  ])('lets %s through', (_case, jobs, previous) => {
    // Act
    const check = () => refuseShrink(DEFAULT_SHRINK_GUARD, TARGET, previous, jobs);

    // Assess
    expect(check).not.toThrow();
  });

  it('refuses a drop of more than 10% and more than 20 jobs, naming both counts', () => {
    // Act
    const check = () => refuseShrink(DEFAULT_SHRINK_GUARD, TARGET, PREVIOUS, 899);

    // Assess
    expect(check).toThrow('123456789012/us-east-1 would go from 1000 jobs (snapshot of 2026-11-01) to 899: 101 jobs gone');
  });

  it('refuses a drop to 0 from any count', () => {
    // Act
    const check = () => refuseShrink(DEFAULT_SHRINK_GUARD, TARGET, { snapshotDate: '2026-11-01', rows: 1 }, 0);

    // Assess
    expect(check).toThrow('would go from 1 jobs (snapshot of 2026-11-01) to 0: every job gone');
  });

  it('lets any drop through when allowed, and any count when there is no previous snapshot', () => {
    // Act
    const checks = [
      () => refuseShrink({ ...DEFAULT_SHRINK_GUARD, allow: true }, TARGET, PREVIOUS, 0),
      () => refuseShrink(DEFAULT_SHRINK_GUARD, TARGET, undefined, 0),
    ];

    // Assess
    for (const check of checks) expect(check).not.toThrow();
  });

  describe('in the CLI, after every job of the account was deleted', () => {
    let running: RunningSimulator;
    let root: string;
    afterAll(async () => running?.stop());
    const env = () => ({
      AWS_ENDPOINT_URL: running.endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });
    const snapshot = (date: string, ...extra: string[]) =>
      runCliInProcess(['snapshot', '--regions', 'us-east-1', '--out', root, '--date', date, ...extra], env());

    beforeAll(async () => {
      running = await startSimulator({ jobsPerRegion: 30, seed: 7 });
      root = mkdtempSync(join(tmpdir(), 'shrink-'));
      const first = await snapshot('2026-11-01');
      if (first.code !== 0) throw new Error(`the first snapshot failed: ${first.stdout}${first.stderr}`);
      const world = running.simulator.world;
      for (const plan of world.plans(SageMakerSimulator.defaultAccountId, 'us-east-1'))
        world.deleteJob(SageMakerSimulator.defaultAccountId, 'us-east-1', plan.name);
    });

    it('publishes nothing and exits 2 naming the counts and --allow-shrink', async () => {
      // Act
      const refused = await snapshot('2026-11-02');

      // Assess
      expect(refused.code).toBe(2);
      expect(refused.stdout).toContain('would go from 30 jobs (snapshot of 2026-11-01) to 0: every job gone');
      expect(refused.stdout).toContain('run again with --allow-shrink');
      expect(refused.stdout).toContain('0 of 1 (account, region) objects');
    });

    it('publishes the empty snapshot with --allow-shrink', async () => {
      // Act
      const accepted = await snapshot('2026-11-02', '--allow-shrink');

      // Assess
      expect({ code: accepted.code, stderr: withoutProgressLines(accepted.stderr) }).toEqual({ code: 0, stderr: '' });
      expect(accepted.stdout).toMatch(/ok {6}123456789012\/us-east-1: 0 jobs/);
    });
  });
});
