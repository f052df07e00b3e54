import { CollectError } from '../errors';
import type { SourceOperation } from '../names';

/** Paging stops, as untrustworthy, after this many pages in a row that add nothing, each with a new token. */
export const PAGES_WITHOUT_PROGRESS = 3;
/** No real account needs more pages than this (10 million jobs at 100 a page). */
export const MAX_PAGES = 100_000;

/** What one page means for the paging: go on, or stop here because the token repeated right away. */
export type PageVerdict = 'more' | 'last' | 'repeated';

/**
 * The bounds every paginated operation shares, so that no listing can run to the time budget or end
 * early in silence: a token that loops back to an earlier page, pages that keep coming with new tokens
 * and nothing new, and more pages than any account has, each fail the paging as untrustworthy. The
 * same token twice in a row is how some services say "no more pages" (the SDK's stopOnSameToken): it
 * ends the paging, and the caller warns.
 */
export class PageBounds {
  private readonly seenTokens = new Set<string>();
  private readonly seenItems = new Set<string>();
  private fruitless = 0;
  private pages = 0;

  constructor(
    private readonly operation: SourceOperation,
    /** "in us-east-1 for account 123456789012", for the messages. */
    private readonly where: string,
    private previousToken: string | undefined,
    /** What the items are, for the messages: "job", "tagged resource". */
    private readonly items: string,
  ) {}

  get pageCount(): number {
    return this.pages;
  }

  /** Checks one page by the keys of its items and its next token; throws a CollectError when the paging cannot be trusted. */
  check(itemKeys: Iterable<string | undefined>, token: string | undefined): PageVerdict {
    let added = 0;
    for (const key of itemKeys) {
      if (key !== undefined && !this.seenItems.has(key)) {
        this.seenItems.add(key);
        added++;
      }
    }
    if (++this.pages > MAX_PAGES)
      throw new CollectError(`${this.operation} returned more than ${MAX_PAGES} pages ${this.where}; paging stopped`);
    this.fruitless = token !== undefined && added === 0 ? this.fruitless + 1 : 0;
    if (this.fruitless >= PAGES_WITHOUT_PROGRESS) {
      throw new CollectError(
        `${this.operation} returned ${PAGES_WITHOUT_PROGRESS} pages in a row with no ${this.items} it had not already returned, each with a new token, ${this.where}; the listing cannot be trusted`,
      );
    }
    if (token === undefined) return 'last';
    if (token === this.previousToken) return 'repeated';
    if (this.seenTokens.has(token)) {
      throw new CollectError(
        `${this.operation} returned a pagination token it had returned pages earlier, ${this.where}: the listing loops and cannot be trusted`,
      );
    }
    this.seenTokens.add(token);
    this.previousToken = token;
    return 'more';
  }

  /** The warning for a `repeated` verdict. */
  repeatedMessage(): string {
    return `${this.operation} returned the same pagination token twice in a row; paging stopped there`;
  }
}

/**
 * A page's required list, or a CollectError saying the answer is not a page: an empty `{}` or an error
 * body sent with 200 would otherwise read as "no more jobs" and publish an empty snapshot.
 */
export function requiredList<T>(operation: SourceOperation, member: string, value: unknown, where: string): T[] {
  if (Array.isArray(value)) return value as T[];
  throw new CollectError(
    `${operation} answered without ${member} ${value === undefined ? '(an empty body, or an error sent as success)' : `(it is ${typeof value}, not a list)`} ${where}; the answer cannot be trusted`,
  );
}
