import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SeedColumn {
  readonly name: string;
  readonly seedType: string;
  readonly description: string;
}

/** The contract: ../shared/seed/sagemaker_training_job.columns.tsv beside the repository. */
export const SEED_TSV = join(__dirname, '..', '..', '..', 'shared', 'seed', 'sagemaker_training_job.columns.tsv');

export function readSeedColumns(): SeedColumn[] {
  if (!existsSync(SEED_TSV)) throw new Error(`seed contract not found at ${SEED_TSV}; the repository must sit beside shared/`);
  const [, ...lines] = readFileSync(SEED_TSV, 'utf8').split('\n').filter((line) => line.trim() !== '');
  return lines.map((line) => {
    const [name, seedType, description = ''] = line.split('\t');
    return { name, seedType, description: description.trim() };
  });
}
