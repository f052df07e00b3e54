import type { Data, Map_, Utf8 } from 'apache-arrow';

const utf8 = new TextDecoder();

/**
 * Every cell of a string column, decoded (null cells as ''). The column's bytes are decoded at once:
 * when they are all ASCII (keys and ARNs are), each cell is a substring of that, where decoding
 * cell by cell, as apache-arrow's `get` does, cost a decoder call per cell.
 */
export function utf8Cells(column: Data<Utf8>): string[] {
  const offsets = column.valueOffsets;
  const first = offsets[0];
  const bytes = column.values.subarray(first, offsets[column.length]);
  const text = utf8.decode(bytes);
  const cells = new Array<string>(column.length);
  // One UTF-16 unit per byte only when every byte is ASCII.
  const ascii = text.length === bytes.length;
  for (let index = 0; index < column.length; index++) {
    const start = offsets[index] - first;
    const end = offsets[index + 1] - first;
    cells[index] = ascii ? text.slice(start, end) : utf8.decode(bytes.subarray(start, end));
  }
  return cells;
}

/**
 * A 53-bit hash of a string map's entries in their order: cyrb53 over their UTF-8 bytes, each key and
 * value ended by 0xFF and a null value written as 0xFE (bytes UTF-8 never holds, so no two maps share
 * a byte stream). An object and a map<string,string> cell of the same entries hash alike, so whether
 * a job's tags moved since a snapshot is told by 8 bytes a job, not by its tags kept.
 */
export function stringMapHash(entries: Readonly<Record<string, string>>): number {
  const hash = new EntryHash();
  for (const key in entries) {
    hash.text(key);
    hash.text(entries[key]);
  }
  return hash.digest();
}

/** A null cell's hash: no map's, so a null cell never hashes like a tag set. */
export const NULL_CELL_HASH = -1;

/** stringMapHash of cell `index` of a map<string,string> column, read from its bytes (NULL_CELL_HASH when null). */
export function stringMapCellHash(column: Data<Map_<Utf8, Utf8>>, index: number): number {
  if (!column.getValid(index)) return NULL_CELL_HASH;
  const [keys, values] = (column.children[0] as Data).children as Data<Utf8>[];
  const hash = new EntryHash();
  for (let at = column.valueOffsets[index]; at < column.valueOffsets[index + 1]; at++) {
    hash.cell(keys, at);
    if (values.getValid(at)) hash.cell(values, at);
    else hash.nullValue();
  }
  return hash.digest();
}

const END_OF_TEXT = 0xff;
const NULL_VALUE = 0xfe;

/** cyrb53's state, fed byte by byte. */
class EntryHash {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  /** A string's UTF-8 bytes and its end mark; ASCII, most of every tag, is hashed from its char codes, with no encoding. */
  text(text: string): void {
    for (let at = 0; at < text.length; at++) {
      const code = text.charCodeAt(at);
      if (code >= 0x80) {
        const rest = Buffer.from(text.slice(at), 'utf8');
        for (const byte of rest) this.byte(byte);
        break;
      }
      this.byte(code);
    }
    this.byte(END_OF_TEXT);
  }

  /** Cell `index` of a string column's bytes and the end mark. */
  cell(column: Data<Utf8>, index: number): void {
    const bytes = column.values;
    for (let at = column.valueOffsets[index]; at < column.valueOffsets[index + 1]; at++) this.byte(bytes[at]);
    this.byte(END_OF_TEXT);
  }

  nullValue(): void {
    this.byte(NULL_VALUE);
    this.byte(END_OF_TEXT);
  }

  digest(): number {
    let { h1, h2 } = this;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }

  private byte(byte: number): void {
    this.h1 = Math.imul(this.h1 ^ byte, 2654435761);
    this.h2 = Math.imul(this.h2 ^ byte, 1597334677);
  }
}
