import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SeedColumn {
  readonly name: string;
  readonly seedType: string;
  readonly description: string;
}

/** The contract, vendored with its provenance in glue-schema/seed/README.md. */
export const SEED_DIRECTORY = join(__dirname, '..', '..', 'glue-schema', 'seed');
export const SEED_TSV = join(SEED_DIRECTORY, 'sagemaker_training_job.columns.tsv');

export function readSeedColumns(): SeedColumn[] {
  if (!existsSync(SEED_TSV)) throw new Error(`seed contract not found at ${SEED_TSV}`);
  const [, ...lines] = readFileSync(SEED_TSV, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  return lines.map((line) => {
    const [name, seedType, description = ''] = line.split('\t');
    return { name, seedType, description: description.trim() };
  });
}
