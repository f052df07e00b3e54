import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QueryError } from '../../core/errors';
import { TABLE_SCHEMAS, TRAINING_JOB_SCHEMA, type GlueType, type TableSchema } from '../../core/schema/table-schema';
import { ATHENA_COMPATIBILITY_MACROS } from './duckdb-compat';
import type { QueryResult } from '../../core/query/query-result';
import { loadSqlCatalog, renderSql, resolveSql, type SqlDefinition } from '../../core/query/sql-catalog';

export type { QueryResult } from '../../core/query/query-result';

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** DuckDB's type for each Glue type, for a table that has no files yet. */
const DUCKDB_TYPES: Record<GlueType, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  'map<string,string>': 'MAP(VARCHAR, VARCHAR)',
};

/**
 * A table as a view over its hive-partitioned Parquet files; a table with no files yet (no price
 * snapshot written) is an empty view with the same columns, so the views over it still answer.
 */
function tableViewSql(tableDirectory: string, schema: TableSchema): string {
  const hasFiles = existsSync(tableDirectory) && readdirSync(tableDirectory).some((entry) => entry.startsWith(`${schema.partitionKeys[0].name}=`));
  const all = [...schema.columns, ...schema.partitionKeys];
  if (!hasFiles) {
    const columns = all.map((c) => `CAST(NULL AS ${schema.partitionKeys.includes(c) ? 'VARCHAR' : DUCKDB_TYPES[c.type]}) AS "${c.name}"`).join(', ');
    return `CREATE VIEW "${schema.table}" AS SELECT ${columns} WHERE false`;
  }
  const columns = all.map((c) => `"${c.name}"`).join(', ');
  const files = quoteLiteral(`${tableDirectory}/${schema.partitionKeys.map(() => '*').join('/')}/*.parquet`);
  const partitionTypes = schema.partitionKeys.map((k) => `'${k.name}': VARCHAR`).join(', ');
  return `CREATE VIEW "${schema.table}" AS SELECT ${columns} FROM read_parquet(${files}, hive_partitioning = true, hive_types = {${partitionTypes}}, union_by_name = true)`;
}

/**
 * DuckDB over a local warehouse folder: the table as a view over the hive-partitioned Parquet files,
 * the shipped views on top, and the compatibility macros, so Athena SQL runs unchanged.
 */
export class LocalWarehouse {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly views: readonly SqlDefinition[],
    readonly queries: readonly SqlDefinition[],
  ) {}

  static async open(directory: string, options: { schema?: TableSchema; tagKeys?: readonly string[] } = {}): Promise<LocalWarehouse> {
    const schema = options.schema ?? TRAINING_JOB_SCHEMA;
    const tableDirectory = join(resolve(directory), schema.table);
    const hasFiles = existsSync(tableDirectory) && readdirSync(tableDirectory).some((entry) => entry.startsWith('snapshot_date='));
    if (!hasFiles) {
      throw new QueryError(`no snapshots under ${tableDirectory}; run "sm-inventory snapshot --out ${directory}" first`);
    }
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const { views, queries } = loadSqlCatalog();
    const warehouse = new LocalWarehouse(instance, connection, views, queries);
    try {
      // Athena reads these timestamps as UTC; so must every local date function.
      await connection.run("SET TimeZone = 'UTC'");
      for (const { macro } of ATHENA_COMPATIBILITY_MACROS) await connection.run(macro);
      await connection.run(tableViewSql(tableDirectory, schema));
      for (const other of TABLE_SCHEMAS.filter((t) => t.table !== schema.table)) await connection.run(tableViewSql(join(resolve(directory), other.table), other));
      for (const view of views) await connection.run(renderSql(view, options.tagKeys));
    } catch (error) {
      warehouse.close();
      throw new QueryError(`cannot open the local warehouse at ${directory}`, { cause: error });
    }
    return warehouse;
  }

  async query(nameOrSql: string): Promise<QueryResult> {
    const sql = resolveSql(nameOrSql, this);
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
    } catch (error) {
      throw new QueryError(`DuckDB could not run the query: ${(error as Error).message}`, { cause: error });
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
