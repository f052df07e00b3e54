import { Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import type { TableSchema } from '../lambda/core/schema/table-schema';

export interface TrainingJobGlueTableProps {
  readonly schema: TableSchema;
  readonly databaseName: string;
  readonly tableName: string;
  /** s3://bucket/prefix/<table>/ : the folder holding the snapshot_date=/region= partitions. */
  readonly location: string;
  /** Regions whose partitions exist (projection enum). */
  readonly regions: readonly string[];
  /** First snapshot date the projection covers, YYYY-MM-DD. */
  readonly projectionStartDate: string;
}

/**
 * The Glue database and table, every column taken from the one schema file. Partitions are found by
 * Athena partition projection from the S3 layout, so no crawler or MSCK REPAIR ever runs and a new
 * day's snapshot is queryable the moment its object lands.
 */
export class TrainingJobGlueTable extends Construct {
  readonly database: glue.CfnDatabase;
  readonly table: glue.CfnTable;

  constructor(scope: Construct, id: string, props: TrainingJobGlueTableProps) {
    super(scope, id);
    const { schema, location } = props;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: { name: props.databaseName, description: 'SageMaker training-job inventory (sagemaker-job-inventory).' },
    });
    const partitionTemplate = schema.partitionKeys.map((key) => `${key.name}=\${${key.name}}`).join('/');
    this.table = new glue.CfnTable(this, 'Table', {
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableInput: {
        name: props.tableName,
        description: 'Daily snapshots of every SageMaker training job, one Parquet object per (account, region) and day.',
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: schema.partitionKeys.map(({ name, type, comment }) => ({ name, type, comment })),
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'parquet.compression': 'ZSTD',
          'projection.enabled': 'true',
          'projection.snapshot_date.type': 'date',
          'projection.snapshot_date.format': 'yyyy-MM-dd',
          'projection.snapshot_date.range': `${props.projectionStartDate},NOW`,
          'projection.snapshot_date.interval': '1',
          'projection.snapshot_date.interval.unit': 'DAYS',
          'projection.region.type': 'enum',
          'projection.region.values': props.regions.join(','),
          'storage.location.template': `${location}${partitionTemplate}`,
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
    this.table.addResourceDependency(this.database);
  }
}
