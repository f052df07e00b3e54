import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ATHENA_COMPATIBILITY_MACROS } from '../../cli/warehouse/duckdb-compat';

/**
 * Each case is what Athena engine v3 (Trino) answers, per its documentation: the macros must make
 * DuckDB answer the same.
 */
const ATHENA_ANSWERS: readonly (readonly [string, string, unknown])[] = [
  [
    'date_diff counts whole seconds elapsed, not boundaries crossed',
    "date_diff('second', TIMESTAMP '2026-01-01 00:00:00.900', TIMESTAMP '2026-01-01 00:00:01.100')",
    '0',
  ],
  [
    'date_diff counts whole days elapsed across midnight',
    "date_diff('day', TIMESTAMP '2026-01-01 23:00:00', TIMESTAMP '2026-01-02 01:00:00')",
    '0',
  ],
  [
    'date_diff counts backwards in whole units too',
    "date_diff('second', TIMESTAMP '2026-01-01 00:00:02.100', TIMESTAMP '2026-01-01 00:00:00.900')",
    '-1',
  ],
  [
    'date_diff takes a timestamp and a timestamp with time zone',
    "date_diff('hour', TIMESTAMP '2026-01-01 00:00:00', TIMESTAMPTZ '2026-01-01 05:30:00+00')",
    '5',
  ],
  [
    'date_format formats with the specifiers both engines share',
    "date_format(TIMESTAMP '2026-01-02 03:04:05.678', '%Y-%m-%d %H:%i:%S')",
    '2026-01-02 03:04:05',
  ],
  [
    'json_extract_scalar returns NULL for an object',
    'json_extract_scalar(\'{"ResourceConfig":{"InstanceCount":4}}\', \'$.ResourceConfig\')',
    null,
  ],
  [
    'json_extract_scalar returns NULL for an array',
    'json_extract_scalar(\'{"InstanceGroups":[{"InstanceCount":4}]}\', \'$.InstanceGroups\')',
    null,
  ],
  [
    'json_extract_scalar returns a scalar as text',
    'json_extract_scalar(\'{"InstanceGroups":[{"InstanceCount":4}]}\', \'$.InstanceGroups[0].InstanceCount\')',
    '4',
  ],
  ['split_part past the last part is NULL', "split_part('AlgorithmError: oops', ':', 3)", null],
  ['split_part within the parts', "split_part('AlgorithmError: oops', ':', 2)", ' oops'],
  [
    "from_iso8601_timestamp reads the JSON columns' dates",
    "CAST(from_iso8601_timestamp('2026-01-02T03:04:05.678Z') AS timestamp)",
    '2026-01-02 03:04:05.678',
  ],
  [
    'from_iso8601_timestamp honours an offset',
    "CAST(from_iso8601_timestamp('2026-01-02T03:04:05.678+02:00') AS timestamp)",
    '2026-01-02 01:04:05.678',
  ],
  ['element_at returns NULL for a missing key', "element_at(MAP {'team': 'ads'}, 'project')", null],
  ['to_unixtime counts seconds since the epoch', "to_unixtime(TIMESTAMP '1970-01-02 00:00:00.5')", 86400.5],
];

describe('the DuckDB macros for Athena functions', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const answer = async (expression: string) => (await connection.runAndReadAll(`SELECT ${expression} AS v`)).getRowObjectsJson()[0].v;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    for (const { macro } of ATHENA_COMPATIBILITY_MACROS) await connection.run(macro);
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
  });

  it.each(ATHENA_ANSWERS)('%s, as in Athena', async (_behaviour, expression, expected) => {
    // Act
    const value = await answer(expression);

    // Assess
    expect(value).toEqual(expected);
  });

  it('fails on a date_format specifier that means something else in each engine, rather than answer differently', async () => {
    // Act
    const attempt = answer("date_format(TIMESTAMP '2026-01-02 03:04:05', '%M')");

    // Assess
    await expect(attempt).rejects.toThrow(
      /date_format: %M uses a specifier whose meaning differs between Athena and DuckDB; allowed: %Y %m %d %H %i %S/,
    );
  });
});
