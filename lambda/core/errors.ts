/**
 * The one base class for every error this project raises on purpose. Callers that need to tell
 * "our clear error" from "a bug" check `instanceof InventoryError`; subclasses say which stage failed.
 */
export class InventoryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The schema file is malformed: unknown type, duplicate name, over-long comment. */
export class SchemaError extends InventoryError {}

/** A configuration value (environment, CLI flag, construct prop) is not allowed. */
export class ConfigError extends InventoryError {}

/** An API record cannot become a row: a field has the wrong shape. Names the field. */
export class InvalidRecordError extends InventoryError {}

/** Encoding rows to Parquet failed. */
export class ParquetWriteError extends InventoryError {}

/** Writing or renaming the snapshot object failed; nothing was made visible. */
export class PublishError extends InventoryError {}

/** Collecting from the SageMaker API failed after the retries the budget allowed. */
export class CollectError extends InventoryError {}

/** A query (DuckDB or Athena) failed. */
export class QueryError extends InventoryError {}

/** The Price List API's answer cannot become a price table: an ambiguous, non-USD or unreadable price. Names the SKU. */
export class PriceListError extends InventoryError {}

/**
 * An error as a person reads it: what happened, in words, then its cause. The inventory's own errors
 * say it in their message, so their class name is left out; an error from elsewhere keeps its name when
 * the name says something (`AccessDeniedException`, `TypeError`), not when it is the bare `Error`.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause !== undefined ? ` (cause: ${describeError(error.cause)})` : '';
    const named = error instanceof InventoryError || error.name === 'Error' || !error.name ? '' : `${error.name}: `;
    return `${named}${error.message}${cause}`;
  }
  return String(error);
}
