import { Command } from '@commander-js/extra-typings';
import { readConfig, readSnapshotDate } from '../../lambda/core/pipeline/config';
import { utcDate } from '../../lambda/core/publish/layout';
import { priceSnapshotClients } from '../../lambda/core/pricing/price-clients';
import { runPriceSnapshot, type PriceSnapshotReport } from '../../lambda/core/pricing/price-snapshot';
import { withGuide } from '../command-guide';
import type { CommandIo } from '../options';
import { settingNamer, settingOptions, settingsInput } from '../setting-options';

export interface PricesFlags {
  readonly regions?: string;
  readonly out?: string;
  readonly date?: string;
  readonly json?: boolean;
}

/** The settings `sm-inventory prices` takes as flags. */
const PRICES_SETTINGS = ['regions', 'output'] as const;

export function pricesCommand(io: CommandIo) {
  const command = new Command('prices').description(
    'Write a price snapshot: the on-demand training price of every SageMaker instance type in the regions, from the AWS Price List API.',
  );
  for (const option of settingOptions(PRICES_SETTINGS)) command.addOption(option);
  command
    .option('--date <YYYY-MM-DD>', 'price snapshot date (default: today, UTC)')
    .option('--json', 'print the report as JSON')
    .action(async (flags) => {
      io.setExitCode(await runPricesCommand(flags as PricesFlags, io));
    });
  return withGuide(command, {
    settings: PRICES_SETTINGS,
    exitCodes: [0, 1],
    examples: [
      { command: 'sm-inventory prices --regions us-east-1,eu-west-1', does: "today's training prices of two regions, into ./warehouse" },
      {
        command: 'sm-inventory prices --out s3://my-bucket/inventory --date 2026-11-30 --json',
        does: 'the prices as of a date, into S3, with the report as JSON',
      },
    ],
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
  const given = flags as Readonly<Record<string, unknown>>;
  const config = readConfig({ ...settingsInput(given, env), AWS_REGION: env.AWS_REGION ?? env.AWS_DEFAULT_REGION }, settingNamer(given));
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
    for (const type of report.setAside)
      io.err.write(
        `warning: ${type.region} ${type.instanceType} set aside (SKUs ${type.skus.join(', ')}); its jobs show no_price: ${type.reason}\n`,
      );
    return 0;
  } finally {
    clients.destroy();
  }
}
