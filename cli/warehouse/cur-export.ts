import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../lambda/core/errors';

/** AWS Data Exports names a CUR 2.0 export's partition folders `BILLING_PERIOD=YYYY-MM` under `<export>/data/`. */
const BILLING_PERIOD_FOLDER = /^BILLING_PERIOD=\d{4}-(0[1-9]|1[0-2])$/;

function billingPeriodFolders(directory: string): string[] {
  if (!existsSync(directory) || !statSync(directory).isDirectory()) return [];
  return readdirSync(directory).filter((entry) => BILLING_PERIOD_FOLDER.test(entry) && statSync(join(directory, entry)).isDirectory());
}

/**
 * The folder holding a CUR 2.0 export's `BILLING_PERIOD=YYYY-MM` folders, given either the export's folder
 * (`<prefix>/<export-name>`, as copied from S3, holding data/ and metadata/) or its data/ folder itself.
 */
export function costAndUsageReportDataFolder(exportFolder: string): string {
  const folder = resolve(exportFolder);
  for (const candidate of [join(folder, 'data'), folder]) {
    if (billingPeriodFolders(candidate).length > 0) return candidate;
  }
  throw new ConfigError(
    `--cur ${exportFolder} holds no BILLING_PERIOD=YYYY-MM folder; allowed: an AWS Data Exports CUR 2.0 export folder (holding data/BILLING_PERIOD=YYYY-MM/*.parquet) or its data/ folder`,
  );
}
