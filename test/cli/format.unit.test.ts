import { formatResult } from '../../cli/format';

const result = {
  columns: ['team', 'jobs', 'note'],
  rows: [
    { team: 'search', jobs: 12, note: 'has, a comma' },
    { team: 'ads', jobs: 3, note: 'says "hi"\nand goes on' },
    { team: null, jobs: 100, note: { nested: true } },
  ],
};

describe('formatResult', () => {
  it('lays out a table with numbers right-aligned, a rule under the header and a row count', () => {
    // Act
    const text = formatResult({ columns: ['team', 'jobs'], rows: result.rows.map(({ team, jobs }) => ({ team, jobs })) }, 'table');

    // Assess
    expect(text.split('\n')).toEqual(['team    jobs', '------  ----', 'search    12', 'ads        3', '         100', '(3 rows)']);
  });

  it('clips long cells and says how many rows it left out', () => {
    // Act
    const text = formatResult({ columns: ['note'], rows: [{ note: 'x'.repeat(30) }, { note: 'y' }] }, 'table', 10, 1);

    // Assess
    expect(text.split('\n')).toEqual(['note', '----------', 'xxxxxxxxx…', '(2 rows, first 1 shown)']);
  });

  it('writes CSV with quotes only where a cell needs them', () => {
    // Act
    const text = formatResult(result, 'csv');

    // Assess
    expect(text).toBe('team,jobs,note\nsearch,12,"has, a comma"\nads,3,"says ""hi""\nand goes on"\n,100,"{""nested"":true}"');
  });

  it('writes one JSON object per line', () => {
    // Act
    const lines = formatResult(result, 'json').split('\n');

    // Assess
    expect(lines.map((line) => JSON.parse(line))).toEqual(result.rows);
  });
});

describe('control characters', () => {
  it('shows each control character of a table cell or column name as its escape', () => {
    // Act
    const text = formatResult({ columns: ['reason\x07'], rows: [{ 'reason\x07': 'a\x1b[2Jb\rc\nd\u202ee\x9b' }] }, 'table');

    // Assess
    expect(text.split('\n').slice(0, 3)).toEqual(['reason\\x07', '-'.repeat(26), 'a\\x1b[2Jb\\rc\\nd\\u202ee\\x9b']);
  });

  it('escapes in JSON the C1 controls JSON.stringify leaves raw, and the value reads back the same', () => {
    // Prepare
    const row = { reason: 'x\x9b31m\x1b\u202e' };

    // Act
    const text = formatResult({ columns: ['reason'], rows: [row] }, 'json');

    // Assess
    expect(text).toBe('{"reason":"x\\u009b31m\\u001b\\u202e"}');
    expect(JSON.parse(text)).toEqual(row);
  });
});
