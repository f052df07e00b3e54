import { utcDate } from '../../lambda/core/publish/layout';
import { SimulatedWarehouse } from './simulated-warehouse';

export const COST_WAREHOUSE_REGIONS = ['us-east-1', 'eu-west-1'];

/** The simulated bill (a CUR 2.0 export) buildCostWarehouse writes beside its warehouse. */
export function costWarehouseBill(warehouse: string): string {
  return SimulatedWarehouse.billBeside(warehouse);
}

/**
 * A local warehouse with one training-job snapshot and one price snapshot, both read from the simulator
 * over HTTP (as `npm start` writes them), and the simulator's bill beside it (costWarehouseBill), for the
 * tests of what reads the cost and billed-cost views.
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
    await setup.costAndUsageReport();
  } finally {
    await setup.stop();
  }
  return setup.out;
}
