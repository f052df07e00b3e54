/**
 * The package as a platform team gets it: `npm pack` (which builds it), then a fresh CDK app in a temporary
 * folder, outside this repository and its node_modules, that installs the tarball with aws-cdk-lib and
 * constructs at the minimum versions package.json declares (the tested minimum) from the npm registry, as
 * `npm ci` would, and uses it through examples/inventory-app.ts, the README's example. Slow: it installs.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAME } from '../../lambda/core/names';
import packageJson from '../../package.json';
import cdkJson from '../../cdk.json';

const run = promisify(execFile);

/** Each step runs npm, tsc, cdk or the CLI in a new process; on a busy machine even --help takes seconds. */
const STEP_TIMEOUT = 600_000;

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'inventory-app.ts');
const STACK_TEMPLATE = 'TrainingJobInventory.template.json';
/** The consumer's toolchain, at this repository's versions (the CLI synthesizes, cdk-nag checks, tsc compiles the example). */
const TOOLS = ['aws-cdk', 'cdk-nag', 'typescript'].map(
  (name) => `${name}@${JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version}`,
);
/** The lowest aws-cdk-lib and constructs package.json accepts: what the consumer installs, so the minimum is the one tested. */
const MINIMUM_PEERS = (['aws-cdk-lib', 'constructs'] as const).map(
  (name) => `${name}@${packageJson.peerDependencies[name].replace(/^\^/, '')}`,
);
/** The feature flags of this repository's cdk.json, so both apps synthesize under the same ones. */
const FEATURE_FLAGS = Object.fromEntries(Object.entries(cdkJson.context).filter(([key]) => key.startsWith('@aws-cdk/')));
/**
 * A consumer's tsconfig as `cdk init app --language typescript` writes it (ES2022, NodeNext, strict), but without its
 * skipLibCheck, so the shipped declarations are checked too; esnext.disposable because aws-cdk-lib's own name Disposable.
 */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['es2022', 'esnext.disposable'],
    strict: true,
    types: [],
    outDir: 'build',
  },
  include: ['app.ts'],
};
/** No account, no credentials, no version check: `cdk synth` has to work offline. */
const OFFLINE = {
  CDK_DISABLE_VERSION_CHECK: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
type Template = { Resources: Record<string, { Type: string; Properties: any }> };

/** Runs npm; a failure's error carries what the command printed, so the test's report says why. */
async function npm(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run('npm', args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw Object.assign(new Error(`npm ${args.join(' ')} failed:\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`, { cause: error }), {
      stdout,
      stderr,
    });
  }
}

function readTemplate(outdir: string): Template {
  return JSON.parse(readFileSync(join(outdir, STACK_TEMPLATE), 'utf8'));
}

/** Each resource type and how many of it the template holds. */
function resourceCounts(template: Template): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const resource of Object.values(template.Resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  return counts;
}

/** Every file under `directory`, relative to it. */
function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)));
}

