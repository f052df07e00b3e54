import { Bool, Field, Float64, Int64, Map_, Schema, Struct, TimestampMillisecond, Utf8, type DataType } from 'apache-arrow';
import type { GlueType, TableSchema } from '../schema/table-schema';

/**
 * The Arrow type each Glue type is written as. arrow-rs turns these into the Parquet types Athena expects:
 * INT64, DOUBLE, TIMESTAMP(MILLIS, isAdjustedToUTC=true), BYTE_ARRAY UTF8, BOOLEAN, and a MAP group.
 */
function arrowTypeFor(type: GlueType): DataType {
  switch (type) {
    case 'string':
      return new Utf8();
    case 'bigint':
      return new Int64();
    case 'double':
      return new Float64();
    case 'boolean':
      return new Bool();
    case 'timestamp':
      return new TimestampMillisecond('UTC');
    case 'map<string,string>':
      return new Map_(
        new Field(
          'entries',
          new Struct<{ key: Utf8; value: Utf8 }>([new Field('key', new Utf8(), false), new Field('value', new Utf8(), true)]),
          false,
        ),
        false,
      );
  }
}

/** Data columns only: partition values live in the object's path (Hive layout), not in the file. */
export function arrowSchemaFor(schema: TableSchema): Schema {
  return new Schema(schema.columns.map((column) => new Field(column.name, arrowTypeFor(column.type), true)));
}
