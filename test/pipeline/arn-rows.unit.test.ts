import { ArnMap, ArnRows, ArnSet } from '../../lambda/core/pipeline/arn-rows';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:training-job/';

/** Rows for the jobs `names`, in that order. */
function rowsOf(...names: string[]): ArnRows {
  const rows = new ArnRows();
  for (const name of names) rows.add(`${ARN}${name}`);
  return rows;
}

describe('ArnRows', () => {
  it('numbers each ARN once, in the order first added', () => {
    // Prepare
    const rows = rowsOf('a', 'b');

    // Act
    const row = rows.add(`${ARN}a`);

    // Assess
    expect([row, rows.rowOf(`${ARN}b`), rows.rowOf(`${ARN}c`), rows.size]).toEqual([0, 1, undefined, 2]);
    expect([rows.arnAt(0), rows.arnAt(1)]).toEqual([`${ARN}a`, `${ARN}b`]);
  });
});

describe('ArnSet', () => {
  it('holds ARNs of its rows and others alike, each once, and iterates its rows in row order before the others', () => {
    // Prepare
    const set = new ArnSet(rowsOf('a', 'b', 'c'));

    // Act
    set.add(`${ARN}c`).add(`${ARN}new`).add(`${ARN}a`).add(`${ARN}c`);
    set.addRow(0);

    // Assess
    expect([...set]).toEqual([`${ARN}a`, `${ARN}c`, `${ARN}new`]);
    expect([set.size, set.has(`${ARN}a`), set.has(`${ARN}b`), set.has(`${ARN}new`), set.has(`${ARN}other`)]).toEqual([
      3,
      true,
      false,
      true,
      false,
    ]);
  });

  it('answers as a Set of the same ARNs does, through every reading method', () => {
    // Prepare
    const set = new ArnSet(rowsOf('a', 'b')).add(`${ARN}b`).add(`${ARN}z`);
    const seen: string[] = [];

    // Act
    set.forEach((value, key, owner) => seen.push(`${value}|${key}|${owner === set}`));

    // Assess
    expect(seen).toEqual([`${ARN}b|${ARN}b|true`, `${ARN}z|${ARN}z|true`]);
    expect([[...set.keys()], [...set.values()], [...set.entries()]]).toEqual([
      [`${ARN}b`, `${ARN}z`],
      [`${ARN}b`, `${ARN}z`],
      [
        [`${ARN}b`, `${ARN}b`],
        [`${ARN}z`, `${ARN}z`],
      ],
    ]);
  });

  it('holds an ARN added to its rows after it was made among the others', () => {
    // Prepare
    const rows = rowsOf('a');
    const set = new ArnSet(rows);
    rows.add(`${ARN}late`);

    // Act
    set.add(`${ARN}late`);

    // Assess
    expect([set.has(`${ARN}late`), set.size, [...set]]).toEqual([true, 1, [`${ARN}late`]]);
  });
});

describe('ArnSet, by row', () => {
  it('tells by row whether it holds the ARN of that row, none for a row beyond those it was made with', () => {
    // Prepare
    const rows = rowsOf('a', 'b');
    const set = new ArnSet(rows).add(`${ARN}b`);
    rows.add(`${ARN}later`);

    // Act
    const held = [0, 1, 2].map((row) => set.hasRow(row));

    // Assess
    expect(held).toEqual([false, true, false]);
  });
});

describe('ArnMap', () => {
  it('gives the value of a row of its rows without looking it up, none for a row unset or beyond them', () => {
    // Prepare
    const rows = rowsOf('a', 'b');
    const map = new ArnMap<string>(rows).set(`${ARN}b`, 'x').set(`${ARN}other`, 'y');
    rows.add(`${ARN}later`);

    // Act
    const values = [0, 1, 2].map((row) => map.atRow(row));

    // Assess
    expect(values).toEqual([undefined, 'x', undefined]);
  });

  it('gives back the latest value set for an ARN of its rows or another, and none for an ARN never set', () => {
    // Prepare
    const map = new ArnMap<Record<string, string>>(rowsOf('a', 'b'));

    // Act
    map.set(`${ARN}a`, { team: 'x' }).set(`${ARN}new`, { team: 'y' }).set(`${ARN}a`, { team: 'z' });

    // Assess
    expect([map.get(`${ARN}a`), map.get(`${ARN}new`), map.get(`${ARN}b`), map.get(`${ARN}other`)]).toEqual([
      { team: 'z' },
      { team: 'y' },
      undefined,
      undefined,
    ]);
    expect([map.size, map.has(`${ARN}a`), map.has(`${ARN}b`), map.has(`${ARN}new`)]).toEqual([2, true, false, true]);
  });

  it('iterates the values of its rows in row order, then the others in the order first set, through every reading method', () => {
    // Prepare
    const map = new ArnMap<number>(rowsOf('a', 'b', 'c'));
    map.set(`${ARN}z`, 26).set(`${ARN}c`, 3).set(`${ARN}a`, 1).set(`${ARN}y`, 25);
    const seen: string[] = [];

    // Act
    map.forEach((value, key, owner) => seen.push(`${key}=${value}|${owner === map}`));

    // Assess
    const entries: [string, number][] = [
      [`${ARN}a`, 1],
      [`${ARN}c`, 3],
      [`${ARN}z`, 26],
      [`${ARN}y`, 25],
    ];
    expect([...map]).toEqual(entries);
    expect([[...map.entries()], [...map.keys()], [...map.values()]]).toEqual([entries, entries.map(([key]) => key), [1, 3, 26, 25]]);
    expect(seen).toEqual(entries.map(([key, value]) => `${key}=${value}|true`));
  });

  it('works without rows, as a plain map by ARN', () => {
    // Prepare
    const map = new ArnMap<number>();

    // Act
    map.set(`${ARN}a`, 1);

    // Assess
    expect([map.get(`${ARN}a`), map.size, [...map]]).toEqual([1, 1, [[`${ARN}a`, 1]]]);
  });
});

describe('ArnRows, of ARNs that do not share their text up to the name', () => {
  it('gives back every ARN as it was added, whatever its start, and finds none it does not hold', () => {
    // Prepare
    const arns = [
      `${ARN}a`,
      'arn:aws:sagemaker:eu-west-1:123456789012:training-job/a',
      `${ARN}\u0000b`,
      `${ARN}`,
      '\u0000b',
      'no-slash',
      '',
    ];
    const rows = new ArnRows();

    // Act
    for (const arn of arns) rows.add(arn);

    // Assess
    expect(arns.map((arn) => rows.rowOf(arn))).toEqual(arns.map((_, row) => row));
    expect(arns.map((_, row) => rows.arnAt(row))).toEqual(arns);
    expect([rows.rowOf(`${ARN}c`), rows.rowOf('b'), rows.size]).toEqual([undefined, undefined, arns.length]);
  });
});
