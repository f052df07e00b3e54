/**
 * Small integer codes for the few distinct strings a column repeats across jobs (statuses), so a typed
 * array of codes can hold the column: a code costs bytes where a string reference costs eight. Code 0
 * stands for no string.
 */
export class StringCodes {
  private readonly strings: string[] = [''];
  private readonly codes = new Map<string, number>();

  /** The code of `value`, given it on first sight; 0 for no value. */
  codeOf(value: string | null | undefined): number {
    if (value === null || value === undefined) return 0;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.strings.push(value) - 1;
      this.codes.set(value, code);
    }
    return code;
  }

  /** The string `code` stands for; undefined for 0. */
  stringOf(code: number): string | undefined {
    return code === 0 ? undefined : this.strings[code];
  }
}
