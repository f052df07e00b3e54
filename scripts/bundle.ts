/**
 * The JavaScript half of `npm run build` (tsc writes the library's types to dist/types first): esbuild
 * bundles what the package runs, so an installed copy needs no sources, no esbuild and no Docker.
 *
 * - dist/functions/<name>/: each function in lambda/functions/, bundled as NodejsFunction bundles it from
 *   sources (FUNCTION_BUNDLING), which is what the construct deploys when it runs from the package.
 * - dist/index.js: the construct library (lib/index.ts); aws-cdk-lib and constructs stay outside, the
 *   consumer's one copy (they are peer dependencies).
 * - dist/cli.js: the `sm-inventory` CLI; DuckDB and Vega stay outside, optional peers it loads on use.
 *
 * A bundle whose inputs include parquet-wasm gets its .wasm beside it, where parquet-wasm's Node build
 * reads it from. Nothing else is shipped that a bundle does not need: the rest is in devDependencies.
 *
 *   npx tsx scripts/bundle.ts
 */
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FUNCTION_BUNDLING, PARQUET_WASM_FILE, prebuiltFunctionDirectory } from '../lib/function-parts';
import packageJson from '../package.json';

const ROOT = join(__dirname, '..');
const PARQUET_WASM = join(ROOT, 'node_modules', 'parquet-wasm', 'node', PARQUET_WASM_FILE);

/** What a bundle must not carry: the packages the consumer brings (peer dependencies), resolved from its node_modules. */
const PEERS = Object.keys(packageJson.peerDependencies);

const COMMON: BuildOptions = { bundle: true, platform: 'node', metafile: true, logLevel: 'warning', legalComments: 'none' };

function usesParquetWasm(metafile: Metafile): boolean {
  return Object.keys(metafile.inputs).some((input) => input.includes('node_modules/parquet-wasm/'));
}

async function bundle(entry: string, outfile: string, options: BuildOptions): Promise<void> {
  const result = await build({ ...COMMON, ...options, entryPoints: [join(ROOT, entry)], outfile });
  if (usesParquetWasm(result.metafile!)) copyFileSync(PARQUET_WASM, join(dirname(outfile), PARQUET_WASM_FILE));
  console.log(`bundled ${entry} → ${outfile.slice(ROOT.length + 1)}`);
}

function functionEntries(): string[] {
  const functions = join(ROOT, 'lambda', 'functions');
  return readdirSync(functions).filter((name) => existsSync(join(functions, name, 'handler.ts')));
}

async function main(): Promise<void> {
  const functionBuilds = functionEntries().map((name) =>
    bundle(join('lambda', 'functions', name, 'handler.ts'), join(prebuiltFunctionDirectory(name, ROOT), 'index.js'), {
      format: FUNCTION_BUNDLING.format,
      target: FUNCTION_BUNDLING.target,
      minify: FUNCTION_BUNDLING.minify,
      keepNames: FUNCTION_BUNDLING.keepNames,
      sourcemap: FUNCTION_BUNDLING.sourceMap,
    }),
  );
  // Unminified, so a consumer's stack trace through the construct or the CLI reads as the sources do.
  const packageTarget = `node${packageJson.engines.node.replace(/^>=/, '')}`;
  await Promise.all([
    ...functionBuilds,
    bundle(join('lib', 'index.ts'), join(ROOT, 'dist', 'index.js'), { format: 'cjs', target: packageTarget, external: PEERS }),
    bundle(join('cli', 'main.ts'), join(ROOT, 'dist', 'cli.js'), { format: 'cjs', target: packageTarget, external: PEERS }),
  ]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
