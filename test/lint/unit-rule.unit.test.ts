import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { UnitRuleError } from '../support/unit-rule/refuse';

describe('the rule of the unit project', () => {
  it('refuses a server that would listen', () => {
    // Prepare
    const server = createServer();

    // Act
    const listen = () => server.listen(0);

    // Assess
    expect(listen).toThrow(UnitRuleError);
    expect(listen).toThrow(
      'a unit suite (*.unit.test.ts) may not start a server; name the suite *.test.ts to make it an integration suite',
    );
  });

  it('refuses a child process', () => {
    // Act
    const attempts = [() => spawn(process.execPath, ['--version']), () => execFileSync(process.execPath, ['--version'])];

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow(UnitRuleError);
  });

  it('refuses to open a DuckDB database', async () => {
    // Act
    const open = async () => DuckDBInstance.create(':memory:');

    // Assess
    await expect(open()).rejects.toThrow('a unit suite (*.unit.test.ts) may not open a DuckDB database');
  });
});
