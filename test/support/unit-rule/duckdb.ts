/**
 * Stands in for `@duckdb/node-api` in the unit project (jest.config.js): a unit suite may import code that
 * uses DuckDB, but opening a database makes it an integration suite.
 */
import { refuseInUnitSuite } from './refuse';

export class DuckDBInstance {
  static create(): never {
    return refuseInUnitSuite('open a DuckDB database');
  }

  static fromCache(): never {
    return refuseInUnitSuite('open a DuckDB database');
  }
}
