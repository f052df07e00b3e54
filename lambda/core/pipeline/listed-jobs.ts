import { ArnRows } from './arn-rows';
import type { SummaryRecord } from './checkpoint';
import { PackedStrings } from './packed-strings';
import { StringCodes } from './string-codes';

const INITIAL_CAPACITY = 1_024;

/** No ARN, in `arnRefs`; a ref below it names member -2 - ref of `ownArns`. */
const NO_ARN = -1;

/**
 * The jobs a listing returned, by name, held compactly: the ARN by slot as a row of the previous
 * snapshot's ARNs when it has the job (`sharedArns`), else packed here (packed-strings.ts); the name as
 * that row too when the ARN ends with it, as a job's usually does, else packed here; and the times and
 * status in typed arrays: no string, map entry or object per job on the heap. A daily run holds every
 * job of the account here; at 100,000 jobs a map of one summary object per job cost 300 bytes a job
 * with its strings, this about 40 (bench/listing-memory.ts).
 *
 * Slots are handed out in the order names are first set and never reused, so the jobs set after a
 * point are the slots from its size on (`addedSince`): what an invocation saves of its listing.
 */
export class ListedJobs implements Iterable<SummaryRecord> {
  private count = 0;
  /** Names not read from `sharedArns`, numbered as first set. */
  private ownNames = new PackedStrings();
  /** By member of `ownNames`: its slot. */
  private slotOfOwnName = new Int32Array(INITIAL_CAPACITY);
  /** By row of `sharedArns`: the slot whose name is what follows that ARN's prefix, else -1. */
  private slotOfArnRow: Int32Array;
  /** By slot: a member of `ownNames`, or below 0 the row -1 - ref of `sharedArns` whose ARN ends with the name. */
  private nameRefs = new Int32Array(INITIAL_CAPACITY);
  private ownArns = new PackedStrings();
  /** By slot: the row of its ARN in `sharedArns`, NO_ARN, or below NO_ARN a member of `ownArns`. */
  private arnRefs = new Int32Array(INITIAL_CAPACITY);
  /** Epoch milliseconds; NaN for none (a time the SDK parsed is never NaN). */
  private created = new Float64Array(INITIAL_CAPACITY);
  private modified = new Float64Array(INITIAL_CAPACITY);
  private statusCodes = new Uint32Array(INITIAL_CAPACITY);
  private readonly statuses = new StringCodes();

