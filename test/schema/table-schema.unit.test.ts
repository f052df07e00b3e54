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
    // Act
    const schema = parseTableSchema(valid());

    // Assess
    expect(schema.columns.map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('rejects an unknown type, naming the column, the type and the allowed ones', () => {
    // Prepare
    const doc = valid();
    doc.columns[1].type = 'decimal(10,2)';

    // Act
    const attempt = () => parseTableSchema(doc, 'x.json');

    // Assess
    expect(attempt).toThrow(
      new SchemaError('x.json: column b has type "decimal(10,2)"; allowed: string, bigint, double, boolean, timestamp, map<string,string>'),
    );
  });

  it('rejects a column name used twice', () => {
    // Prepare
    const doc = valid();
    doc.columns[1].name = 'a';

    // Act
    const attempt = () => parseTableSchema(doc, 'x.json');

    // Assess
    expect(attempt).toThrow('x.json: duplicate column name a; names must be unique across columns and partition keys');
  });

  it('rejects a partition key that repeats a column name', () => {
    // Prepare
    const doc = valid();
    doc.partitionKeys[0].name = 'b';

    // Act
    const attempt = () => parseTableSchema(doc);

    // Assess
    expect(attempt).toThrow(/duplicate column name b/);
  });

  it('rejects a comment longer than Glue allows', () => {
    // Prepare
    const doc = valid();
    doc.columns[0].comment = 'x'.repeat(256);

    // Act
    const attempt = () => parseTableSchema(doc);

    // Assess
    expect(attempt).toThrow("table schema: column a has a 256-character comment; allowed: at most 255 (Glue's limit)");
  });

  it('reports a file that is not JSON as a SchemaError naming the file', () => {
    // Prepare
    const path = join(mkdtempSync(join(tmpdir(), 'schema-')), 'broken.json');
    writeFileSync(path, '{ not json');

    // Act
    const attempt = () => loadTableSchema(path);

    // Assess
    expect(attempt).toThrow(SchemaError);
    expect(attempt).toThrow(`${path}: cannot be read as JSON`);
  });
});
