import { Command } from '@commander-js/extra-typings';
import { readConfig, readSnapshotDate } from '../../lambda/core/pipeline/config';
import { utcDate } from '../../lambda/core/publish/layout';
import { priceSnapshotClients } from '../../lambda/core/pricing/price-clients';
import { runPriceSnapshot, type PriceSnapshotReport } from '../../lambda/core/pricing/price-snapshot';
import type { CommandIo } from '../options';

export interface PricesFlags {
  readonly regions?: string;
  readonly out?: string;
  readonly date?: string;
  readonly json?: boolean;
}

export function pricesCommand(io: CommandIo) {
  return new Command('prices')
    .description(
      'Write a price snapshot: the on-demand training price of every SageMaker instance type in the regions, from the AWS Price List API.',
    )
    .option('--regions <list>', 'comma-separated regions (default: SM_INVENTORY_REGIONS or AWS_REGION)')
    .option('--out <dir|s3://bucket/prefix>', 'warehouse root (default: SM_INVENTORY_OUTPUT or ./warehouse)')
    .option('--date <YYYY-MM-DD>', 'price snapshot date (default: today, UTC)')
    .option('--json', 'print the report as JSON')
    .action(async (flags) => {
      io.setExitCode(await runPricesCommand(flags, io));
    });
}

export function summarisePrices(report: PriceSnapshotReport): string {
  const perRegion = new Map<string, number>();
  for (const price of report.prices) perRegion.set(price.region, (perRegion.get(price.region) ?? 0) + 1);
  const regions = [...perRegion].map(([region, n]) => `${region} ${n}`).join(', ');
  return `prices ${report.snapshotDate} → ${report.location}: ${report.prices.length} instance types priced (${regions}) from ${report.productsRead} products, ${(report.durationMs / 1000).toFixed(1)} s`;
}

/** Exit code 0 when the snapshot was published; a bad price list throws (nothing is published) and main exits 1. */
export async function runPricesCommand(flags: PricesFlags, io: CommandIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const config = readConfig({
    ...env,
    SM_INVENTORY_REGIONS: flags.regions ?? env.SM_INVENTORY_REGIONS ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    SM_INVENTORY_OUTPUT: flags.out ?? env.SM_INVENTORY_OUTPUT,
  });
  const snapshotDate = readSnapshotDate(flags.date, utcDate(new Date()));
  const clients = priceSnapshotClients(config);
  try {
    const report = await runPriceSnapshot({
      pricing: clients.pricing,
      store: clients.store,
      regions: config.regions,
      snapshotDate,
      compression: config.compression,
    });
    io.out.write(`${flags.json ? JSON.stringify(report) : summarisePrices(report)}\n`);
    return 0;
  } finally {
    clients.destroy();
  }
}
