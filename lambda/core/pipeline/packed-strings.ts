import { InventoryError } from '../errors';

/** Bytes of one page; a string longer than that gets a page of its own. */
const PAGE_BYTES = 1 << 18;
/** Pages a position can name: a position is page × PAGE_BYTES + offset, in 32 bits. */
const MAX_PAGES = 2 ** 32 / PAGE_BYTES;
const INITIAL_CAPACITY = 1_024;
/** The length of a string held apart, as a JavaScript string (one UTF-8 cannot hold: a lone surrogate). */
const HELD_APART = 0xffff_ffff;
/** A lone surrogate (a surrogate pair is one code point in a `u` pattern, so it does not match). */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Strings numbered 0, 1, 2… in the order first added, each held once as UTF-8 in pages of bytes and
 * found again through an open-addressing table of numbers: no string, map entry or object a member.
 * A daily run numbers every job's ARN and name so: the bytes of the string and about 20 more (its place
 * and length, and its share of the table), outside the heap, where a Map entry costs about 30 bytes and
 * the string 16 more than its characters on the heap, which V8 lets grow well past what stays alive.
 *
 * `at` decodes a new string each call: it is for the few places that need a member's text.
 */
export class PackedStrings {
  private pages: Buffer[] = [];
  private pageUsed = 0;
  /** Where each member's bytes are: page × PAGE_BYTES + offset; for a member held apart, its index in `apart`. */
  private starts: Uint32Array;
  private lengths: Uint32Array;
  /** Member + 1 by hash, 0 for an empty slot; never more than half full. */
  private table: Int32Array;
  private count = 0;
  /** The query's bytes, encoded once for hashing and comparing. */
  private scratch = Buffer.alloc(256);
  private readonly apart: string[] = [];
  private readonly apartIndex = new Map<string, number>();

  /** `capacity`: how many members to make room for at first; more still fit. */
  constructor(capacity = INITIAL_CAPACITY) {
    this.starts = new Uint32Array(Math.max(capacity, 1));
    this.lengths = new Uint32Array(Math.max(capacity, 1));
    this.table = new Int32Array(2 ** Math.ceil(Math.log2(Math.max(capacity, 8) * 2)));
  }

  get size(): number {
    return this.count;
  }

  /** The number of `value`, given it on first sight. */
  add(value: string): number {
    const length = this.encode(value);
    if (length < 0) return this.addApart(value);
    const slot = this.slotOf(length);
    const found = this.table[slot];
    if (found !== 0) return found - 1;
    const member = this.newMember();
    const start = this.room(length);
    this.scratch.copy(this.pages[Math.floor(start / PAGE_BYTES)], start % PAGE_BYTES, 0, length);
    this.starts[member] = start;
    this.lengths[member] = length;
    this.table[slot] = member + 1;
    if (this.count * 2 > this.table.length) this.rehash(this.table.length * 2);
    return member;
  }

  /** The number of `value`; undefined when it is not a member. */
  indexOf(value: string): number | undefined {
    const length = this.encode(value);
    if (length < 0) return this.apartIndex.get(value);
    const found = this.table[this.slotOf(length)];
    return found === 0 ? undefined : found - 1;
  }

  /** The member numbered `index`, as a new string. */
  at(index: number): string {
    const length = this.lengths[index];
    if (length === HELD_APART) return this.apart[this.starts[index]];
    if (length === 0) return '';
    const start = this.starts[index];
    const offset = start % PAGE_BYTES;
    return this.pages[Math.floor(start / PAGE_BYTES)].toString('utf8', offset, offset + length);
  }

  /**
   * Encodes `value` into `scratch`: its length in bytes, or -1 when UTF-8 cannot hold it (it has a lone
   * surrogate), so it is held apart. An ASCII string, as long in bytes as in characters, has none.
   */
  private encode(value: string): number {
    if (this.scratch.length < value.length * 3) this.scratch = Buffer.alloc(value.length * 3);
    const length = this.scratch.write(value, 0, 'utf8');
    return length !== value.length && LONE_SURROGATE.test(value) ? -1 : length;
  }

  private addApart(value: string): number {
    const known = this.apartIndex.get(value);
    if (known !== undefined) return known;
    const member = this.newMember();
    this.starts[member] = this.apart.push(value) - 1;
    this.lengths[member] = HELD_APART;
    this.apartIndex.set(value, member);
    return member;
  }

  /** The table slot of the `length` bytes in `scratch`: their member's, or the empty one they would take. */
  private slotOf(length: number): number {
    const mask = this.table.length - 1;
    for (let slot = hashOf(this.scratch, 0, length) & mask; ; slot = (slot + 1) & mask) {
      const found = this.table[slot];
      if (found === 0 || this.holds(found - 1, length)) return slot;
    }
  }

  /** Whether member `member` has the `length` bytes at the start of `scratch`. */
  private holds(member: number, length: number): boolean {
    if (this.lengths[member] !== length) return false;
    if (length === 0) return true;
    const start = this.starts[member];
    const offset = start % PAGE_BYTES;
    return this.pages[Math.floor(start / PAGE_BYTES)].compare(this.scratch, 0, length, offset, offset + length) === 0;
  }

  private newMember(): number {
    if (this.count === this.starts.length) {
      this.starts = grown(this.starts);
      this.lengths = grown(this.lengths);
    }
    return this.count++;
  }

  /** Where `length` more bytes go: the current page when they fit, else a new one. */
  private room(length: number): number {
    if (this.pages.length === 0 || this.pageUsed + length > PAGE_BYTES) {
      if (this.pages.length === MAX_PAGES) throw new InventoryError(`a packed string table holds at most ${MAX_PAGES} pages of bytes`);
      this.pages.push(Buffer.alloc(Math.max(PAGE_BYTES, length)));
      this.pageUsed = 0;
    }
    const start = (this.pages.length - 1) * PAGE_BYTES + this.pageUsed;
    // A string of a page of its own fills it.
    this.pageUsed = Math.min(this.pageUsed + length, PAGE_BYTES);
    return start;
  }

  private rehash(capacity: number): void {
    const table = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let member = 0; member < this.count; member++) {
      const length = this.lengths[member];
      if (length === HELD_APART) continue;
      const start = this.starts[member];
      let slot = hashOf(this.pages[Math.floor(start / PAGE_BYTES)], start % PAGE_BYTES, length) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = member + 1;
    }
    this.table = table;
  }
}

/** FNV-1a over `length` bytes of `bytes` from `offset`. */
function hashOf(bytes: Uint8Array, offset: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let index = offset; index < offset + length; index++) hash = Math.imul(hash ^ bytes[index], 0x01000193);
  return hash >>> 0;
}

function grown(from: Uint32Array): Uint32Array {
  const to = new Uint32Array(from.length * 2);
  to.set(from);
  return to;
}
