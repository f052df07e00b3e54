import { utcDate } from '../../lambda/core/publish/layout';
import { SimulatedWarehouse } from './simulated-warehouse';

export const COST_WAREHOUSE_REGIONS = ['us-east-1', 'eu-west-1'];

/**
 * A local warehouse with one training-job snapshot and one price snapshot, both read from the simulator
 * over HTTP (as `npm start` writes them), for the tests of what reads the cost view.
 */
export async function buildCostWarehouse(options: { jobsPerRegion?: number; seed?: number; withPrices?: boolean } = {}): Promise<string> {
  const setup = await SimulatedWarehouse.start({
    regions: COST_WAREHOUSE_REGIONS,
    jobsPerRegion: options.jobsPerRegion ?? 150,
    seed: options.seed ?? 77,
  });
  try {
    const now = setup.world.now();
    if (options.withPrices !== false) await setup.prices(utcDate(new Date(now - 120 * 86_400_000)));
    await setup.snapshot(utcDate(new Date(now)));
  } finally {
    await setup.stop();
  }
  return setup.out;
}
