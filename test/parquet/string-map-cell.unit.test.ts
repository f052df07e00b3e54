import type { Data, Map_, Utf8 } from 'apache-arrow';
import { columnData } from '../../lambda/core/parquet/arrow-columns';
import { arrowSchemaFor } from '../../lambda/core/parquet/arrow-schema';
import { NULL_CELL_HASH, stringMapCellHash, stringMapHash } from '../../lambda/core/parquet/string-map-cell';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';

const tagsType = arrowSchemaFor(TRAINING_JOB_SCHEMA).fields.find((field) => field.name === 'tags')!.type;

/** A tags column of the given cells, each a list of entries (null for a NULL map). */
function tagsColumn(...cells: ([string, string | null][] | null)[]): Data<Map_<Utf8, Utf8>> {
  return columnData(
    tagsType,
    cells.map((cell) => (cell === null ? null : new Map(cell))),
  ) as Data<Map_<Utf8, Utf8>>;
}

describe('stringMapHash and stringMapCellHash: tags and a tags cell hashed alike', () => {
  const sets: Record<string, string>[] = [
    {},
    { team: 'vision' },
    { team: 'vision', 'cost-center': '42' },
    { 'cost-center': '42', team: 'vision' },
    { ab: 'c' },
    { a: 'bc' },
    { équipe: 'données-€', emoji: '🚀' },
    { domain: 'arn:aws:sagemaker:us-east-1:123456789012:domain/d-abc', empty: '' },
  ];

  it('gives tags and the cell written from them the same hash', () => {
    // Prepare
    const column = tagsColumn(...sets.map((tags) => Object.entries(tags)));

    // Act
    const cellHashes = sets.map((_, index) => stringMapCellHash(column, index));

    // Assess
    expect(cellHashes).toEqual(sets.map((tags) => stringMapHash(tags)));
  });

  it('hashes a cell of a slice at its place in the slice', () => {
    // Prepare
    const column = tagsColumn(...sets.map((tags) => Object.entries(tags))).slice(5, 3);

    // Act
    const hashes = [0, 1, 2].map((index) => stringMapCellHash(column, index));

    // Assess
    expect(hashes).toEqual(sets.slice(5, 8).map((tags) => stringMapHash(tags)));
  });

  it('tells apart entries reordered, split at another place, or changed beyond ASCII', () => {
    // Prepare
    const hashes = sets.map((tags) => stringMapHash(tags));

    // Act
    const distinct = new Set([...hashes, stringMapHash({ équipe: 'donnèes-€', emoji: '🚀' })]);

    // Assess
    expect(distinct.size).toBe(sets.length + 1);
  });

  it('hashes a NULL map and an entry whose value is NULL unlike any tags', () => {
    // Prepare
    const column = tagsColumn(null, [['team', null]]);

    // Act
    const hashes = [stringMapCellHash(column, 0), stringMapCellHash(column, 1)];

    // Assess
    expect(hashes[0]).toBe(NULL_CELL_HASH);
    expect([stringMapHash({}), stringMapHash({ team: '' }), NULL_CELL_HASH]).not.toContain(hashes[1]);
  });
});
