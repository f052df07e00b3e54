/**
 * Hands back one instance of equal strings, so values that repeat across many jobs (statuses, tag keys
 * and values) are held once however many jobs carry them. Bounded: past `capacity` distinct strings,
 * new ones are returned as they came.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();
  private readonly tagSets = new Map<string, Readonly<Record<string, string>>>();

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
    const key = JSON.stringify(entries);
    const known = this.tagSets.get(key);
    if (known !== undefined) return known;
    const interned: Record<string, string> = {};
    for (const [name, value] of entries) interned[this.intern(name)] = this.intern(value);
    Object.freeze(interned);
    if (this.tagSets.size < this.capacity) this.tagSets.set(key, interned);
    return interned;
  }
}
