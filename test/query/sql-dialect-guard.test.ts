import { COMMON_SQL_FUNCTIONS, functionsCalled } from '../../lambda/cli/warehouse/duckdb-compat';
import { loadSqlCatalog, renderSql } from '../../lambda/core/query/sql-catalog';

const VIEW_NAMES = new Set(loadSqlCatalog().views.map((v) => v.name));

describe('the shipped SQL', () => {
  const { views, queries } = loadSqlCatalog();

  it.each([...views, ...queries].map((d) => [d.name, d] as const))('%s calls only functions of the documented common subset', (_name, definition) => {
    const outside = functionsCalled(renderSql(definition)).filter((f) => !COMMON_SQL_FUNCTIONS.includes(f) && !VIEW_NAMES.has(f));
    expect(outside).toEqual([]);
  });

  it('each file has a name and a description', () => {
    for (const d of [...views, ...queries]) {
      expect(d.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(d.description.length).toBeGreaterThan(20);
    }
  });

  it('the guard catches an Athena-only function', () => {
    const sql = "SELECT approx_percentile(billable_time_in_seconds, 0.9), 'not_a_call(' FROM t -- ignored_call(";
    expect(functionsCalled(sql).filter((f) => !COMMON_SQL_FUNCTIONS.includes(f))).toEqual(['approx_percentile']);
  });
});
