import { lintAs } from '../support/eslint';

describe('the import boundaries between deployables', () => {
  jest.setTimeout(60_000);

  it.each([
    [
      'lambda/functions/snapshot/extra.ts',
      "import { buildProgram } from '../../../cli/main';\nexport const x = buildProgram;\n",
      /import-x\/no-restricted-paths: .*The CLI is not deployed/,
    ],
    [
      'lambda/functions/athena-views/extra.ts',
      "import { SageMakerSimulator } from '../../../simulator/server';\nexport const x = SageMakerSimulator;\n",
      /import-x\/no-restricted-paths: .*The simulator is a test and demo tool/,
    ],
    [
      'lambda/core/pipeline/extra.ts',
      "import { DuckDBInstance } from '@duckdb/node-api';\nexport const x = DuckDBInstance;\n",
      /no-restricted-imports: .*DuckDB is the local query engine of the CLI/,
    ],
    [
      'lambda/core/query/extra.ts',
      "import { LocalWarehouse } from '../../../cli/warehouse/local-warehouse';\nexport const x = LocalWarehouse;\n",
      /import-x\/no-restricted-paths: .*The CLI is not deployed/,
    ],
    [
      'lib/extra.ts',
      "import { SageMakerSimulator } from '../simulator/server';\nexport const x = SageMakerSimulator;\n",
      /import-x\/no-restricted-paths: .*The simulator is a test and demo tool/,
    ],
    [
      'lib/extra.ts',
      "import { tableFromArrays } from 'apache-arrow';\nexport const x = tableFromArrays;\n",
      /no-restricted-imports: .*apache-arrow is runtime code of the functions; lib\/ \(cdk synth\) must not load it/,
    ],
    [
      'lib/extra.ts',
      "import { writeParquet } from 'parquet-wasm';\nexport const x = writeParquet;\n",
      /no-restricted-imports: .*parquet-wasm is runtime code of the functions/,
    ],
    [
      'lib/extra.ts',
      "import { readConfig } from '../lambda/core/pipeline/config';\nexport const x = readConfig;\n",
      /import-x\/no-restricted-paths: .*lib\/ \(the CDK app\) may import only the settings, schema, names, errors, SQL catalog and state-change event/,
    ],
  ])('fails the lint when %s imports what no deployable may carry', async (path, code, expected) => {
    // Act
    const messages = await lintAs(path, code);

    // Assess
    expect(messages).toEqual([expect.stringMatching(expected)]);
  });

  it('lets lib/ read the settings table, the schemas and the shared names', async () => {
    // Prepare
    const code = [
      "import { SETTINGS } from '../lambda/core/settings/settings';",
      "import { TABLE_SCHEMAS } from '../lambda/core/schema/table-schema';",
      "import { METRIC } from '../lambda/core/names';",
      'export const x = [SETTINGS, TABLE_SCHEMAS, METRIC];',
      '',
    ].join('\n');

    // Act
    const messages = await lintAs('lib/extra.ts', code);

    // Assess
    expect(messages).toEqual([]);
  });

  it('lets the CLI use the simulator, DuckDB and the runtime library', async () => {
    // Prepare
    const code = [
      "import { DuckDBInstance } from '@duckdb/node-api';",
      "import { SageMakerSimulator } from '../simulator/server';",
      "import { runSnapshot } from '../lambda/core/pipeline/snapshot';",
      'export const x = [DuckDBInstance, SageMakerSimulator, runSnapshot];',
      '',
    ].join('\n');

    // Act
    const messages = await lintAs('cli/extra.ts', code);

    // Assess
    expect(messages).toEqual([]);
  });
});
