import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { ConfigError } from '../lambda/core/errors';
import {
  CHANGE_RETENTION_DAYS,
  INVENTORY_RUN_SCHEMA,
  TRAINING_JOB_CHANGE_SCHEMA,
  TRAINING_JOB_LEDGER_SCHEMA,
  TRAINING_JOB_SCHEMA,
  type ColumnDefinition,
  type TableSchema,
} from '../lambda/core/schema/table-schema';

export interface InventoryGlueTablesProps {
  /** The tables, each declared once in glue-schema/. */
  readonly schemas: readonly TableSchema[];
  readonly databaseName: string;
  /**
   * Glue table name per schema table name, for a deployment that renames one.
   * @default each schema's own table name
   */
  readonly tableNames?: Readonly<Record<string, string>>;
  /** s3://bucket/prefix/ (with the trailing slash): each table's partitions are under `<root><schema table>/`. */
  readonly locationRoot: string;
  /** Regions whose partitions exist (projection enum of the `region` partition key). */
  readonly regions: readonly string[];
  /** First snapshot date the projection covers (`snapshot_date` partition key), YYYY-MM-DD. */
  readonly projectionStartDate: string;
}

const TABLE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [TRAINING_JOB_SCHEMA.table]: 'Daily snapshots of every SageMaker training job, one Parquet object per (account, region) and day.',
  [INVENTORY_RUN_SCHEMA.table]:
    'One row per published (account, region, snapshot date) run of the inventory: status, jobs written, API calls, timing.',
  [TRAINING_JOB_LEDGER_SCHEMA.table]:
    "Each training job's first snapshot and, once it leaves its target's snapshot (deleted), its last known row: the history views read it.",
  [TRAINING_JOB_CHANGE_SCHEMA.table]:
    'Training jobs described on their EventBridge state changes between snapshots, one Parquet object per applied batch: the live view reads it.',
};

/**
 * The Glue database and one table per schema, every column taken from its schema file. Partitions are
 * found by Athena partition projection from the S3 layout, so no crawler or MSCK REPAIR ever runs and a
 * new day's objects are queryable the moment they land.
 */
export class InventoryGlueTables extends Construct {
  readonly database: glue.CfnDatabase;
  /** Each table, by its schema's table name. */
  readonly tables: Readonly<Record<string, glue.CfnTable>>;
  /** The `sagemaker_training_job` table. */
  readonly table: glue.CfnTable;

  constructor(scope: Construct, id: string, props: InventoryGlueTablesProps) {
    super(scope, id);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: { name: props.databaseName, description: 'SageMaker training-job inventory (sagemaker-job-inventory).' },
    });
    const tables: Record<string, glue.CfnTable> = {};
    for (const schema of props.schemas) {
      // The training-job table keeps the id it had when it was the only table, so its logical id does not change.
      const tableId = schema.table === TRAINING_JOB_SCHEMA.table ? 'Table' : `Table-${schema.table}`;
      tables[schema.table] = this.createTable(tableId, schema, props);
    }
    this.tables = tables;
    const trainingJobTable = tables[TRAINING_JOB_SCHEMA.table];
    if (!trainingJobTable) throw new ConfigError(`${this.node.path}: schemas lack ${TRAINING_JOB_SCHEMA.table}; every inventory writes it`);
    this.table = trainingJobTable;
  }

  private createTable(id: string, schema: TableSchema, props: InventoryGlueTablesProps): glue.CfnTable {
    const location = `${props.locationRoot}${schema.table}/`;
    // Athena requires the template to end with a slash, like a partition's location.
    const locationTemplate = `${location}${schema.partitionKeys.map((key) => `${key.name}=\${${key.name}}`).join('/')}/`;
    const table = new glue.CfnTable(this, id, {
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableInput: {
        name: props.tableNames?.[schema.table] ?? schema.table,
        description: TABLE_DESCRIPTIONS[schema.table] ?? `${schema.table} (sagemaker-job-inventory).`,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: schema.partitionKeys.map(({ name, type, comment }) => ({ name, type, comment })),
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'parquet.compression': 'ZSTD',
          'projection.enabled': 'true',
          ...Object.assign({}, ...schema.partitionKeys.map((key) => this.projection(schema, key, props))),
          'storage.location.template': locationTemplate,
        },
        storageDescriptor: {
          location,
          columns: schema.columns.map(({ name, type, comment }) => ({ name, type, comment })),
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: {
            serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
            parameters: { 'serialization.format': '1' },
          },
          compressed: true,
          storedAsSubDirectories: false,
        },
      },
    });
    table.addResourceDependency(this.database);
    return table;
  }

  /** Partition projection for one partition key: snapshot dates from the start date to today, regions from the deployment's list. */
  private projection(schema: TableSchema, key: ColumnDefinition, props: InventoryGlueTablesProps): Record<string, string> {
    switch (key.name) {
      case 'snapshot_date':
        return {
          'projection.snapshot_date.type': 'date',
          'projection.snapshot_date.format': 'yyyy-MM-dd',
          'projection.snapshot_date.range': `${props.projectionStartDate},NOW`,
          'projection.snapshot_date.interval': '1',
          'projection.snapshot_date.interval.unit': 'DAYS',
        };
      case 'region':
        return { 'projection.region.type': 'enum', 'projection.region.values': props.regions.join(',') };
      case 'recorded_date':
        // Only the recent days a change can matter for (its objects expire after them), so Athena never lists older ones.
        return {
          'projection.recorded_date.type': 'date',
          'projection.recorded_date.format': 'yyyy-MM-dd',
          'projection.recorded_date.range': `NOW-${CHANGE_RETENTION_DAYS}DAYS,NOW`,
          'projection.recorded_date.interval': '1',
          'projection.recorded_date.interval.unit': 'DAYS',
        };
      default:
        throw new ConfigError(
          `${this.node.path}: table ${schema.table} has partition key ${key.name}, which has no partition projection; allowed: snapshot_date, region, recorded_date`,
        );
    }
  }
}
