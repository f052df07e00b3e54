import type { Data, Map_, Utf8 } from 'apache-arrow';

/**
 * Whether cell `index` of a map<string,string> column holds exactly the entries of `expected`, in its
 * order, every value set. Reads the column's bytes where they are: materializing each cell as a Map
 * of decoded strings, as apache-arrow's `get` does, cost more than the rest of comparing a whole
 * snapshot's tags.
 */
export function isStringMapCell(column: Data<Map_<Utf8, Utf8>>, index: number, expected: Readonly<Record<string, string>>): boolean {
  if (!column.getValid(index)) return false;
  // apache-arrow slices a column's offsets with it, so they are indexed from the slice's first cell.
  const first = column.valueOffsets[index];
  const length = column.valueOffsets[index + 1] - first;
  const [keys, values] = (column.children[0] as Data).children as Data<Utf8>[];
  // Walked with for...in, not Object.entries: an array per cell was most of the garbage of comparing a snapshot's tags.
  let at = first;
  for (const key in expected) {
    if (at - first === length) return false;
    if (!values.getValid(at) || !utf8CellIs(keys, at, key) || !utf8CellIs(values, at, expected[key])) return false;
    at++;
  }
  return at - first === length;
}

/** Whether cell `index` of a string column is `text`, compared byte for byte with its UTF-8 encoding. */
function utf8CellIs(column: Data<Utf8>, index: number, text: string): boolean {
  const start = column.valueOffsets[index];
  const end = column.valueOffsets[index + 1];
  const bytes = column.values;
  // Most text is ASCII, whose bytes are its char codes: no encoding needed to compare it.
  if (end - start === text.length) {
    let at = 0;
    while (at < text.length && text.charCodeAt(at) < 0x80 && text.charCodeAt(at) === bytes[start + at]) at++;
    if (at === text.length) return true;
    if (text.charCodeAt(at) < 0x80) return false;
  }
  return Buffer.from(text, 'utf8').equals(bytes.subarray(start, end));
}

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
