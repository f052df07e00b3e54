import { LocalWarehouse } from '../../cli/warehouse/local-warehouse';
import { renderSql } from '../../lambda/core/query/sql-catalog';
import {
  BILLED_COST_VIEW_COLUMNS,
  COST_VIEW_COLUMNS,
  FLAT_VIEW_COLUMNS,
  UNATTRIBUTED_SPEND_COLUMNS,
  type QuickSightColumnType,
} from '../../lib/quicksight';
import { buildCostWarehouse, costWarehouseBill } from '../support/cost-warehouse';

/** The QuickSight type each DuckDB type of the views maps to (Athena's bigint, double, boolean, timestamp, varchar). */
function quickSightType(duckDbType: string): QuickSightColumnType | string {
  if (/^(BIGINT|HUGEINT|INTEGER)$/.test(duckDbType)) return 'INTEGER';
  if (duckDbType === 'DOUBLE') return 'DECIMAL';
  if (duckDbType === 'BOOLEAN') return 'BOOLEAN';
  if (duckDbType.startsWith('TIMESTAMP') || duckDbType === 'DATE') return 'DATETIME';
  if (duckDbType === 'VARCHAR') return 'STRING';
  return duckDbType;
}

describe("the QuickSight datasets' columns", () => {
  let warehouse: LocalWarehouse;

  beforeAll(async () => {
    const root = await buildCostWarehouse({ jobsPerRegion: 20 });
    warehouse = await LocalWarehouse.open(root, { curExport: costWarehouseBill(root) });
  }, 60_000);
  afterAll(() => warehouse?.close());

  /** A named query's SQL, as the local warehouse renders it. */
  function warehouseSql(name: string): string {
    return renderSql(warehouse.queries.find((q) => q.name === name)!);
  }

  async function viewColumns(view: string): Promise<{ name: string; type: string }[]> {
    const { rows } = await warehouse.query(`DESCRIBE ${view}`);
    return rows.map((r) => ({ name: String(r.column_name), type: quickSightType(String(r.column_type)) }));
  }

  it("are the cost view's columns, in order and with their types, then its tag columns", async () => {
    // Act
    const columns = await viewColumns('sagemaker_training_job_cost');

    // Assess
    expect(columns.filter((c) => !c.name.startsWith('tag_'))).toEqual(COST_VIEW_COLUMNS);
  });

  it('are columns the flat view has, with their types', async () => {
    // Act
    const columns = new Map((await viewColumns('sagemaker_training_job_flat')).map((c) => [c.name, c.type]));

    // Assess
    expect(FLAT_VIEW_COLUMNS.map((c) => [c.name, columns.get(c.name)])).toEqual(FLAT_VIEW_COLUMNS.map((c) => [c.name, c.type]));
  });

  it("are the billed-cost view's columns, in order and with their types, then its tag columns", async () => {
    // Act
    const columns = await viewColumns('sagemaker_training_job_billed_cost');

    // Assess
    expect(columns.filter((c) => !c.name.startsWith('tag_'))).toEqual(BILLED_COST_VIEW_COLUMNS);
  });

  it('are the columns of the named query unattributed_training_spend, with their types', async () => {
    // Act
    const columns = await viewColumns(`(${warehouseSql('unattributed_training_spend')})`);

    // Assess
    expect(columns).toEqual(UNATTRIBUTED_SPEND_COLUMNS);
  });
});
