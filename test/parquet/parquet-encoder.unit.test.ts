import { ParquetWasmEncoder } from '../../lambda/core/parquet/parquet-encoder';
import { TrainingJobRowMapper, type TableRow } from '../../lambda/core/rows/training-job-row';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { minimalJob, REGION } from '../support/fixtures';

async function drain(bytes: AsyncIterable<Uint8Array>): Promise<number> {
  let length = 0;
  for await (const chunk of bytes) length += chunk.length;
  return length;
}

describe('the Parquet encoder', () => {
  it('fails, and ends no file, when its rows fail after some row groups are written', async () => {
    // Prepare: 25 rows in row groups of 10, then the row source fails.
    const mapper = new TrainingJobRowMapper();
    async function* rows(): AsyncIterable<TableRow> {
      for (let index = 0; index < 25; index++) yield mapper.map({ job: minimalJob(`job-${index}`), tags: {}, region: REGION }).row;
      throw new Error('the row source broke');
    }

    // Act
    const encoding = drain(new ParquetWasmEncoder(TRAINING_JOB_SCHEMA, { rowGroupRows: 10 }).encode(rows()));

    // Assess
    await expect(encoding).rejects.toThrow('the row source broke');
  });
});