  /** @param sharedArns the previous snapshot's ARNs: a listed job it has costs its row number, not its ARN again. */
  constructor(private readonly sharedArns: ArnRows = new ArnRows(0)) {
    this.slotOfArnRow = new Int32Array(sharedArns.size).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  has(name: string): boolean {
    return this.slotOf(name) !== undefined;
  }

  get(name: string): SummaryRecord | undefined {
    const slot = this.slotOf(name);
    return slot === undefined ? undefined : this.recordAt(name, slot);
  }

  /** The ARN of the job `name`, without making its record. */
  arnOf(name: string): string | undefined {
    const slot = this.slotOf(name);
    return slot === undefined ? undefined : this.arnAt(slot);
  }

  /** Adds the job, or replaces the fields of the job of that name in its slot. */
  set(record: SummaryRecord): void {
    const arnRef = this.refOf(record.arn);
    const nameRow = this.sharedArns.rowOfSuffix(record.name);
    const slot = this.slotOf(record.name, nameRow) ?? this.newSlot(record.name, arnRef, nameRow);
    this.arnRefs[slot] = arnRef;
    this.created[slot] = record.created ?? Number.NaN;
    this.modified[slot] = record.lastModified ?? Number.NaN;
    this.statusCodes[slot] = this.statuses.codeOf(record.status);
  }

  /** Every job, in the order first set; each record is made as it is reached. */
  *[Symbol.iterator](): Iterator<SummaryRecord> {
    for (let slot = 0; slot < this.count; slot++) yield this.recordAt(this.nameAt(slot), slot);
  }

  *names(): IterableIterator<string> {
    for (let slot = 0; slot < this.count; slot++) yield this.nameAt(slot);
  }

  /** The jobs first set once `size` was `since`, in order. */
  addedSince(since: number): SummaryRecord[] {
    const added: SummaryRecord[] = [];
    for (let slot = since; slot < this.count; slot++) added.push(this.recordAt(this.nameAt(slot), slot));
    return added;
  }

  /** Empties it, its arrays released; the shared ARNs stay with whoever else holds them. */
  clear(): void {
    this.count = 0;
    this.ownNames = new PackedStrings();
    this.slotOfOwnName = new Int32Array(INITIAL_CAPACITY);
    this.slotOfArnRow = new Int32Array(this.sharedArns.size).fill(-1);
    this.nameRefs = new Int32Array(INITIAL_CAPACITY);
    this.ownArns = new PackedStrings();
    this.arnRefs = new Int32Array(INITIAL_CAPACITY);
    this.created = new Float64Array(INITIAL_CAPACITY);
    this.modified = new Float64Array(INITIAL_CAPACITY);
    this.statusCodes = new Uint32Array(INITIAL_CAPACITY);
  }

  /** The slot of the job `name`, whose ARN among the shared ones, if any, is at `row`; undefined when it holds none. */
  private slotOf(name: string, row = this.sharedArns.rowOfSuffix(name)): number | undefined {
    const slot = row === undefined ? -1 : this.slotOfArnRow[row];
    if (slot >= 0) return slot;
    const member = this.ownNames.indexOf(name);
    return member === undefined ? undefined : this.slotOfOwnName[member];
  }

  /**
   * A slot for the job `name`, whose ARN is `arnRef` and whose name ends the shared ARN at `nameRow`: when
   * those are one row, its name costs no bytes.
   */
  private newSlot(name: string, arnRef: number, nameRow: number | undefined): number {
    if (this.count === this.created.length) this.grow();
    const slot = this.count++;
    // A row the shared ARNs gained after this was made has no place in `slotOfArnRow`.
    if (arnRef > NO_ARN && arnRef < this.slotOfArnRow.length && nameRow === arnRef) {
      this.nameRefs[slot] = -1 - arnRef;
      this.slotOfArnRow[arnRef] = slot;
    } else {
      const member = this.ownNames.add(name);
      if (member === this.slotOfOwnName.length) this.slotOfOwnName = grown(this.slotOfOwnName, new Int32Array(member * 2));
      this.slotOfOwnName[member] = slot;
      this.nameRefs[slot] = member;
    }
    return slot;
  }

  private nameAt(slot: number): string {
    const ref = this.nameRefs[slot];
    return ref >= 0 ? this.ownNames.at(ref) : this.sharedArns.suffixAt(-1 - ref);
  }

  private recordAt(name: string, slot: number): SummaryRecord {
    const created = this.created[slot];
    const lastModified = this.modified[slot];
    return {
      name,
      arn: this.arnAt(slot),
      created: Number.isNaN(created) ? undefined : created,
      lastModified: Number.isNaN(lastModified) ? undefined : lastModified,
      status: this.statuses.stringOf(this.statusCodes[slot]),
    };
  }

  private refOf(arn: string | undefined): number {
    if (arn === undefined) return NO_ARN;
    return this.sharedArns.rowOf(arn) ?? NO_ARN - 1 - this.ownArns.add(arn);
  }

  private arnAt(slot: number): string | undefined {
    const ref = this.arnRefs[slot];
    if (ref === NO_ARN) return undefined;
    return ref > NO_ARN ? this.sharedArns.arnAt(ref) : this.ownArns.at(NO_ARN - 1 - ref);
  }

  private grow(): void {
    const capacity = this.created.length * 2;
    this.nameRefs = grown(this.nameRefs, new Int32Array(capacity));
    this.arnRefs = grown(this.arnRefs, new Int32Array(capacity));
    this.created = grown(this.created, new Float64Array(capacity));
    this.modified = grown(this.modified, new Float64Array(capacity));
    this.statusCodes = grown(this.statusCodes, new Uint32Array(capacity));
  }
}

function grown<T extends Float64Array | Uint32Array | Int32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
