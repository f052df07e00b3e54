import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaError } from '../../lambda/core/errors';
import { loadTableSchema, parseTableSchema } from '../../lambda/core/schema/table-schema';

const valid = () => ({
  database: 'db',
  table: 't',
  columns: [
    { name: 'a', type: 'string', comment: 'first' },
    { name: 'b', type: 'bigint', comment: '' },
  ],
  partitionKeys: [{ name: 'snapshot_date', type: 'string', comment: '' }],
});

describe('the table schema loader', () => {
  it('accepts a well-formed schema', () => {
    expect(parseTableSchema(valid()).columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('rejects an unknown type, naming the column, the type and the allowed ones', () => {
    const doc = valid();
    doc.columns[1].type = 'decimal(10,2)';
    expect(() => parseTableSchema(doc, 'x.json')).toThrow(
      new SchemaError('x.json: column b has type "decimal(10,2)"; allowed: string, bigint, double, boolean, timestamp, map<string,string>'),
    );
  });

  it('rejects a column name used twice', () => {
    const doc = valid();
    doc.columns[1].name = 'a';
    expect(() => parseTableSchema(doc, 'x.json')).toThrow('x.json: duplicate column name a; names must be unique across columns and partition keys');
  });

  it('rejects a partition key that repeats a column name', () => {
    const doc = valid();
    doc.partitionKeys[0].name = 'b';
    expect(() => parseTableSchema(doc)).toThrow(/duplicate column name b/);
  });

  it('rejects a comment longer than Glue allows', () => {
    const doc = valid();
    doc.columns[0].comment = 'x'.repeat(256);
    expect(() => parseTableSchema(doc)).toThrow('table schema: column a has a 256-character comment; allowed: at most 255 (Glue\'s limit)');
  });

  it('reports a file that is not JSON as a SchemaError naming the file', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'schema-')), 'broken.json');
    writeFileSync(path, '{ not json');
    expect(() => loadTableSchema(path)).toThrow(SchemaError);
    expect(() => loadTableSchema(path)).toThrow(`${path}: cannot be read as JSON`);
  });
});
