/**
 * Hands back one instance of equal strings, so values that repeat across many jobs (statuses, tag keys
 * and values) are held once however many jobs carry them. Bounded: past `capacity` distinct strings,
 * new ones are returned as they came.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();
  /**
   * By a hash of their entries, not by their text: a key of its own per set cost about 25 bytes a job
   * at 100,000 jobs. Two sets of one hash are rare; the second is then not held, only not shared.
   */
  private readonly tagSets = new Map<number, Readonly<Record<string, string>>>();

  constructor(private readonly capacity = 10_000) {}

  /** Distinct strings held. */
  get size(): number {
    return this.strings.size;
  }

  intern(value: string): string;
  intern(value: string | undefined): string | undefined;
  intern(value: string | undefined): string | undefined {
    if (value === undefined) return undefined;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    if (this.strings.size < this.capacity) this.strings.set(value, value);
    return value;
  }

  /** Forgets every string and tag set it holds, once no more come; what it handed out stays with whoever holds it. */
  clear(): void {
    this.strings.clear();
    this.tagSets.clear();
  }

  /**
   * The tags with every key and value interned. Equal tag sets, which most jobs of an account share, come
   * back as one frozen object (up to `capacity` distinct sets), so a tag map per job costs a reference.
   */
  internTags(tags: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    const entries = Object.entries(tags);
    const hash = hashOf(entries);
    const known = this.tagSets.get(hash);
    if (known !== undefined && sameEntries(known, entries)) return known;
    const interned: Record<string, string> = {};
    for (const [name, value] of entries) interned[this.intern(name)] = this.intern(value);
    Object.freeze(interned);
    if (known === undefined && this.tagSets.size < this.capacity) this.tagSets.set(hash, interned);
    return interned;
  }
}

/** FNV-1a over the entries' keys and values, each ended by U+FFFF so that ('ab', 'c') and ('a', 'bc') differ; equal hashes are compared (sameEntries). */
function hashOf(entries: readonly [string, string][]): number {
  let hash = 0x811c9dc5;
  for (const [name, value] of entries) {
    for (const text of [name, value]) {
      for (let index = 0; index < text.length; index++) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
      hash = Math.imul(hash ^ 0xffff, 0x01000193);
    }
  }
  return hash >>> 0;
}

/** Whether `tags` has exactly `entries`, in their order (as the text of the entries would compare). */
function sameEntries(tags: Readonly<Record<string, string>>, entries: readonly [string, string][]): boolean {
  const held = Object.entries(tags);
  return held.length === entries.length && held.every(([name, value], index) => name === entries[index][0] && value === entries[index][1]);
}
