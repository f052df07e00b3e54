import { buildSync } from 'esbuild';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Every module `cdk synth` loads from lib/app.ts, as esbuild resolves the import graph (the CDK
 * libraries themselves left out: they are what synth is). A module that pulls in the collector would
 * show up here with Arrow and Parquet behind it.
 */
function synthModules(): string[] {
  const result = buildSync({
    entryPoints: [join(ROOT, 'lib', 'app.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    metafile: true,
    write: false,
    outdir: join(ROOT, 'cdk.out', 'module-graph'),
    logLevel: 'silent',
    external: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
  });
  return Object.keys(result.metafile.inputs);
}

describe('the module graph of cdk synth (lib/app.ts)', () => {
  let modules: string[];

  beforeAll(() => {
    // Prepare, Act
    modules = synthModules();
  });

  it('reaches the construct and the settings table it validates props with', () => {
    // Assess
    expect(modules).toEqual(
      expect.arrayContaining(['lib/sagemaker-training-job-inventory.ts', 'lib/resolve-props.ts', 'lambda/core/settings/settings.ts']),
    );
  });

  it('loads neither apache-arrow nor parquet-wasm', () => {
    // Act
    const runtimeOnly = modules.filter((path) => /node_modules\/(apache-arrow|parquet-wasm)\//.test(path));

    // Assess
    expect(runtimeOnly).toEqual([]);
  });

  it('loads no module of the collector, the publishers or the functions', () => {
    // Act
    const runtime = modules.filter((path) =>
      /^lambda\/(functions|core\/(collect|parquet|pipeline|publish|pricing|aws|rows\/training-job-row))/.test(path),
    );

    // Assess
    expect(runtime).toEqual([]);
  });
});
