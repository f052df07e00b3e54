import { InvalidArgumentError } from '@commander-js/extra-typings';

/** Option parsers shared by the commands; each rejects with what was given and what is allowed. */
export function wholeNumber(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; allowed: a whole number`);
  return value;
}

export function fraction(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !(parsed >= 0 && parsed <= 1)) throw new InvalidArgumentError(`${JSON.stringify(value)} is not allowed; allowed: a fraction from 0 to 1`);
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
  readonly err: NodeJS.WritableStream & { isTTY?: boolean };
  setExitCode(code: number): void;
}
