import { makeVector, type Data, type Map_, type Utf8 } from 'apache-arrow';
import { columnBuilder, columnData, StringMapColumn } from '../../lambda/core/parquet/arrow-columns';
import { arrowSchemaFor } from '../../lambda/core/parquet/arrow-schema';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';

const schema = arrowSchemaFor(TRAINING_JOB_SCHEMA);
const typeOf = (name: string) => schema.fields.find((field) => field.name === name)!.type;

/** A map column's values as plain objects, NULL maps as null. */
function mapsOf(values: readonly unknown[]): unknown[] {
  return values.map((map) => (map === null ? null : { ...(map as { toJSON(): object }).toJSON() }));
}

describe('Arrow column builders', () => {
  it('writes strings of any length and script, and NULLs, as they were appended', () => {
    // Prepare
    const values = ['', 'plain', null, 'é漢😀'.repeat(500), 'x'.repeat(70_000), null, '"quoted" \\ \n'];

    // Act
    const data = columnData(typeOf('failure_reason'), values);

    // Assess
    expect(makeVector(data).toArray()).toEqual(values);
    expect(data.nullCount).toBe(2);
  });

  it('writes string maps with their NULL entries, empty maps and NULL maps', () => {
    // Prepare
    const values = [
      new Map([
        ['a', '1'],
        ['b', null],
      ]),
      new Map(),
      null,
      new Map([['ключ', 'значение'.repeat(300)]]),
    ];

    // Act
    const data = columnData(typeOf('hyper_parameters'), values);

    // Assess
    expect(mapsOf(makeVector(data).toArray())).toEqual([{ a: '1', b: null }, {}, null, { ключ: 'значение'.repeat(300) }]);
  });

  it('copies string map cells from another column, a slice of it included, byte for byte and in any order', () => {
    // Prepare
    const type = typeOf('tags') as Map_<Utf8, Utf8>;
    const source = columnData(type, [
      new Map([['skipped', 'x']]),
      new Map([
        ['a', '1'],
        ['b', null],
      ]),
      null,
      new Map([['équipe', 'données-€'.repeat(40)]]),
      new Map(),
    ]).slice(1, 4) as Data<Map_<Utf8, Utf8>>;
    const column = new StringMapColumn(type, 1);

    // Act
    for (const index of [2, 0, 1, 2]) column.appendCellOf(source, index);
    column.append({ set: 'as held' });
    const data = column.finish();

    // Assess
    expect(mapsOf(makeVector(data).toArray())).toEqual([
      { équipe: 'données-€'.repeat(40) },
      { a: '1', b: null },
      null,
      { équipe: 'données-€'.repeat(40) },
      { set: 'as held' },
    ]);
    expect(data.nullCount).toBe(1);
  });

  it('takes more values than it was sized for', () => {
    // Prepare
    const builder = columnBuilder(typeOf('training_job_status'), 2);
    const values = Array.from({ length: 100 }, (_, index) => (index % 3 === 0 ? null : `status-${index}`));

    // Act
    for (const value of values) builder.append(value);
    const data = builder.finish();

    // Assess
    expect(makeVector(data).toArray()).toEqual(values);
  });
});
