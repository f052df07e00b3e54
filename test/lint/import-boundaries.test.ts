import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Lints `code` as if it were the file at `path` (relative to the repository), with the project's own
 * config, by the eslint CLI as `npm run lint` runs it (jest's module sandbox cannot load the ESM config).
 */
async function lintAs(path: string, code: string): Promise<string[]> {
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', join(ROOT, path), '--format', 'json'],
      { cwd: ROOT },
      // eslint exits 1 when it finds problems; its JSON report is on stdout either way.
      (error, out) => (out ? resolve(out) : reject(error)),
    );
    child.stdin!.end(code);
  });
  const [result] = JSON.parse(stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

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
  ])('fails the lint when %s imports what no deployable may carry', async (path, code, expected) => {
    // Act
    const messages = await lintAs(path, code);

    // Assess
    expect(messages).toEqual([expect.stringMatching(expected)]);
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
