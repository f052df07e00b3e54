import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_VARIANTS, CONSTRUCT_VARIANTS, appContextKeys, declaredPropPaths, pathsSet, synthApp, synthConstruct } from './synth-variants';

const ROOT = join(__dirname, '..', '..');
const CONFIG = '.cfnlintrc.yaml';

interface Finding {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path?: readonly (string | number)[] };
}

const cfnLintVersion = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const cfnLintFound = cfnLintVersion.status === 0;
if (!cfnLintFound && !process.env.CI) {
  console.warn('cfn-lint is not on PATH, so the CloudFormation templates are not linted: pip install cfn-lint');
}

describe('every app variant and construct props variant', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  const propsSet = new Set<string>();
  let templates: string[] = [];

  beforeAll(() => {
    for (const variant of APP_VARIANTS) synthApp(variant, join(outdir, variant.name));
    for (const variant of CONSTRUCT_VARIANTS) pathsSet(synthConstruct(variant, join(outdir, variant.name))).forEach((p) => propsSet.add(p));
    templates = readdirSync(outdir, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.template.json'))
      .map((file) => join(outdir, file))
      .sort();
  }, 300_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('set every prop of the construct, nested ones included, in at least one variant', () => {
    // Act
    const unset = declaredPropPaths().filter((path) => !propsSet.has(path));

    // Assess
    expect(declaredPropPaths()).toEqual(
      expect.arrayContaining(['quickSight.teamTagKey', 'organization.excludeAccounts', 'collector.rateShare']),
    );
    expect(unset).toEqual([]);
  });

  it('set every context key the app reads in at least one app variant', () => {
    // Act
    const set = new Set(APP_VARIANTS.flatMap((variant) => Object.keys(variant.context)));
    const unset = appContextKeys().filter((key) => !set.has(key));

    // Assess
    expect(appContextKeys().length).toBeGreaterThanOrEqual(8);
    expect(unset).toEqual([]);
  });

  if (cfnLintFound || process.env.CI) {
    it(`pass cfn-lint (${cfnLintVersion.stdout?.trim() || 'required in CI'}) with no error and no warning the config does not explain`, () => {
      // Prepare
      expect(cfnLintFound).toBe(true);
      // Each app variant synthesizes the inventory stack and the member-account role and forwarding templates.
      expect(templates.length).toBe(APP_VARIANTS.length * 3 + CONSTRUCT_VARIANTS.length);

      // Act: one process over every template.
      const run = spawnSync('cfn-lint', ['--format', 'json', '--config-file', CONFIG, '--', ...templates], {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });

      // Assess
      expect(run.stderr).toBe('');
      const findings = JSON.parse(run.stdout) as Finding[];
      expect(
        findings.map(
          (f) => `${f.Level} ${f.Rule.Id} ${f.Filename.slice(outdir.length + 1)} ${(f.Location.Path ?? []).join('/')}: ${f.Message}`,
        ),
      ).toEqual([]);
      expect(run.status).toBe(0);
    });
  }
});
