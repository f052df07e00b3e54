import { InvalidRecordError } from '../errors';

/** A nested API object as the JSON text a column holds, and whether any of its strings may hold a secret. */
export interface JsonText {
  readonly text: string;
  /** Some key or string value passed the redactor's cheap test; always false without a test. */
  readonly mayHoldSecret: boolean;
}

/** Which text may hold a secret (the redactor's cheap test). */
export type SecretHint = (text: string) => boolean;

/** Characters JSON.stringify writes escaped: quote, backslash, controls, and surrogates (a lone one is escaped). */
// eslint-disable-next-line no-control-regex -- the control characters JSON escapes are the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** Member names repeat on every job: each is quoted and tested once. Far more than the API's names, few enough to stay small. */
const KEY_CACHE_SIZE = 10_000;

/**
 * Writes a nested API object (as the SDK returns it) as JSON text, exactly as `JSON.stringify` does,
 * in one pass that also tests each key and string with the redactor's hint. `JSON.stringify` alone is
 * no faster here: every Date sends it through `toJSON`, which cost more than half its time
 * (bench/write-throughput.ts), and the hint then scanned the whole text again.
 *
 * Dates become ISO-8601 UTC with milliseconds, as `Date#toJSON` writes them; an invalid Date, which
 * `JSON.stringify` would silently write as null, is an error naming the field and the member.
 */
export class JsonTextWriter {
  private readonly quotedKeys = new Map<string, { readonly member: string; readonly hinted: boolean }>();
  /**
   * The pieces of the text being written, joined once at the end. Joining makes one flat string; a
   * string grown with `+=` is a tree of pieces that V8 flattens only when it is read, and reading a
   * thousand rows' trees at once (as the column is built) cost more than the JSON itself.
   */
  private readonly parts: string[] = [];
  /** Set while a value is written: some key or string passed the hint. */
  private hinted = false;

  /** @param hint the test each key and string gets; none when redaction is off. */
  constructor(private readonly hint?: SecretHint) {}

  write(field: string, value: object): JsonText {
    this.parts.length = 0;
    this.hinted = false;
    if (!this.value(field, '', value)) this.parts.push('null');
    const text = this.parts.join('');
    this.parts.length = 0;
    return { text, mayHoldSecret: this.hinted };
  }

  /** Writes the JSON of `value` under `key`; false where JSON.stringify leaves the member out. */
  private value(field: string, key: string | number, value: unknown): boolean {
    switch (typeof value) {
      case 'string':
        this.string(value);
        return true;
      case 'number':
        this.parts.push(Number.isFinite(value) ? String(value) : 'null');
        return true;
      case 'boolean':
        this.parts.push(value ? 'true' : 'false');
        return true;
      case 'object':
        if (value === null) this.parts.push('null');
        else if (value instanceof Date) this.date(field, key, value);
        else if (Array.isArray(value)) this.array(field, value);
        else if (isPlain(value)) this.object(field, value as Record<string, unknown>);
        else return this.other(field, value);
        return true;
      case 'bigint':
        throw new InvalidRecordError(`${field} holds a bigint under ${key}, which JSON cannot carry; expected a number`);
      default:
        return false; // undefined, a function, a symbol
    }
  }

  private string(value: string): void {
    if (this.hint && !this.hinted && this.hint(value)) this.hinted = true;
    // Pushed as three pieces: the join copies them once, where a quoted copy would be one more string per value.
    if (NEEDS_ESCAPE.test(value)) this.parts.push(JSON.stringify(value));
    else this.parts.push('"', value, '"');
  }

  private date(field: string, key: string | number, value: Date): void {
    if (Number.isNaN(value.getTime())) throw new InvalidRecordError(`${field} holds an invalid date under ${key}; expected a valid date`);
    this.parts.push('"', isoText(value.getTime()), '"');
  }

  private array(field: string, values: readonly unknown[]): void {
    this.parts.push('[');
    for (let index = 0; index < values.length; index++) {
      if (index > 0) this.parts.push(',');
      if (!this.value(field, index, values[index])) this.parts.push('null');
    }
    this.parts.push(']');
  }

  private object(field: string, value: Record<string, unknown>): void {
    this.parts.push('{');
    let first = true;
    for (const key of Object.keys(value)) {
      const start = this.parts.length;
      if (!first) this.parts.push(',');
      this.parts.push(this.memberName(key));
      // A member JSON leaves out (undefined, a function) is taken back with its name.
      if (this.value(field, key, value[key])) first = false;
      else this.parts.length = start;
    }
    this.parts.push('}');
  }

  /** `"key":`, quoted and tested once per name. */
  private memberName(key: string): string {
    let name = this.quotedKeys.get(key);
    if (name === undefined) {
      name = { member: `${JSON.stringify(key)}:`, hinted: this.hint?.(key) ?? false };
      if (this.quotedKeys.size >= KEY_CACHE_SIZE) this.quotedKeys.clear();
      this.quotedKeys.set(key, name);
    }
    if (name.hinted) this.hinted = true;
    return name.member;
  }

  /** Anything the SDK does not return (a Map, a boxed string, an object with toJSON): JSON.stringify's own answer. */
  private other(field: string, value: object): boolean {
    const text: string | undefined = JSON.stringify(value, function (this: Record<string, unknown>, key: string, member: unknown): unknown {
      const original = this[key];
      if (original instanceof Date && Number.isNaN(original.getTime()))
        throw new InvalidRecordError(`${field} holds an invalid date under ${key}; expected a valid date`);
      return member;
    });
    if (text === undefined) return false;
    if (this.hint && this.hint(text)) this.hinted = true;
    this.parts.push(text);
    return true;
  }
}

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00.000Z: from there on, ISO-8601 needs a signed six-digit year. */
const FOUR_DIGIT_YEARS_END = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * `new Date(millis).toISOString()`, computed here for 1970 to 9999: a nested API object holds about
 * fifteen dates per job, and the built-in's call cost as much as writing the rest of the JSON. The
 * calendar date comes from the day count as in Howard Hinnant's `civil_from_days`; other times take the built-in.
 */
function isoText(millis: number): string {
  if (!(millis >= 0 && millis < FOUR_DIGIT_YEARS_END)) return new Date(millis).toISOString();
  const days = Math.floor(millis / DAY_MS);
  let rest = millis - days * DAY_MS;
  const shifted = days + 719_468; // days since 0000-03-01
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return (
    `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}` +
    `T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`
  );
}

/** An object JSON.stringify writes member by member: no class of its own and no toJSON. */
function isPlain(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
