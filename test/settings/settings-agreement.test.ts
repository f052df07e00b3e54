import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { snapshotCommand } from '../../cli/commands/snapshot';
import { readConfig, type InventoryConfig } from '../../lambda/core/pipeline/config';
import { SETTINGS, type Setting, type SettingName } from '../../lambda/core/settings/settings';
import { allowedText, defaultText, formatSetting } from '../../lambda/core/settings/values';
import { resolveProps } from '../../lib/resolve-props';
import { configurationTable, GENERATED_DOCUMENTS } from '../../scripts/readme';

/**
 * The settings table (lambda/core/settings/settings.ts) against every consumer: the function's parser,
 * the CLI's options, the construct's props and their JSDoc, and the configuration reference. Each
 * consumer is exercised as users meet it; a default, a range or a doc that drifts fails here.
 */

const BASE_ENV = { AWS_REGION: 'us-east-1' };

/** Where each setting lands in the parsed configuration, and what else it needs to be read at all. */
const CONFIG_FIELDS: Record<SettingName, { read: (config: InventoryConfig) => unknown; env?: Record<string, string> }> = {
  regions: { read: (c) => c.regions, env: { SM_INVENTORY_REGIONS: 'eu-west-1' } },
  output: { read: (c) => c.output },
  roleArns: { read: (c) => c.roleArns },
  includeCallerAccount: { read: (c) => c.includeCallerAccount },
  limits: { read: (c) => c.limits },
  concurrency: { read: (c) => c.concurrency },
  parallelTargets: { read: (c) => c.parallelTargets },
  tagStrategy: { read: (c) => c.tagStrategy },
  compression: { read: (c) => c.compression },
  rowGroupRows: { read: (c) => c.rowGroupRows },
  kmsKeyArn: { read: (c) => c.kmsKeyArn },
  s3ForcePathStyle: { read: (c) => c.s3ForcePathStyle },
  fullEveryDays: { read: (c) => c.fullEveryDays },
  redact: { read: (c) => c.redaction.enabled },
  redactKeys: { read: (c) => c.redaction.extraKeyPatterns },
  allowShrink: { read: (c) => c.shrinkGuard.allow },
  shrinkShare: { read: (c) => c.shrinkGuard.share },
  shrinkJobs: { read: (c) => c.shrinkGuard.jobs },
  firstSnapshotDate: { read: (c) => c.firstSnapshotDate },
  maxAttempts: { read: (c) => c.maxAttempts },
  requestTimeout: { read: (c) => c.requestTimeoutSeconds },
  jobThrottleAttempts: { read: (c) => c.jobThrottleAttempts },
  stallPeriod: { read: (c) => c.stallPeriodSeconds },
  timeBudget: { read: (c) => c.timeBudgetSeconds },
  organization: { read: (c) => c.organization !== undefined },
  organizationRoleName: { read: (c) => c.organization?.roleName, env: { SM_INVENTORY_ORGANIZATION: 'true' } },
  organizationAccounts: { read: (c) => c.organization?.includeAccounts, env: { SM_INVENTORY_ORGANIZATION: 'true' } },
  organizationExcludeAccounts: { read: (c) => c.organization?.excludeAccounts, env: { SM_INVENTORY_ORGANIZATION: 'true' } },
  rateShare: { read: (c) => c.rateShare },
  deadLetterQueueUrl: { read: (c) => c.deadLetterQueueUrl },
};

/** The value a setting's default stands for once parsed, for the settings whose default is a plain value. */
function parsedDefault(name: SettingName, setting: Setting): unknown {
  if (name === 'output') return { kind: 'local', directory: resolve(setting.default as string) };
  return setting.default;
}

/** Values each kind must refuse, typed as a prop would be. */
function refusedValues(setting: Setting): unknown[] {
  switch (setting.kind) {
    case 'integer':
      return [setting.min - 1, setting.max + 1, setting.min + 0.5];
    case 'number':
      // Just below the range (a hundredth of its width), whether it starts at 0 or above.
      return [setting.min - (setting.max - setting.min) / 100, setting.max + 1];
    case 'boolean':
      return ['maybe'];
    case 'choice':
      return ['not-a-choice'];
    case 'list':
      return [['not valid!']];
    case 'text':
      return setting.pattern.test('not valid/!') ? [] : ['not valid/!'];
    case 'rates':
      return [{ [setting.operations[0]]: setting.max * 2 }];
  }
}

