import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QueryError } from '../errors';

/** A view or named query shipped as a `.sql` file, written once in the Athena (Trino) dialect. */
export interface SqlDefinition {
  readonly kind: 'view' | 'query';
  readonly name: string;
  readonly description: string;
  readonly sql: string;
  readonly file: string;
}

/** glue-schema/ beside the sources (ts-node, jest) or beside the built output (dist/). */
export function findGlueSchemaDirectory(from: string = __dirname): string {
  for (const candidate of [resolve(from, '..', '..', 'glue-schema'), resolve(from, '..', '..', '..', 'glue-schema')]) {
    if (existsSync(join(candidate, 'queries')) && existsSync(join(candidate, 'views'))) return candidate;
  }
  throw new QueryError(`glue-schema/ was not found above ${from}; it ships with the package and holds the views and queries`);
}

function parseSqlFile(kind: SqlDefinition['kind'], file: string): SqlDefinition {
  const text = readFileSync(file, 'utf8');
  const header = (key: string) => new RegExp(`^--\\s*${key}:\\s*(.+)$`, 'm').exec(text)?.[1].trim();
  const name = header('name');
  if (!name || !/^[a-z][a-z0-9_]*$/.test(name)) throw new QueryError(`${file}: needs a "-- name: <lower_snake_case>" header; found ${JSON.stringify(name)}`);
  const sql = text
    .split('\n')
    .filter((line) => !/^--/.test(line))
    .join('\n')
    .trim()
    .replace(/;\s*$/, '');
  return { kind, name, description: header('description') ?? '', sql, file };
}

/** Views in dependency order (file name order; a view may use only views sorted before it) and named queries. */
export function loadSqlCatalog(directory: string = findGlueSchemaDirectory()): { views: SqlDefinition[]; queries: SqlDefinition[] } {
  const read = (kind: SqlDefinition['kind'], folder: string) => {
    const path = join(directory, folder);
    if (!existsSync(path)) return [];
    return readdirSync(path)
      .filter((file) => file.endsWith('.sql'))
      .sort()
      .map((file) => parseSqlFile(kind, join(path, file)));
  };
  return { views: read('view', 'views'), queries: read('query', 'queries') };
}
