import { GENERATION_PATTERN } from '../../lambda/core/publish/layout';

/** `<account>.<generation>.parquet` with the run's generation replaced by `<generation>`, so listings compare across runs. */
export function withoutGeneration(path: string): string {
  return path.replace(new RegExp(`\\.${GENERATION_PATTERN.source}\\.parquet$`), '.<generation>.parquet');
}
