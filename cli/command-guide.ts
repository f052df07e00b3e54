import type { CommandUnknownOpts, Option } from '@commander-js/extra-typings';
import { SETTINGS, type Setting, type SettingName } from '../lambda/core/settings/settings';
import { allowedText, defaultText } from '../lambda/core/settings/values';
import { OTHER_VARIABLES } from '../lambda/core/settings/variable-names';

/** What an exit code means, for every command; each command's help lists the ones it can end with. */
export const EXIT_CODES = {
  0: 'done',
  1: 'bad input, or nothing could start (the message names the value and what is allowed)',
  2: 'part of the work failed or was set aside (an account and region, a job, an event), each named with its reason; the rest was published',
  130: 'stopped by SIGINT (Ctrl-C): calls cancelled, progress saved, locks released; the same command continues',
  143: 'stopped by SIGTERM: as for SIGINT',
} as const;
export type ExitCode = keyof typeof EXIT_CODES;

/** One example of a command: the command line and what it does. */
export interface Example {
  readonly command: string;
  readonly does: string;
}

/** What a command's help says besides its options: each one declared with the command. */
export interface CommandGuide {
  /** The settings the command reads from the environment (their flags override them). */
  readonly settings?: readonly SettingName[];
  /** Other variables it reads, with what each does. */
  readonly variables?: Readonly<Record<string, string>>;
  readonly exitCodes: readonly ExitCode[];
  readonly examples: readonly [Example, Example, ...Example[]];
}

/** Columns of a variable's description in the help (indented by 6). */
const HELP_TEXT_WIDTH = 74;

/** Variables every command reads. */
const COMMON_VARIABLES: Readonly<Record<string, string>> = {
  ...OTHER_VARIABLES,
};

/**
 * Finishes a command: its help gains the environment variables, the exit codes and the examples; choices
 * and defaults print as a person writes them (`us-east-1`, `3000`); a flag given twice, or with its `--no-` form, is
 * refused naming both. Call it once every option is added.
 */
export function withGuide<C extends CommandUnknownOpts>(command: C, guide: CommandGuide): C {
  command.configureHelp({ optionDescription });
  refuseRepeatedFlags(command);
  command.addHelpText('after', helpSections(command.name(), guide));
  return command;
}

/** An option's help: its description, then its choices and default as a person writes them (`us-east-1`, `3000`; not JSON). */
function optionDescription(option: Option): string {
  const extras: string[] = [];
  if (option.argChoices) extras.push(`choices: ${option.argChoices.join(', ')}`);
  const value: unknown = option.defaultValue;
  // A --no- flag's implied default (true) is no default a person sets.
  if (value !== undefined && !option.negate)
    extras.push(`default: ${option.defaultValueDescription ?? (Array.isArray(value) ? value.join(',') : String(value))}`);
  return extras.length > 0 ? `${option.description} (${extras.join('; ')})` : option.description;
}

/** The help text after the options: Environment, Exit codes, Examples. */
export function helpSections(name: string, guide: CommandGuide): string {
  const settings = (guide.settings ?? []).map((name) => {
    const setting: Setting = SETTINGS[name];
    return variableLines(setting.variable, `${setting.doc} Allowed: ${allowedText(setting)}. Default: ${defaultText(setting)}.`);
  });
  const variables = Object.entries({ ...guide.variables, ...COMMON_VARIABLES }).map(([variable, does]) => variableLines(variable, does));
  const exits = exitCodeLines(guide.exitCodes);
  const examples = guide.examples.flatMap((example) => [`  $ ${example.command}`, `      ${example.does}`]);
  return [
    '',
    `Environment (${settings.length ? 'a flag overrides its variable; ' : ''}AWS credentials and AWS_ENDPOINT_URL* as for any AWS SDK):`,
    ...settings.flat(),
    ...variables.flat(),
    '',
    'Exit codes:',
    ...exits,
    '',
    'Examples:',
    ...examples,
    '',
    `More in docs/cli.md (sm-inventory ${name}) and docs/configuration.md (every SM_INVENTORY_* variable).`,
  ].join('\n');
}

/** The exit codes, one a line, as the help lists them. */
export function exitCodeLines(codes: readonly ExitCode[]): string[] {
  return codes.map((code) => `  ${String(code).padEnd(3)}  ${EXIT_CODES[code]}`);
}

/** A variable, then what it does wrapped to the help's width under it. */
function variableLines(variable: string, does: string): string[] {
  const lines = [`  ${variable}`];
  let line = '';
  for (const word of does.split(' ')) {
    if (line && line.length + word.length + 1 > HELP_TEXT_WIDTH) {
      lines.push(`      ${line}`);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, `      ${line}`];
}

/**
 * Refuses a flag given twice (the last one would win without a word), and a flag given with its `--no-`
 * form. Variadic flags (`--role-arn a --role-arn b`) add up and may repeat.
 */
function refuseRepeatedFlags(command: CommandUnknownOpts): void {
  const given = new Map<string, string>();
  for (const option of command.options) {
    if (option.variadic) continue;
    command.on(`option:${option.name()}`, (value: unknown) => {
      const shown = typeof value === 'string' ? `${option.long} ${value}` : option.long!;
      const earlier = given.get(option.attributeName());
      if (earlier === undefined) return given.set(option.attributeName(), shown);
      const twice = earlier.split(' ')[0] === option.long;
      const why = twice ? `are the same flag twice; allowed: ${option.long} once` : 'contradict each other; allowed: one of them';
      command.error(`error: ${earlier} and ${shown} ${why}`, {
        code: 'sm-inventory.repeatedFlag',
        exitCode: 1,
      });
    });
  }
}
