import { Option } from '@commander-js/extra-typings';
import type { SettingNamer } from '../lambda/core/pipeline/config';
import { SETTINGS, type Setting, type SettingName } from '../lambda/core/settings/settings';
import { allowedText, defaultText } from '../lambda/core/settings/values';
import { wholeNumber } from './options';

/** The help of a setting's flag: what it does, what it may be, and where its default comes from. */
export function settingHelp(setting: Setting): string {
  const allowed = setting.kind === 'choice' || setting.kind === 'boolean' ? '' : `${allowedText(setting)}; `;
  return `${setting.doc} (${allowed}default: ${setting.variable}, else ${defaultText(setting)})`;
}

/** The attribute commander stores a flag's value under: `--role-arn <arn...>` is `roleArn`. */
export function flagAttribute(flag: string): string {
  return flag
    .split(' ')[0]
    .replace(/^--/, '')
    .replace(/-([a-z])/g, (_match, letter: string) => letter.toUpperCase());
}

/**
 * The options of the named settings, from the settings table. A flag's value goes through the same
 * checks as its variable (`configFromFlags`); choices and whole numbers are refused by the parser already.
 */
export function settingOptions(names: readonly SettingName[]): Option[] {
  return names.flatMap((name) => {
    const setting: Setting = SETTINGS[name];
    if (!setting.flag) throw new Error(`setting ${name} has no CLI flag`);
    const option = new Option(setting.flag, settingHelp(setting));
    if (setting.kind === 'choice') option.choices(setting.choices);
    if (setting.kind === 'integer') option.argParser(wholeNumber);
    if (setting.kind !== 'boolean' || !('negatable' in setting && setting.negatable)) return [option];
    const negation = new Option(
      setting.flag.replace(/^--/, '--no-'),
      `do not: ${setting.doc.charAt(0).toLowerCase()}${setting.doc.slice(1)}`,
    );
    return [option, negation];
  });
}

/** The environment the flags given on the command line stand for: each replaces its variable, the rest of `env` stays. */
export function settingsInput(flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const input: Record<string, string | undefined> = { ...env };
  for (const setting of Object.values(SETTINGS) as Setting[]) {
    const value = setting.flag ? flags[flagAttribute(setting.flag)] : undefined;
    if (value !== undefined) input[setting.variable] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return input;
}

/** How an error names a setting: by its flag when a flag gave it (what the person typed), else by its variable. */
export function settingNamer(flags: Readonly<Record<string, unknown>>): SettingNamer {
  return (setting) => (setting.flag && flags[flagAttribute(setting.flag)] !== undefined ? setting.flag.split(' ')[0] : setting.variable);
}
