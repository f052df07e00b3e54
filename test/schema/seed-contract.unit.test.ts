import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GLUE_COMMENT_LIMIT, TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { readSeedColumns, SEED_DIRECTORY } from '../support/seed';

/** Written out here, independently of the project's import script, so a mistake there cannot hide. */
const EXPECTED_GLUE_TYPE: Record<string, string> = {
  string: 'string',
  int64: 'bigint',
  bool: 'boolean',
  timestamp: 'timestamp',
  hstore: 'map<string,string>',
  json: 'string',
};

describe('glue-schema/sagemaker_training_job.json against the seed contract', () => {
  const seed = readSeedColumns();

  it('has the 46 seed columns, in seed order', () => {
    // Act
    const names = TRAINING_JOB_SCHEMA.columns.map((c) => c.name);

    // Assess
    expect(names).toEqual(seed.map((c) => c.name));
    expect(seed).toHaveLength(46);
  });

  it('gives each column the Glue type its seed type maps to', () => {
    // Act
    const mismatches = seed.filter((c, i) => TRAINING_JOB_SCHEMA.columns[i].type !== EXPECTED_GLUE_TYPE[c.seedType]);

    // Assess
    expect(mismatches).toEqual([]);
  });

  it.each(TRAINING_JOB_SCHEMA.columns.map((column, i) => [column.name, column, i] as const))(
    "keeps %s's description whole, or cut at a word boundary within Glue's limit",
    (_name, column, i) => {
      // Prepare
      const description = seed[i].description;

      // Assess
      expect(column.comment.length).toBeLessThanOrEqual(GLUE_COMMENT_LIMIT);
      if (description.length <= GLUE_COMMENT_LIMIT) {
        expect(column.comment).toBe(description);
      } else {
        expect(description.startsWith(column.comment)).toBe(true);
        expect(description[column.comment.length]).toMatch(/[\s,.;:]/);
        expect(column.comment.length).toBeGreaterThan(GLUE_COMMENT_LIMIT - 40);
      }
    },
  );

  it('partitions by snapshot_date then region, both strings', () => {
    // Assess
    expect(TRAINING_JOB_SCHEMA.partitionKeys.map((k) => [k.name, k.type])).toEqual([
      ['snapshot_date', 'string'],
      ['region', 'string'],
    ]);
  });

  it('has exactly the documented shape, so other tools can read it', () => {
    // Act
    const raw = JSON.parse(readFileSync(join(__dirname, '..', '..', 'glue-schema', 'sagemaker_training_job.json'), 'utf8'));

    // Assess
    expect(Object.keys(raw).sort()).toEqual(['columns', 'database', 'partitionKeys', 'table']);
    expect(raw.table).toBe('sagemaker_training_job');
    for (const column of [...raw.columns, ...raw.partitionKeys]) expect(Object.keys(column).sort()).toEqual(['comment', 'name', 'type']);
  });

  it('keeps the vendored seed files byte for byte as delivered, as their README records', () => {
    // Prepare
    const recorded = new Map(
      [...readFileSync(join(SEED_DIRECTORY, 'README.md'), 'utf8').matchAll(/^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$/gm)].map(
        ([, file, hash]) => [file, hash],
      ),
    );

    // Act
    const actual = new Map(
      readdirSync(SEED_DIRECTORY)
        .filter((file) => file !== 'README.md')
        .map((file) => [
          file,
          createHash('sha256')
            .update(readFileSync(join(SEED_DIRECTORY, file)))
            .digest('hex'),
        ]),
    );

    // Assess
    expect(actual).toEqual(recorded);
    expect(actual.size).toBe(2);
  });
});
