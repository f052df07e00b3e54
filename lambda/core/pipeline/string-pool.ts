/**
 * Hands back one instance of equal strings, so values that repeat across many jobs (statuses, tag keys
 * and values) are held once however many jobs carry them. Bounded: past `capacity` distinct strings,
 * new ones are returned as they came.
 */
export class StringPool {
  private readonly strings = new Map<string, string>();

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

  /** The tags with every key and value interned. */
  internTags(tags: Record<string, string>): Record<string, string> {
    const interned: Record<string, string> = {};
    for (const [key, value] of Object.entries(tags)) interned[this.intern(key)] = this.intern(value);
    return interned;
  }
}
