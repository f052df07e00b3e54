import { InventoryError } from '../errors';
import { stringMapHash } from '../parquet/string-map-cell';
import { ArnRows } from './arn-rows';
import type { PreviousJob } from './previous-snapshot';
import { StringCodes } from './string-codes';

/**
 * The previous snapshot's jobs by ARN, held compactly: the ARNs numbered by row (ArnRows, packed bytes
 * outside the heap), and the fields the describe-or-carry decision reads in typed arrays (no object per
 * job). At 100,000 jobs an object per job in a map cost about 250 bytes each; this costs the packed ARN
 * (about 60 bytes, bench/listing-memory.ts) and 33 bytes of typed arrays (8 of them a hash of its tags).
 *
 * The listing, the tag scan and the sets and maps by ARN refer to a job by its row here, so an ARN
 * read from their responses is held once, as bytes, not as a string each.
 */
export class PreviousJobIndex implements Iterable<[string, PreviousJob]> {
  private rows: ArnRows;
  private creationTimes: Float64Array;
  private modifiedTimes: Float64Array;
  /** Codes of `statuses`; 0 is no status. */
  private statusCodes: Uint32Array;
  private settled: Uint8Array;
  private positions: Uint32Array;
  /** stringMapHash of each row's tags; NaN where they were not read. */
  private tagsHashes: Float64Array;
  /** The row of each position of the file; -1 where a later position of the same ARN took the row. */
  private rowsByPosition: Int32Array;
  private readonly statuses = new StringCodes();

  /** `capacity`: the number of jobs to be added, so the arrays are allocated once. */
  constructor(capacity: number) {
    this.rows = new ArnRows(capacity);
    this.creationTimes = new Float64Array(capacity);
    this.modifiedTimes = new Float64Array(capacity);
    this.statusCodes = new Uint32Array(capacity);
    this.settled = new Uint8Array(capacity);
    this.positions = new Uint32Array(capacity);
    this.tagsHashes = new Float64Array(capacity).fill(Number.NaN);
    this.rowsByPosition = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.rows.size;
  }

  /**
   * Its ARNs by row: sets and maps by ARN keyed by them (ArnSet, ArnMap) hold a job for a byte or a
   * reference. They stay with whoever holds them once the index is cleared.
   */
  get arns(): ArnRows {
    return this.rows;
  }

  /**
   * The index's row of each row of the file, by position: -1 for a position whose ARN a later position
   * took. The merge reads each row's fate through it, with no key to read and look up. It stays with
   * whoever holds it once the index is cleared.
   */
  get rowOfPosition(): Int32Array {
    return this.rowsByPosition;
  }

  /**
   * Adds the job of `arn`, whose row is at `position` in the file, with the hash of its tags (stringMapHash)
   * when they were read; a later job of the same ARN replaces it, as in a map.
   */
  add(arn: string, job: PreviousJob, position: number, tagsHash = Number.NaN): void {
    const known = this.rows.rowOf(arn);
    const row = known ?? this.rows.size;
    if (row >= this.creationTimes.length) throw new InventoryError(`the index holds ${this.creationTimes.length} jobs; ${arn} is one more`);
    if (position >= this.rowsByPosition.length) this.rowsByPosition = grownTo(this.rowsByPosition, position + 1);
    if (known !== undefined) this.rowsByPosition[this.positions[known]] = -1;
    this.rowsByPosition[position] = row;
    this.rows.add(arn);
    this.creationTimes[row] = job.creationTime ?? Number.NaN;
    this.modifiedTimes[row] = job.lastModifiedTime ?? Number.NaN;
    this.statusCodes[row] = this.statuses.codeOf(job.status);
    this.settled[row] = job.settled ? 1 : 0;
    this.positions[row] = position;
    this.tagsHashes[row] = tagsHash;
  }

  /**
   * Whether the row of `arn` holds `tags` exactly, told by the hash of each (53 bits, so two tag sets
   * that differ pass for the same about once in 9 × 10^15): false when it has no row, or its tags were not read.
   */
  holdsTags(arn: string, tags: Readonly<Record<string, string>>): boolean {
    const row = this.rows.rowOf(arn);
    return row !== undefined && this.tagsHashes[row] === stringMapHash(tags);
  }

  /** Where the row of `arn` is in the previous snapshot's file (0-based), for reading it again. */
  positionOf(arn: string): number | undefined {
    const row = this.rows.rowOf(arn);
    return row === undefined ? undefined : this.positions[row];
  }

  /**
   * The index's row of the job `arn` names when that is the job listed as created at `created`, else -1:
   * no such ARN, or a new job under the name (and so the ARN) of a deleted one. Either time unknown
   * counts as the same job. One lookup, no object made: the publish step asks it of every listed job.
   */
  rowOfJob(arn: string, created: number | undefined): number {
    const row = this.rows.rowOf(arn);
    if (row === undefined) return -1;
    const before = this.creationTimes[row];
    return Number.isNaN(before) || created === undefined || before === created ? row : -1;
  }

  /**
   * Whether the job at `row` is settled and listed as the snapshot has it (the same LastModifiedTime and
   * status, either absent on both sides): nothing about it changed, so its row is carried, not described.
   */
  isUnchangedAt(row: number, lastModified: number | undefined, status: string | undefined): boolean {
    const before = this.modifiedTimes[row];
    const sameModified = Number.isNaN(before) ? lastModified === undefined : before === lastModified;
    return this.settled[row] === 1 && sameModified && this.statuses.stringOf(this.statusCodes[row]) === status;
  }

  /** Where the row of the job at index row `row` is in the file (0-based). */
  positionAt(row: number): number {
    return this.positions[row];
  }

  /** stringMapHash of each row's tags, by row (NaN where not read). It stays with whoever holds it once the index is cleared. */
  get tagsHashOfRow(): Float64Array {
    return this.tagsHashes;
  }

  /** Where each row is in the file, by row. It stays with whoever holds it once the index is cleared. */
  get positionOfRow(): Uint32Array {
    return this.positions;
  }

  get(arn: string): PreviousJob | undefined {
    const row = this.rows.rowOf(arn);
    return row === undefined ? undefined : this.jobAt(row);
  }

  *[Symbol.iterator](): Iterator<[string, PreviousJob]> {
    for (let row = 0; row < this.rows.size; row++) yield [this.rows.arnAt(row), this.jobAt(row)];
  }

  /** Empties the index; its ARNs stay with whoever holds them (`arns`). */
  clear(): void {
    this.rows = new ArnRows(0);
    this.creationTimes = new Float64Array(0);
    this.modifiedTimes = new Float64Array(0);
    this.statusCodes = new Uint32Array(0);
    this.settled = new Uint8Array(0);
    this.positions = new Uint32Array(0);
    this.tagsHashes = new Float64Array(0);
    this.rowsByPosition = new Int32Array(0);
  }

  private jobAt(row: number): PreviousJob {
    const creationTime = this.creationTimes[row];
    const lastModifiedTime = this.modifiedTimes[row];
    return {
      creationTime: Number.isNaN(creationTime) ? null : creationTime,
      lastModifiedTime: Number.isNaN(lastModifiedTime) ? null : lastModifiedTime,
      status: this.statuses.stringOf(this.statusCodes[row]) ?? null,
      settled: this.settled[row] === 1,
    };
  }
}

/** `from` made room for at least `length` positions, the new ones -1. */
function grownTo(from: Int32Array, length: number): Int32Array {
  const to = new Int32Array(Math.max(length, from.length * 2)).fill(-1);
  to.set(from);
  return to;
}
