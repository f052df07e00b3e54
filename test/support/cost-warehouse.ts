import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPricingClient } from '../../lambda/core/aws/clients';
import { readConfig } from '../../lambda/core/pipeline/config';
import { runSnapshot } from '../../lambda/core/pipeline/snapshot';
import { runPriceSnapshot } from '../../lambda/core/pricing/price-snapshot';
import { utcDate } from '../../lambda/core/publish/layout';
import { LocalStore } from '../../lambda/core/publish/local-store';
import { startSimulator, TEST_CREDENTIALS } from './local-simulator';

export const COST_WAREHOUSE_REGIONS = ['us-east-1', 'eu-west-1'];

/**
 * A local warehouse with one training-job snapshot and one price snapshot, both read from the simulator
 * over HTTP (as `npm start` writes them), for the tests of what reads the cost view.
 */
export async function buildCostWarehouse(options: { jobsPerRegion?: number; seed?: number; withPrices?: boolean } = {}): Promise<string> {
  const running = await startSimulator({
    regions: COST_WAREHOUSE_REGIONS,
    jobsPerRegion: options.jobsPerRegion ?? 150,
    seed: options.seed ?? 77,
  });
  const out = mkdtempSync(join(tmpdir(), 'cost-warehouse-'));
  const date = utcDate(new Date(running.simulator.world.now()));
  const pricing = createPricingClient({ endpoint: running.endpoint, credentials: TEST_CREDENTIALS });
  const previousEndpoint = process.env.AWS_ENDPOINT_URL;
  try {
    if (options.withPrices !== false) {
      await runPriceSnapshot({
        pricing,
        store: new LocalStore(out),
        regions: COST_WAREHOUSE_REGIONS,
        snapshotDate: utcDate(new Date(running.simulator.world.now() - 120 * 86_400_000)),
      });
    }
    process.env.AWS_ENDPOINT_URL = running.endpoint;
    const config = readConfig({
      SM_INVENTORY_REGIONS: COST_WAREHOUSE_REGIONS.join(','),
      SM_INVENTORY_OUTPUT: out,
      SM_INVENTORY_LIMITS: 'ListTrainingJobs=500,DescribeTrainingJob=2000,GetResources=500',
      SM_INVENTORY_CONCURRENCY: '16',
    });
    const report = await runSnapshot(config, { credentials: TEST_CREDENTIALS, snapshotDate: date });
    if (report.failed.length > 0) throw new Error(`snapshot failed: ${JSON.stringify(report.failed)}`);
  } finally {
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = previousEndpoint;
    pricing.destroy();
    await running.stop();
  }
  return out;
}
