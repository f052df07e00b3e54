import { SUGGESTED_QUERY } from '../../cli/commands/demo';
import { DENIED_CONSTRUCTS, deniedConstructsIn } from '../../cli/warehouse/shared-dialect';
import { loadSqlCatalog, renderSql } from '../../lambda/core/query/sql-catalog';
import { documentedSqlExamples } from '../support/documentation';
import { sharedDialectProblems } from './trino-guard';

const DOCUMENTED_SQL = documentedSqlExamples();

/** Every statement the project ships for users to run: views, named queries, the documentation's examples, the demo's hint. */
function shippedStatements(): (readonly [string, string])[] {
  const { views, queries } = loadSqlCatalog();
  return [
    ...[...views, ...queries].map((d) => [`${d.kind} ${d.name}`, renderSql(d)] as const),
    ...DOCUMENTED_SQL.map(({ name, sql }) => [name, sql] as const),
    ["the demo's suggested query", SUGGESTED_QUERY] as const,
  ];
}

/** The views and named queries shipped in glue-schema/. */
function sqlFiles() {
  const { views, queries } = loadSqlCatalog();
  return [...views, ...queries];
}

describe('the shipped SQL', () => {
  it('includes more than one example from the documentation', () => {
    // Assess
    expect(DOCUMENTED_SQL.length).toBeGreaterThan(1);
  });

  it("includes the demo's suggestion", () => {
    // Act
    const names = shippedStatements().map(([name]) => name);

    // Assess
    expect(names).toContain("the demo's suggested query");
  });

  it.each(shippedStatements())('%s parses as Trino and keeps to the SQL both engines read alike', (_name, sql) => {
    // Act
    const problems = sharedDialectProblems(sql);

    // Assess
    expect(problems).toEqual([]);
  });

  it.each(sqlFiles().map((d) => [`${d.kind} ${d.name}`, d] as const))('%s has a lower-case name and a description', (_name, d) => {
    // Assess
    expect(d.name).toMatch(/^[a-z][a-z0-9_]*$/);
    expect(d.description.length).toBeGreaterThan(20);
  });
});

describe('the dialect guard', () => {
  it.each(DENIED_CONSTRUCTS.map((entry) => [entry.construct, entry] as const))('rejects %s', (construct, entry) => {
    // Act
    const problems = sharedDialectProblems(entry.example);

    // Assess
    expect(problems).toContain(`uses ${construct}: ${entry.why}`);
  });

  it('does not mistake string literals, JSON paths or comments for code', () => {
    // Prepare: every denied construct's text, inside literals and comments only.
    const sql = [
      "SELECT json_extract_scalar(resource_config, '$.InstanceGroups[0].InstanceType') AS t,",
      `  '${DENIED_CONSTRUCTS.map((e) => e.example)
        .join(' ')
        .replace(/'/g, "''")}' AS text -- it's ILIKE :: QUALIFY`,
      "FROM t /* GROUP BY ALL, E'x', a // b */",
    ].join('\n');

    // Act
    const denied = deniedConstructsIn(sql);

    // Assess
    expect(denied).toEqual([]);
  });

  it('rejects what the Trino grammar rejects', () => {
    // Act
    const problems = sharedDialectProblems('SELECT region FROM t GROUP BY ALL');

    // Assess
    expect(problems[0]).toMatch(/^does not parse as Trino: /);
  });

  it('rejects a function outside the common list, such as greatest, which treats NULL differently', () => {
    // Act
    const problems = sharedDialectProblems('SELECT greatest(a, b) FROM t');

    // Assess
    expect(problems).toEqual(['calls greatest, which is not in the common function list']);
  });

  it('rejects a decimal literal divisor, which Trino computes in DECIMAL, suggesting a double', () => {
    // Act
    const problems = sharedDialectProblems('SELECT billable_time_in_seconds / 3600.0 FROM t');

    // Assess
    expect(problems).toContain(
      'decimal literal 3600.0 in arithmetic: Trino computes in DECIMAL and rounds to its scale; write it as a double (3600.0e0)',
    );
  });

  it('rejects a decimal literal factor too', () => {
    // Act
    const problems = sharedDialectProblems('SELECT 0.8 * max_runtime_in_seconds FROM t');

    // Assess
    expect(problems.join()).toMatch(/decimal literal 0\.8 in arithmetic/);
  });

  it('rejects a division with no DOUBLE operand', () => {
    // Act
    const problems = sharedDialectProblems('SELECT billable_time_in_seconds / training_time_in_seconds FROM t');

    // Assess
    expect(problems).toEqual([
      'division without a DOUBLE operand: 7/2 is 3 in Trino and 3.5 in DuckDB; divide by 3600e0 or CAST(... AS double)',
    ]);
  });

  it('accepts a division with a DOUBLE operand, cast or literal', () => {
    // Act
    const problems = sharedDialectProblems(
      'SELECT CAST(billable_time_in_seconds AS double) / training_time_in_seconds, round(sum(b) / 3600e0, 2) FROM t',
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it("rejects date_format specifiers whose meaning differs (Trino %M is the month name, DuckDB's the minutes)", () => {
    // Act
    const problems = sharedDialectProblems("SELECT date_format(creation_time, '%Y %M') FROM t");

    // Assess
    expect(problems).toEqual(['date_format with %M: allowed specifiers are %Y %m %d %H %i %S']);
  });

  it('accepts a bigint read of an Integer API member', () => {
    // Act
    const problems = sharedDialectProblems("SELECT CAST(json_extract_scalar(resource_config, '$.InstanceCount') AS bigint) FROM t");

    // Assess
    expect(problems).toEqual([]);
  });

  it('rejects a cast to bigint of anything else', () => {
    // Act
    const problems = sharedDialectProblems("SELECT CAST(json_extract_scalar(final_metric_data_list, '$[0].Value') AS bigint) FROM t");

    // Assess
    expect(problems.join()).toMatch(/^CAST to BIGINT of something other than an Integer API member/);
  });

  it('rejects a try_cast to an integer type', () => {
    // Act
    const problems = sharedDialectProblems("SELECT try_cast('1.0' AS bigint) FROM t");

    // Assess
    expect(problems.join()).toMatch(/^TRY_CAST to BIGINT/);
  });
});
