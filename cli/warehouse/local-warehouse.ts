import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QueryError } from '../../lambda/core/errors';
import {
  COST_AND_USAGE_REPORT_SCHEMA,
  TABLE_SCHEMAS,
  TRAINING_JOB_SCHEMA,
  type ColumnDefinition,
  type GlueType,
  type TableSchema,
} from '../../lambda/core/schema/table-schema';
import { ATHENA_COMPATIBILITY_MACROS } from './duckdb-compat';
import { loadOptionalPeer } from '../optional-peer';
import type { QueryResult } from '../../lambda/core/query/query-result';
import {
  costAndUsageReportReaders,
  loadSqlCatalog,
  renderSql,
  resolveSql,
  withoutCostAndUsageReport,
  type SqlDefinition,
  type SqlSettings,
} from '../../lambda/core/query/sql-catalog';
import { costAndUsageReportDataFolder } from './cur-export';

export type { QueryResult } from '../../lambda/core/query/query-result';

/**
 * The DuckDB type each Glue type reads as in Athena. Timestamps: Athena shows `timestamp(3)` without a
 * time zone; DuckDB's TIMESTAMP is that (its values keep the files' millisecond precision) and, unlike
 * TIMESTAMP_MS, compares with current_timestamp as Trino's does.
 */
const ATHENA_TYPE_IN_DUCKDB: Record<GlueType, string> = {
  string: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  'map<string,string>': 'MAP(VARCHAR, VARCHAR)',
};

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function hasParquetFiles(directory: string): boolean {
  return existsSync(directory) && readdirSync(directory, { recursive: true }).some((entry) => String(entry).endsWith('.parquet'));
}

/** Every column as Athena types it: the Parquet files' timestamps carry a UTC zone that Athena's columns do not. */
function athenaTyped(column: ColumnDefinition): string {
  return column.type === 'timestamp' ? `CAST("${column.name}" AS TIMESTAMP) AS "${column.name}"` : `"${column.name}"`;
}

/**
 * A table's view over its hive-partitioned Parquet files, or an empty view with its columns when it has
 * none yet. `folderKey` is a partition key's name in the folder names (AWS Data Exports writes
 * BILLING_PERIOD=, Glue calls it billing_period). Each row also has `"$path"`, the file it came from,
 * standing in for Athena's hidden column of that name, which the views use to read only the objects the
 * run records commit. (Athena leaves it out of `SELECT *`; here it is a column, so the shipped views name
 * their columns where that matters.)
 */
function tableView(schema: TableSchema, tableDirectory: string, folderKey: (key: ColumnDefinition) => string = (key) => key.name): string {
  const columns = [...schema.columns, ...schema.partitionKeys];
  if (!hasParquetFiles(tableDirectory)) {
    const typedNulls = columns.map((c) => `CAST(NULL AS ${ATHENA_TYPE_IN_DUCKDB[c.type]}) AS "${c.name}"`).join(', ');
    return `CREATE VIEW "${schema.table}" AS SELECT ${typedNulls}, CAST(NULL AS VARCHAR) AS "$path" WHERE false`;
  }
  const files = quoteLiteral(`${tableDirectory}${'/*'.repeat(schema.partitionKeys.length)}/*.parquet`);
  const partitionTypes = schema.partitionKeys.map((k) => `'${folderKey(k)}': VARCHAR`).join(', ');
  const partitions = schema.partitionKeys.map((k) => `"${folderKey(k)}" AS "${k.name}"`);
  const select = [...schema.columns.map(athenaTyped), ...partitions].join(', ');
  return `CREATE VIEW "${schema.table}" AS SELECT ${select}, filename AS "$path" FROM read_parquet(${files}, hive_partitioning = true, hive_types = {${partitionTypes}}, union_by_name = true)`;
}

/** What `--cur <dir>` means, in the help of each command that takes it. */
export const CUR_FLAG_HELP =
  'an AWS Data Exports CUR 2.0 export folder (holding data/BILLING_PERIOD=YYYY-MM/*.parquet, or data/ itself), registered as the Cost and Usage Report for the billed-cost views and queries';

/** Where the local warehouse reads from, and what it gives the shipped SQL. */
export interface LocalWarehouseOptions extends Omit<SqlSettings, 'costAndUsageReport'> {
  readonly tables?: readonly TableSchema[];
  /**
   * An AWS Data Exports CUR 2.0 export folder (the one holding data/, or data/ itself) to register as the
   * Cost and Usage Report, for the billed-cost views and queries.
   * @default - no Cost and Usage Report: the views and queries that read it are not created
   */
  readonly curExport?: string;
}

/**
 * DuckDB over a local warehouse folder: each table as a view over its hive-partitioned Parquet files,
 * typed as Athena types the Glue table, the shipped views on top, and the compatibility macros, so
 * Athena SQL runs unchanged.
 */
export class LocalWarehouse {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly views: readonly SqlDefinition[],
    readonly queries: readonly SqlDefinition[],
    private readonly settings: SqlSettings,
    /** Names of the shipped views and queries that need a Cost and Usage Report this warehouse lacks. */
    private readonly withoutReport: ReadonlySet<string>,
  ) {}

  /**
   * Opens the warehouse under `directory`. The training-job table must have files; any other table
   * (such as `sagemaker_inventory_run`, which snapshots from before it existed lack) may have none.
   */
  static async open(directory: string, options: LocalWarehouseOptions = {}): Promise<LocalWarehouse> {
    const { tables = TABLE_SCHEMAS, curExport, ...settings } = options;
    const curData = curExport === undefined ? undefined : costAndUsageReportDataFolder(curExport);
    const trainingJobDirectory = join(resolve(directory), TRAINING_JOB_SCHEMA.table);
    if (!hasParquetFiles(trainingJobDirectory)) {
      throw new QueryError(`no snapshots under ${trainingJobDirectory}; run "sm-inventory snapshot --out ${directory}" first`);
    }
    const duckdb = await loadOptionalPeer('@duckdb/node-api', 'The local warehouse (query, report and demo)', () => import('@duckdb/node-api'));
    const instance = await duckdb.DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const catalog = loadSqlCatalog();
    const { views, queries } = curData ? catalog : withoutCostAndUsageReport(catalog);
    const withoutReport = curData ? new Set<string>() : costAndUsageReportReaders(catalog);
    const warehouse = new LocalWarehouse(instance, connection, views, queries, settings, withoutReport);
    try {
      // Athena reads these timestamps as UTC; so must every local date function.
      await connection.run("SET TimeZone = 'UTC'");
      for (const { macro } of ATHENA_COMPATIBILITY_MACROS) await connection.run(macro);
      for (const schema of tables) await connection.run(tableView(schema, join(resolve(directory), schema.table)));
      if (curData) await connection.run(tableView(COST_AND_USAGE_REPORT_SCHEMA, curData, (key) => key.name.toUpperCase()));
      for (const view of views) await connection.run(renderSql(view, settings));
    } catch (error) {
      warehouse.close();
      throw new QueryError(`cannot open the local warehouse at ${directory}`, { cause: error });
    }
    return warehouse;
  }

  async query(nameOrSql: string): Promise<QueryResult> {
    if (this.withoutReport.has(nameOrSql)) {
      throw new QueryError(
        `${nameOrSql} reads the Cost and Usage Report, and this warehouse has none; allowed: pass --cur <dir>, an AWS Data Exports CUR 2.0 export folder`,
      );
    }
    const sql = resolveSql(nameOrSql, this, this.settings);
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