/** Values each kind must accept: the default, and the ends of a range or every choice. */
function acceptedValues(setting: Setting): unknown[] {
  if (setting.kind === 'integer' || setting.kind === 'number') return [setting.min, setting.max, setting.default];
  if (setting.kind === 'choice') return [...setting.choices];
  // A default that depends on other settings (the regions: the caller's own) is no value to give.
  return setting.default === undefined || setting.defaultNote !== undefined ? [] : [setting.default];
}

/** The error a refused value gets: the name, the value as given (numbers as numbers for props) and what is allowed. */
function refusal(name: string, setting: Setting, value: unknown, quote: (value: unknown) => string): string {
  if (setting.kind === 'list') return `${name} has ${quote((value as string[])[0])}; allowed: ${allowedText(setting)}`;
  if (setting.kind === 'rates') {
    const [[operation, rate]] = Object.entries(value as Record<string, number>);
    return `${name} has ${JSON.stringify(`${operation}=${rate}`)}; allowed: ${allowedText(setting)}`;
  }
  return `${name} is ${quote(value)}; allowed: ${allowedText(setting)}`;
}

const ROWS = Object.entries(SETTINGS) as [SettingName, Setting][];
const PROP_ROWS = ROWS.filter(([, setting]) => setting.prop !== undefined);
const FLAG_ROWS = ROWS.filter(([, setting]) => setting.flag !== undefined);

describe('the settings table and the function’s environment parser', () => {
  it.each(ROWS)('%s: an unset variable reads as the default', (name, setting) => {
    // Prepare
    const field = CONFIG_FIELDS[name];

    // Act
    const value = field.read(readConfig({ ...BASE_ENV, ...field.env }));

    // Assess
    if (setting.defaultNote === undefined) expect(value).toEqual(parsedDefault(name, setting));
    else expect(setting.defaultNote).not.toBe('');
  });

  it.each(ROWS.flatMap(([name, setting]) => acceptedValues(setting).map((value) => [name, value] as const)))(
    '%s accepts %j',
    (name, value) => {
      // Prepare
      const setting: Setting = SETTINGS[name];
      const field = CONFIG_FIELDS[name];

      // Act
      const read = () => field.read(readConfig({ ...BASE_ENV, ...field.env, [setting.variable]: formatSetting(setting, value) }));

      // Assess
      expect(read).not.toThrow();
    },
  );

  it.each(ROWS.flatMap(([name, setting]) => refusedValues(setting).map((value) => [name, value] as const)))(
    '%s refuses %j, naming the variable and the range of the table',
    (name, value) => {
      // Prepare
      const setting: Setting = SETTINGS[name];
      const text = formatSetting(setting, value);

      // Act
      const read = () => readConfig({ ...BASE_ENV, ...CONFIG_FIELDS[name].env, [setting.variable]: text });

      // Assess
      expect(read).toThrow(refusal(setting.variable, setting, value, (v) => JSON.stringify(formatSetting(setting, v))));
    },
  );
});

