import { ConfigError } from '../errors';
import type { Setting, SettingValue } from './settings';

/** What a setting may be, as its error and its documentation say it. */
export function allowedText(setting: Setting): string {
  switch (setting.kind) {
    case 'integer':
      return `a whole number from ${setting.min} to ${setting.max}`;
    case 'number':
      return `a number from ${setting.min} to ${setting.max}`;
    case 'boolean':
      return 'true or false';
    case 'choice':
      return setting.choices.join(', ');
    case 'list':
    case 'text':
      return setting.allowed;
    case 'rates':
      return `<operation>=<calls per second from ${setting.min} to ${setting.max}> with operation one of ${setting.operations.join(', ')}`;
  }
}

/** The default as the docs and the CLI help show it. */
export function defaultText(setting: Setting): string {
  if (setting.defaultNote !== undefined) return setting.defaultNote;
  if (setting.default === undefined) return 'none';
  if (setting.kind === 'list') return setting.default.length ? setting.default.join(',') : 'none';
  if (setting.kind === 'rates') return formatRates(setting.default);
  return String(setting.default);
}

/** The environment string of a typed value (a construct prop, a flag). */
export function formatSetting(setting: Setting, value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (setting.kind === 'rates') return formatRates(value as Record<string, number>);
  return String(value);
}

function formatRates(rates: Readonly<Record<string, number>>): string {
  return Object.entries(rates)
    .map(([operation, rate]) => `${operation}=${rate}`)
    .join(',');
}

function commaList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

const refuse = (name: string, shown: unknown, setting: Setting, verb = 'is') =>
  new ConfigError(`${name} ${verb} ${JSON.stringify(shown)}; allowed: ${allowedText(setting)}`);

/**
 * Checks a typed value (a construct prop, a parsed flag) against its setting and returns it; the error
 * names `name` and shows the value as given, numbers as numbers. `undefined` is the setting's default.
 */
export function checkSetting<S extends Setting>(name: string, setting: S, value: unknown): SettingValue<S>;
export function checkSetting(name: string, setting: Setting, value: unknown): unknown {
  if (value === undefined) return setting.kind === 'rates' ? { ...setting.default } : setting.default;
  switch (setting.kind) {
    case 'integer':
    case 'number': {
      const whole = setting.kind === 'integer' ? Number.isInteger(value) : Number.isFinite(value);
      if (typeof value !== 'number' || !whole || value < setting.min || value > setting.max) throw refuse(name, value, setting);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw refuse(name, value, setting);
      return value;
    case 'choice':
    case 'text':
      if (typeof value !== 'string' || (setting.kind === 'choice' ? !setting.choices.includes(value) : !setting.pattern.test(value)))
        throw refuse(name, value, setting);
      return value;
    case 'list':
      return checkList(name, setting, value);
    case 'rates':
      return checkRates(name, setting, value);
  }
}

function checkList(name: string, setting: Setting & { kind: 'list' }, value: unknown): string[] {
  if (!Array.isArray(value)) throw refuse(name, value, setting);
  const bad = value.find((item) => typeof item !== 'string' || !setting.item.test(item));
  if (bad !== undefined) throw refuse(name, bad, setting, 'has');
  return [...value] as string[];
}

function checkRates(name: string, setting: Setting & { kind: 'rates' }, value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse(name, value, setting);
  for (const [operation, rate] of Object.entries(value)) {
    // Slower than one call in 100 s would stall a run for good; faster than 10,000/s is no real limit.
    if (!setting.operations.includes(operation) || typeof rate !== 'number' || !(rate >= setting.min && rate <= setting.max))
      throw refuse(name, `${operation}=${rate}`, setting, 'has');
  }
  return { ...setting.default, ...(value as Record<string, number>) };
}

/**
 * Reads a setting from its environment string: unset or blank is the default; anything else is parsed
 * by kind and then checked as `checkSetting` checks a prop. The error names `name` (the variable, unless
 * told otherwise) and quotes the text as given.
 */
export function parseSetting<S extends Setting>(setting: S, text: string | undefined, name?: string): SettingValue<S>;
export function parseSetting(setting: Setting, text: string | undefined, name: string = setting.variable): unknown {
  if (text === undefined || text.trim() === '') return checkSetting(name, setting, undefined);
  const value = text.trim();
  switch (setting.kind) {
    case 'integer':
    case 'number': {
      const parsed = Number(value);
      if (
        !Number.isFinite(parsed) ||
        (setting.kind === 'integer' && !Number.isInteger(parsed)) ||
        parsed < setting.min ||
        parsed > setting.max
      )
        throw refuse(name, text, setting);
      return parsed;
    }
    case 'boolean':
      if (/^(true|1|yes)$/i.test(value)) return true;
      if (/^(false|0|no)$/i.test(value)) return false;
      throw refuse(name, text, setting);
    case 'choice':
    case 'text':
      return checkSetting(name, setting, text);
    case 'list':
      return checkList(name, setting, commaList(value));
    case 'rates':
      return checkRates(name, setting, parseRates(name, setting, value));
  }
}

function parseRates(name: string, setting: Setting & { kind: 'rates' }, text: string): Record<string, number> {
  const rates: Record<string, number> = {};
  for (const part of commaList(text)) {
    const [operation, rate] = part.split('=').map((s) => s.trim());
    if (rate === undefined || rate === '' || !Number.isFinite(Number(rate))) throw refuse(name, part, setting, 'has');
    rates[operation] = Number(rate);
  }
  return rates;
}
