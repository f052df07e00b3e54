import type { SummaryRecord } from './checkpoint';
import { StringCodes } from './string-codes';

const INITIAL_CAPACITY = 1_024;

/**
 * The jobs a listing returned, by name, held compactly: one map from name to slot, the ARN by slot (the
 * instance the caller passes, so one shared with the previous snapshot's index costs a reference), and
 * the times and status in typed arrays (no object per job). A daily run holds every job of the account
 * here; at 100,000 jobs a map of one summary object per job cost 131 bytes a job, this 72
 * (bench/listing-memory.ts).
 *
 * Slots are handed out in the order names are first set and never reused, so the jobs set after a
 * point are the slots from its size on (`addedSince`): what an invocation saves of its listing.
 */
export class ListedJobs implements Iterable<SummaryRecord> {
  private slots = new Map<string, number>();
  private arns: (string | undefined)[] = [];
  /** Epoch milliseconds; NaN for none (a time the SDK parsed is never NaN). */
  private created = new Float64Array(INITIAL_CAPACITY);
  private modified = new Float64Array(INITIAL_CAPACITY);
  private statusCodes = new Uint32Array(INITIAL_CAPACITY);
  private readonly statuses = new StringCodes();

  get size(): number {
    return this.slots.size;
  }

  has(name: string): boolean {
    return this.slots.has(name);
  }

  get(name: string): SummaryRecord | undefined {
    const slot = this.slots.get(name);
    return slot === undefined ? undefined : this.recordAt(name, slot);
  }

  /** The ARN of the job `name`, without making its record. */
  arnOf(name: string): string | undefined {
    const slot = this.slots.get(name);
    return slot === undefined ? undefined : this.arns[slot];
  }

  /** Adds the job, or replaces the fields of the job of that name in its slot. */
  set(record: SummaryRecord): void {
    let slot = this.slots.get(record.name);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot === this.created.length) this.grow();
      this.slots.set(record.name, slot);
    }
    this.arns[slot] = record.arn;
    this.created[slot] = record.created ?? Number.NaN;
    this.modified[slot] = record.lastModified ?? Number.NaN;
    this.statusCodes[slot] = this.statuses.codeOf(record.status);
  }

  /** Every job, in the order first set; each record is made as it is reached. */
  *[Symbol.iterator](): Iterator<SummaryRecord> {
    for (const [name, slot] of this.slots) yield this.recordAt(name, slot);
  }

  names(): IterableIterator<string> {
    return this.slots.keys();
  }

  /** The jobs first set once `size` was `since`, in order. */
  addedSince(since: number): SummaryRecord[] {
    const added: SummaryRecord[] = [];
    for (const [name, slot] of this.slots) if (slot >= since) added.push(this.recordAt(name, slot));
    return added;
  }

  /** Empties it, its arrays released; the ARNs it held stay with whoever else holds them. */
  clear(): void {
    this.slots = new Map();
    this.arns = [];
    this.created = new Float64Array(INITIAL_CAPACITY);
    this.modified = new Float64Array(INITIAL_CAPACITY);
    this.statusCodes = new Uint32Array(INITIAL_CAPACITY);
  }

  private recordAt(name: string, slot: number): SummaryRecord {
    const created = this.created[slot];
    const lastModified = this.modified[slot];
    return {
      name,
      arn: this.arns[slot],
      created: Number.isNaN(created) ? undefined : created,
      lastModified: Number.isNaN(lastModified) ? undefined : lastModified,
      status: this.statuses.stringOf(this.statusCodes[slot]),
    };
  }

  private grow(): void {
    const capacity = this.created.length * 2;
    this.created = grown(this.created, new Float64Array(capacity));
    this.modified = grown(this.modified, new Float64Array(capacity));
    this.statusCodes = grown(this.statusCodes, new Uint32Array(capacity));
  }
}

function grown<T extends Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