describe('the settings table and the construct’s props', () => {
  /** Props with `value` at the prop's path (`collector.concurrency` is `{ collector: { concurrency } }`). */
  const propsWith = (path: string, value: unknown) =>
    path
      .split('.')
      .reverse()
      .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Parameters<typeof resolveProps>[0];
  const context = { path: 'Stack/Inventory', stackRegion: 'us-east-1' };

  it.each(PROP_ROWS.flatMap(([name, setting]) => acceptedValues(setting).map((value) => [name, setting.prop!, value] as const)))(
    '%s: %s accepts %j',
    (_name, path, value) => {
      // Act
      const resolve = () => resolveProps(propsWith(path, value), context);

      // Assess
      expect(resolve).not.toThrow();
    },
  );

  it.each(PROP_ROWS.flatMap(([name, setting]) => refusedValues(setting).map((value) => [name, setting.prop!, value] as const)))(
    '%s: %s refuses %j with the range of the table, numbers shown as numbers',
    (name, path, value) => {
      // Act
      const resolve = () => resolveProps(propsWith(path, value), context);

      // Assess
      expect(resolve).toThrow(`Stack/Inventory: ${refusal(path, SETTINGS[name], value, (v) => JSON.stringify(v))}`);
    },
  );

  describe('their JSDoc in lib/inventory-props.ts', () => {
    const docs = propDocs(join(__dirname, '..', '..', 'lib', 'inventory-props.ts'), 'SageMakerTrainingJobInventoryProps');

    it.each(PROP_ROWS.map(([name, setting]) => [name, setting.prop!, setting] as const))(
      '%s: %s says the doc, the range and the default of the table',
      (_name, path, setting) => {
        // Act
        const doc = docs.get(path);

        // Assess
        expect(doc).toEqual({
          text: `${setting.doc}\nAllowed: ${allowedText(setting)}.`,
          default: setting.propDefault ?? defaultText(setting),
        });
      },
    );

    it('has a row in the table for every collector prop', () => {
      // Act
      const collectorProps = [...docs.keys()].filter((path) => path.startsWith('collector.'));

      // Assess
      expect(collectorProps.sort()).toEqual(
        PROP_ROWS.map(([, s]) => s.prop!)
          .filter((p) => p.startsWith('collector.'))
          .sort(),
      );
    });
  });
});

describe('the settings table and the CLI', () => {
  const options = snapshotCommand({ out: process.stdout, err: process.stderr, setExitCode: () => undefined }).options;

  it.each(FLAG_ROWS.map(([name, setting]) => [name, setting.flag!, setting] as const))(
    '%s: %s says the doc, the range and the default of the table',
    (_name, flag, setting) => {
      // Act
      const option = options.find((o) => o.flags === flag);

      // Assess
      expect(option?.description).toContain(setting.doc);
      expect(option?.description).toContain(`default: ${setting.variable}, else ${defaultText(setting)}`);
      if (setting.kind === 'choice') expect(option?.argChoices).toEqual([...setting.choices]);
      else if (setting.kind !== 'boolean') expect(option?.description).toContain(allowedText(setting));
    },
  );
});

describe('the settings table and the configuration reference', () => {
  it('is the generated configuration section of the documentation', () => {
    // Prepare
    const document = GENERATED_DOCUMENTS.find((d) => d.sections.includes('configuration'))!;

    // Act
    const text = readFileSync(document.path, 'utf8');

    // Assess
    expect(text).toContain(`<!-- generated:configuration -->\n${configurationTable()}\n<!-- /generated:configuration -->`);
    for (const setting of Object.values(SETTINGS) as Setting[]) expect(configurationTable()).toContain(`| \`${setting.variable}\` |`);
  });
});

/**
 * The JSDoc of every prop reachable from `root` in `file`, by path (`collector.concurrency`): its text
 * and its `@default`, read with the TypeScript parser the way an IDE shows them.
 */
function propDocs(file: string, root: string): Map<string, { text: string; default: string | undefined }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const interfaces = new Map(source.statements.filter(ts.isInterfaceDeclaration).map((i) => [i.name.text, i]));
  const docs = new Map<string, { text: string; default: string | undefined }>();
  const visit = (name: string, prefix: string) => {
    for (const member of interfaces.get(name)?.members.filter(ts.isPropertySignature) ?? []) {
      const path = `${prefix}${(member.name as ts.Identifier).text}`;
      const jsDoc = ts.getJSDocCommentsAndTags(member).find(ts.isJSDoc);
      const tag = jsDoc?.tags?.find((t) => t.tagName.text === 'default');
      docs.set(path, {
        text: ts.getTextOfJSDocComment(jsDoc?.comment)?.trim() ?? '',
        default: ts.getTextOfJSDocComment(tag?.comment)?.trim(),
      });
      const typeName = member.type && ts.isTypeReferenceNode(member.type) ? member.type.typeName.getText(source) : undefined;
      if (typeName && interfaces.has(typeName)) visit(typeName, `${path}.`);
    }
  };
  visit(root, '');
  return docs;
}
