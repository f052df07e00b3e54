import { InvalidArgumentError } from '@commander-js/extra-typings';
import type { InterruptionSource } from './interrupt';

/** Option parsers shared by the commands; each rejects with what was given and what is allowed. */
export function wholeNumber(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; allowed: a whole number`);
  return value;
}

/** A whole number within [min, max], as a number. */
export function wholeNumberIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; allowed: a whole number from ${min} to ${max}`);
    return parsed;
  };
}

/** `min-max` milliseconds (or one number for both), each 0-60000, min not above max. */
export function millisecondRange(value: string): [number, number] {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value);
  const min = match ? Number(match[1]) : Number.NaN;
  const max = match ? Number(match[2] ?? match[1]) : Number.NaN;
  if (!match || min > max || max > 60_000)
    throw new InvalidArgumentError(
      `${JSON.stringify(value)} is not allowed; allowed: min-max milliseconds such as 20-80, from 0 to 60000, min not above max`,
    );
  return [min, max];
}

/** Items of a comma list that each match `pattern`, named `what` in the error. */
export function commaListOf(pattern: RegExp, what: string): (value: string) => string[] {
  return (value) => {
    const items = commaList(value);
    const bad = items.find((item) => !pattern.test(item));
    if (items.length === 0 || bad !== undefined)
      throw new InvalidArgumentError(`${JSON.stringify(bad ?? value)} is not allowed; allowed: a comma-separated list of ${what}`);
    return items;
  };
}

export function fraction(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed >= 0 && parsed <= 1))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; allowed: a fraction from 0 to 1`);
  return parsed;
}

export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Where a command writes (stdout for results, stderr for progress and errors) and how it sets the exit code. */
export interface CommandIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** SIGINT and SIGTERM as a signal, for a command that stops cleanly on them. @default none: the signals end the process */
  readonly interruptions?: InterruptionSource;
  setExitCode(code: number): void;
}
