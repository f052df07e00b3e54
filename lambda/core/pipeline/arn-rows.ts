import { PackedStrings } from './packed-strings';

/** Starts the key of an ARN that does not start with the rows' prefix: the ARN follows whole. */
const WHOLE = '\u0000';

/**
 * ARNs numbered 0, 1, 2… in the order first added, each held once: the previous snapshot's index numbers
 * its jobs with one, and the sets and maps by ARN that the publish step hands the merge (ArnSet,
 * ArnMap) keep their members by that number, so they cost a byte or a reference a job where a Set or Map
 * of their own costs an entry (26 and 37 bytes a job at 100,000 ARNs, bench/listing-memory.ts).
 *
 * The ARNs are packed (packed-strings.ts), no string or map entry a job on the heap, and without the
 * text they share: the jobs of one account and region have ARNs alike up to the job's name, so only
 * what follows the first ARN's last '/' is held (any other ARN is held whole).
 */
export class ArnRows {
  private readonly keys: PackedStrings;
  /** The first ARN up to its last '/'. */
  private prefix: string | undefined;

  /** `capacity`: how many ARNs to make room for at first; more still fit. */
  constructor(capacity?: number) {
    this.keys = new PackedStrings(capacity);
  }

  get size(): number {
    return this.keys.size;
  }

  /** The row of `arn`, given it on first sight. */
  add(arn: string): number {
    this.prefix ??= arn.slice(0, arn.lastIndexOf('/') + 1);
    return this.keys.add(this.keyOf(arn));
  }

  rowOf(arn: string): number | undefined {
    return this.prefix === undefined ? undefined : this.keys.indexOf(this.keyOf(arn));
  }

  /**
   * The row of the ARN that is the rows' prefix followed by `suffix`, without making that ARN: a job's
   * name is usually what follows the last '/' of its ARN, so a listing can find a job's row by its name.
   */
  rowOfSuffix(suffix: string): number | undefined {
    return this.prefix === undefined || suffix.startsWith(WHOLE) ? undefined : this.keys.indexOf(suffix);
  }

  /** What follows the prefix in the ARN at `row`, as a new string; only for a row `rowOfSuffix` found. */
  suffixAt(row: number): string {
    return this.keys.at(row);
  }

  /** The ARN at `row`, as a new string. */
  arnAt(row: number): string {
    const key = this.keys.at(row);
    return key.startsWith(WHOLE) ? key.slice(WHOLE.length) : this.prefix + key;
  }

  /** What follows the prefix; the ARN whole, marked, when it lacks the prefix or what follows could pass for a mark. */
  private keyOf(arn: string): string {
    const prefix = this.prefix!;
    return arn.startsWith(prefix) && !arn.startsWith(WHOLE, prefix.length) ? arn.slice(prefix.length) : WHOLE + arn;
  }
}

/** A set of ARNs: a byte per row of `rows` for its ARNs, a Set of its own for any other. */
export class ArnSet implements ReadonlySet<string> {
  private readonly marks: Uint8Array;
  private readonly others = new Set<string>();
  private marked = 0;

  /** @param rows the ARNs it keeps a byte for, those `rows` holds when it is made. */
  constructor(readonly rows: ArnRows = new ArnRows()) {
    this.marks = new Uint8Array(rows.size);
  }

  get size(): number {
    return this.marked + this.others.size;
  }

  has(arn: string): boolean {
    const row = this.rows.rowOf(arn);
    return row !== undefined && row < this.marks.length ? this.marks[row] === 1 : this.others.has(arn);
  }

  add(arn: string): this {
    const row = this.rows.rowOf(arn);
    if (row !== undefined && row < this.marks.length) this.addRow(row);
    else this.others.add(arn);
    return this;
  }

  /** Whether it holds the ARN at `row` of its rows, without looking it up. */
  hasRow(row: number): boolean {
    return this.marks[row] === 1;
  }

  /** Adds the ARN at `row` of its rows, without looking it up. */
  addRow(row: number): void {
    this.marked += 1 - this.marks[row];
    this.marks[row] = 1;
  }

  /** The ARNs of its rows in row order, then the others in the order added. */
  *values(): SetIterator<string> {
    for (let row = 0; row < this.marks.length; row++) if (this.marks[row] === 1) yield this.rows.arnAt(row);
    yield* this.others;
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const arn of this.values()) yield [arn, arn];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(visit: (value: string, key: string, set: ReadonlySet<string>) => void): void {
    for (const arn of this.values()) visit(arn, arn, this);
  }
}

/** A map by ARN: a reference per row of `rows` for its ARNs, a Map of its own for any other. */
export class ArnMap<V> implements ReadonlyMap<string, V> {
  private readonly byRow: (V | undefined)[];
  private readonly others = new Map<string, V>();
  private counted = 0;

  /** @param rows the ARNs it keeps a reference for, those `rows` holds when it is made. */
  constructor(readonly rows: ArnRows = new ArnRows()) {
    // Filled, so V8 keeps it a flat array of references and not a dictionary.
    this.byRow = new Array<V | undefined>(rows.size).fill(undefined);
  }

  get size(): number {
    return this.counted + this.others.size;
  }

  get(arn: string): V | undefined {
    const row = this.rowOf(arn);
    return row === undefined ? this.others.get(arn) : this.byRow[row];
  }

  has(arn: string): boolean {
    return this.get(arn) !== undefined;
  }

  /** The value of the ARN at `row` of its rows, without looking it up. */
  atRow(row: number): V | undefined {
    return this.byRow[row];
  }

  /** Sets the value of `arn`; undefined is no value, so it is not a value this map holds. */
  set(arn: string, value: V): this {
    const row = this.rowOf(arn);
    if (row === undefined) {
      this.others.set(arn, value);
    } else {
      if (this.byRow[row] === undefined) this.counted++;
      this.byRow[row] = value;
    }
    return this;
  }

  /** Its entries, those of its rows in row order, then the others in the order first set. */
  *entries(): MapIterator<[string, V]> {
    for (let row = 0; row < this.byRow.length; row++) {
      const value = this.byRow[row];
      if (value !== undefined) yield [this.rows.arnAt(row), value];
    }
    yield* this.others;
  }

  *keys(): MapIterator<string> {
    for (const [arn] of this.entries()) yield arn;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(visit: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [arn, value] of this.entries()) visit(value, arn, this);
  }

  private rowOf(arn: string): number | undefined {
    const row = this.rows.rowOf(arn);
    return row !== undefined && row < this.byRow.length ? row : undefined;
  }
}
