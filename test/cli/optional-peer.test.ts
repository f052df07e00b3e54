import { ConfigError } from '../../lambda/core/errors';
import { loadOptionalPeer } from '../../cli/optional-peer';
import packageJson from '../../package.json';

/** What Node's require throws for a package that is not installed. */
function notInstalled(name: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- /app/dist/cli.js`), { code: 'MODULE_NOT_FOUND' });
}

describe('an optional peer of the CLI', () => {
  test('is returned as loaded when it is installed', async () => {
    // Act
    const duckdb = await loadOptionalPeer('@duckdb/node-api', 'The local warehouse', () => import('@duckdb/node-api'));

    // Assess
    expect(typeof duckdb.DuckDBInstance.create).toBe('function');
  });

  test('that is not installed is a clear error naming the command that needs it and the install command with its range', async () => {
    // Act
    const error = await loadOptionalPeer('vega', "The report's charts", () => Promise.reject(notInstalled('vega'))).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `The report's charts needs vega, an optional peer dependency of ${packageJson.name} that is not installed; install it beside the package: npm install vega@"${packageJson.peerDependencies.vega}"`,
    );
  });

  test('that fails to load for another reason fails with that error', async () => {
    // Prepare: a missing module inside the peer is the peer's own fault, not a missing install.
    const broken = notInstalled('./lib/duckdb-binding.node');

    // Act
    const load = loadOptionalPeer('@duckdb/node-api', 'The local warehouse', () => Promise.reject(broken));

    // Assess
    await expect(load).rejects.toBe(broken);
  });
});
