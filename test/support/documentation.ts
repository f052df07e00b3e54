import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The project's documentation: README.md and every Markdown file in docs/. */
export const DOCUMENTS: readonly string[] = [
  join(ROOT, 'README.md'),
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(ROOT, 'docs', name)),
];

/** A document's path from the repository root, as a test names it. */
export const documentName = (path: string) => path.slice(ROOT.length + 1);

/** A SQL example in the documentation, named by its document and its place there. */
export interface DocumentedSql {
  readonly name: string;
  readonly sql: string;
}

/** Every ```sql block of the documentation, wherever it lives, so none escapes the dialect and DuckDB checks. */
export function documentedSqlExamples(): DocumentedSql[] {
  return DOCUMENTS.flatMap((path) =>
    [...readFileSync(path, 'utf8').matchAll(/```sql\n([\s\S]*?)```/g)].map((match, i) => ({
      name: `${documentName(path)} example ${i + 1}`,
      sql: match[1],
    })),
  );
}