describe('the packed package in a fresh CDK app', () => {
  let work: string;
  let app: string;
  let installed: string;
  let shipped: string[];

  beforeAll(async () => {
    // Prepare: the tarball, and an app that has nothing of this repository but it.
    work = mkdtempSync(join(tmpdir(), 'sm-inventory-consumer-'));
    const { stdout } = await npm(['pack', '--json', '--pack-destination', work], ROOT);
    // The build's output (prepack) comes first; npm's JSON report closes stdout.
    const [packed] = JSON.parse(stdout.slice(stdout.lastIndexOf('[\n  {')));
    shipped = packed.files.map((file: { path: string }) => file.path);
    app = join(work, 'app');
    cpSync(EXAMPLE, join(app, 'app.ts'));
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true }));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG));
    writeFileSync(join(app, 'cdk.json'), JSON.stringify({ app: 'node build/app.js', context: FEATURE_FLAGS }));
    await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, packed.filename), ...MINIMUM_PEERS, ...TOOLS], app);
    installed = join(app, 'node_modules', packageJson.name);
  }, 900_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarball ships the bundles, types, schemas, SQL and CLI, and no sources, tests, benchmarks or fixtures', () => {
    // Prepare: what may be in it, by folder.
    const allowed =
      /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|bin\/sm-inventory\.js|dist\/(index\.js|index\.d\.ts|cli\.js|parquet_wasm_bg\.wasm)|dist\/functions\/[a-z-]+\/(index\.js|index\.js\.map|parquet_wasm_bg\.wasm)|glue-schema\/[a-z_]+\.json|glue-schema\/(views|queries)\/[a-z_]+\.sql)$/;

    // Act
    const unexpected = shipped.filter((path) => !allowed.test(path));

    // Assess
    expect(unexpected).toEqual([]);
    expect(shipped).toEqual(
      expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'dist/functions/snapshot/index.js']),
    );
  });

  test('no installed file of the package names a path on the machine that built it', () => {
    // Act
    const naming = filesUnder(installed).filter((file) => readFileSync(join(installed, file), 'latin1').includes(ROOT));

    // Assess
    expect(naming).toEqual([]);
  });

  test(
    'the example compiles against the shipped types, checked as strictly as a new CDK app checks them',
    async () => {
      // Act
      const compiled = npm(['exec', '--', 'tsc', '-p', '.'], app);

      // Assess
      await expect(compiled).resolves.toBeDefined();
      expect(existsSync(join(app, 'build', 'app.js'))).toBe(true);
    },
    STEP_TIMEOUT,
  );

  describe('cdk synth, offline, with cdk-nag', () => {
    let outdir: string;

    beforeAll(async () => {
      // Prepare: synthesized from the compiled example (the test above compiles it; compiling again is cheap).
      await npm(['exec', '--', 'tsc', '-p', '.'], app);
      outdir = join(app, 'cdk.out');
      // Act
      await npm(['exec', '--', 'cdk', 'synth', '--quiet', '--output', outdir], app, OFFLINE);
    }, STEP_TIMEOUT);

    test("the snapshot function's asset is the prebuilt bundle the package ships", () => {
      // Prepare
      const template = readTemplate(outdir);
      const snapshot = Object.values(template.Resources).find(
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === SERVICE_NAME,
      )!;
      const asset = join(outdir, `asset.${snapshot.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      const prebuilt = join(installed, 'dist', 'functions', 'snapshot');

      // Act
      const files = filesUnder(asset).sort();

      // Assess
      expect(files).toEqual(filesUnder(prebuilt).sort());
      for (const file of files) expect(readFileSync(join(asset, file)).equals(readFileSync(join(prebuilt, file)))).toBe(true);
    });

    test(
      "it holds the same resource types, as many of each, as this repository's sources synthesize for the same props",
      async () => {
        // Prepare: the same example, its import of the package resolved to lib/ (tsconfig.json's paths), bundling skipped,
        // with the version reporting the CDK CLI turns on (its AWS::CDK::Metadata resource).
        const sourcesOut = join(work, 'sources.out');
        const context = { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [], 'aws:cdk:version-reporting': true };
        await run(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), EXAMPLE], {
          cwd: ROOT,
          env: { ...process.env, CDK_OUTDIR: sourcesOut, CDK_CONTEXT_JSON: JSON.stringify(context) },
        });

        // Act
        const fromPackage = resourceCounts(readTemplate(outdir));
        const fromSources = resourceCounts(readTemplate(sourcesOut));

        // Assess
        expect(fromPackage).toEqual(fromSources);
        expect(fromPackage['AWS::Lambda::Function']).toBeGreaterThanOrEqual(3);
      },
      STEP_TIMEOUT,
    );
  });

  test(
    'npm ls finds exactly one aws-cdk-lib in the app',
    async () => {
      // Act
      const { stdout } = await npm(['ls', 'aws-cdk-lib', '--all', '--parseable'], app);

      // Assess
      const copies = new Set(stdout.split('\n').filter(Boolean));
      expect([...copies]).toEqual([join(app, 'node_modules', 'aws-cdk-lib')]);
    },
    STEP_TIMEOUT,
  );

  test(
    'npx sm-inventory --help runs from the installed package, without the optional peers',
    async () => {
      // Act
      const { stdout } = await npm(['exec', '--', 'sm-inventory', '--help'], app);

      // Assess
      expect(existsSync(join(app, 'node_modules', '@duckdb', 'node-api'))).toBe(false);
      expect(stdout).toMatch(/^Usage: sm-inventory/m);
      expect(stdout).toContain('demo');
    },
    STEP_TIMEOUT,
  );

  // Declared before the demo, which installs the optional peers into the same app.
  test(
    'a command that needs DuckDB, when it is not installed, names it and how to install it',
    async () => {
      // Prepare
      const warehouse = mkdtempSync(join(work, 'warehouse-'));

      // Act
      const query = npm(['exec', '--', 'sm-inventory', 'demo', '--jobs', '40', '--out', warehouse], app);

      // Assess
      await expect(query).rejects.toMatchObject({
        stderr: expect.stringContaining(`npm install @duckdb/node-api@"${packageJson.peerDependencies['@duckdb/node-api']}"`),
      });
    },
    STEP_TIMEOUT,
  );

  test(
    'npx sm-inventory demo runs from the installed package once its optional peers are installed',
    async () => {
      // Prepare: the optional peers at the ranges package.json declares.
      const peers = Object.keys(packageJson.peerDependenciesMeta).map(
        (name) => `${name}@${packageJson.peerDependencies[name as keyof typeof packageJson.peerDependencies]}`,
      );
      await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', ...peers], app);
      const out = join(work, 'demo-warehouse');

      // Act
      const { stdout } = await npm(['exec', '--', 'sm-inventory', 'demo', '--jobs', '200', '--out', out], app);

      // Assess
      expect(stdout).toContain('== jobs_by_status');
      expect(existsSync(join(out, 'cost-report.html'))).toBe(true);
    },
    STEP_TIMEOUT,
  );
});
