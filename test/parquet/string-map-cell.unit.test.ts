import type { Data, Map_, Utf8 } from 'apache-arrow';
import { columnData } from '../../lambda/core/parquet/arrow-columns';
import { arrowSchemaFor } from '../../lambda/core/parquet/arrow-schema';
import { isStringMapCell } from '../../lambda/core/parquet/string-map-cell';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';

const tagsType = arrowSchemaFor(TRAINING_JOB_SCHEMA).fields.find((field) => field.name === 'tags')!.type;

/** A tags column of the given cells, each a list of entries (null for a NULL map). */
function tagsColumn(...cells: ([string, string | null][] | null)[]): Data<Map_<Utf8, Utf8>> {
  return columnData(
    tagsType,
    cells.map((cell) => (cell === null ? null : new Map(cell))),
  ) as Data<Map_<Utf8, Utf8>>;
}

describe('isStringMapCell: a tags cell compared with tags, byte for byte', () => {
  it('finds the cell that holds the same entries in the same order', () => {
    // Prepare
    const column = tagsColumn(
      [['x', 'y']],
      [
        ['team', 'vision'],
        ['cost-center', '42'],
      ],
    );

    // Act
    const same = isStringMapCell(column, 1, { team: 'vision', 'cost-center': '42' });

    // Assess
    expect(same).toBe(true);
  });

  it('tells apart the same entries in another order, which a rebuilt cell would write otherwise', () => {
    // Prepare
    const column = tagsColumn([
      ['team', 'vision'],
      ['cost-center', '42'],
    ]);

    // Act
    const same = isStringMapCell(column, 0, { 'cost-center': '42', team: 'vision' });

    // Assess
    expect(same).toBe(false);
  });

  it('tells apart a changed value, a changed key, an added entry and a removed one', () => {
    // Prepare
    const column = tagsColumn([
      ['team', 'vision'],
      ['owner', 'ana'],
    ]);

    // Act
    const answers = (<Record<string, string>[]>[
      { team: 'vision', owner: 'bob' },
      { team: 'vision', Owner: 'ana' },
      { team: 'vision', owner: 'ana', project: 'p' },
      { team: 'vision' },
    ]).map((tags) => isStringMapCell(column, 0, tags));

    // Assess
    expect(answers).toEqual([false, false, false, false]);
  });

  it('compares text beyond ASCII by its UTF-8 bytes, equal or not at the same length', () => {
    // Prepare: 'é' and 'è' are both two bytes.
    const column = tagsColumn([['équipe', 'données-€']]);

    // Act
    const answers = (<Record<string, string>[]>[{ équipe: 'données-€' }, { équipe: 'donnèes-€' }, { èquipe: 'données-€' }]).map((tags) =>
      isStringMapCell(column, 0, tags),
    );

    // Assess
    expect(answers).toEqual([true, false, false]);
  });

  it('finds no tags in a NULL map or in an entry whose value is NULL, and an empty map equal to no tags', () => {
    // Prepare
    const column = tagsColumn(null, [['team', null]], []);

    // Act
    const answers = [isStringMapCell(column, 0, {}), isStringMapCell(column, 1, { team: '' }), isStringMapCell(column, 2, {})];

    // Assess
    expect(answers).toEqual([false, false, true]);
  });

  it('reads a cell of a slice at its place in the slice', () => {
    // Prepare
    const column = tagsColumn([['a', '1']], [['b', '2']], [['c', '3']]).slice(1, 2);

    // Act
    const answers = [
      isStringMapCell(column, 0, { b: '2' }),
      isStringMapCell(column, 1, { c: '3' }),
      isStringMapCell(column, 0, { a: '1' }),
    ];

    // Assess
    expect(answers).toEqual([true, true, false]);
  });
});
