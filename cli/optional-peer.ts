import { ConfigError } from '../lambda/core/errors';
import packageJson from '../package.json';

/**
 * The CLI's heavy dependencies: DuckDB (a native engine of about 70 MB) and Vega with Vega-Lite (the
 * report's charts, about 30 MB). They are optional peer dependencies of the package, so a CDK app that
 * installs it for the construct does not carry them, and they are loaded only when a command needs them.
 */
export type OptionalPeer = keyof typeof packageJson.peerDependenciesMeta;

function isMissing(error: unknown, name: OptionalPeer): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String((error as Error).message).includes(name);
}

/**
 * Loads an optional peer with `load` (an `import()` of `name`, so the module keeps its types). When it is
 * not installed, the error says which command needs it and the install command, with the version range
 * package.json declares.
 */
export async function loadOptionalPeer<T>(name: OptionalPeer, neededFor: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isMissing(error, name)) throw error;
    const range = packageJson.peerDependencies[name];
    throw new ConfigError(
      `${neededFor} needs ${name}, an optional peer dependency of ${packageJson.name} that is not installed; install it beside the package: npm install ${name}@"${range}"`,
      { cause: error },
    );
  }
}
