import { validation } from './protocol';

/** A page size from the request, within the operation's bounds; `fallback` when absent. */
export function pageSize(value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > max) throw validation(`page size ${String(value)} must be between 1 and ${max}`);
  return size;
}

/**
 * One page of items sorted by `key`, continuing after the key the token names. Keyset paging (not
 * offsets) keeps a page boundary stable when jobs are deleted between calls, as AWS's tokens do.
 */
export function keysetPage<T extends { key: string }>(
  items: T[],
  token: unknown,
  size: number,
  descending: boolean,
): { page: T[]; nextToken?: string } {
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) * (descending ? -1 : 1));
  const after = decodeToken(token);
  const start = after === undefined ? 0 : firstAfter(items, after, descending);
  const page = start < 0 ? [] : items.slice(start, start + size);
  const more = start >= 0 && start + size < items.length;
  return { page, nextToken: more ? encodeToken(page[page.length - 1].key) : undefined };
}

/** The index of the first item past `after` in sorted `items` (binary search), or -1 when there is none. */
function firstAfter(items: readonly { key: string }[], after: string, descending: boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const past = descending ? items[middle].key < after : items[middle].key > after;
    if (past) high = middle;
    else low = middle + 1;
  }
  return low < items.length ? low : -1;
}

/** One page of a list whose order never changes (a job's tags), by position. */
export function offsetPage<T>(items: readonly T[], token: unknown, size: number): { page: T[]; nextToken?: string } {
  const start = Number(decodeToken(token) ?? 0);
  if (!Number.isInteger(start) || start < 0) throw validation('The NextToken is invalid.');
  const page = items.slice(start, start + size);
  return { page, nextToken: start + size < items.length ? encodeToken(String(start + size)) : undefined };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64');
}

function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  try {
    return (JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { k: string }).k;
  } catch {
    throw validation('The NextToken is invalid.');
  }
}
