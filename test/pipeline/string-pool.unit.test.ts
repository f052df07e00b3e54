import { StringPool } from '../../lambda/core/pipeline/string-pool';

describe('StringPool', () => {
  it('holds each distinct string once, however often it is interned', () => {
    // Prepare
    const pool = new StringPool();

    // Act
    const interned = ['Completed', 'Failed', 'Completed', 'Completed', 'Failed'].map((status) => pool.intern(status));

    // Assess
    expect(interned).toEqual(['Completed', 'Failed', 'Completed', 'Completed', 'Failed']);
    expect(pool.size).toBe(2);
  });

  it('stops holding new strings at its capacity and still hands every string back unchanged', () => {
    // Prepare
    const pool = new StringPool(3);

    // Act
    const interned = ['a', 'b', 'c', 'd', 'e', 'a'].map((value) => pool.intern(value));

    // Assess
    expect(interned).toEqual(['a', 'b', 'c', 'd', 'e', 'a']);
    expect(pool.size).toBe(3);
  });

  it('interns the keys and values of tags, which stay equal to what came in', () => {
    // Prepare
    const pool = new StringPool();

    // Act
    const first = pool.internTags({ team: 'search', project: 'ranker' });
    const second = pool.internTags({ team: 'search', project: 'ads' });

    // Assess
    expect([first, second]).toEqual([
      { team: 'search', project: 'ranker' },
      { team: 'search', project: 'ads' },
    ]);
    expect(pool.size).toBe(5);
  });

  it('hands back one object for equal tag sets, and another for a set that differs', () => {
    // Prepare
    const pool = new StringPool();

    // Act
    const [first, same, other] = [{ team: 'search' }, { team: 'search' }, { team: 'ads' }].map((tags) => pool.internTags(tags));

    // Assess
    expect(same).toBe(first);
    expect(other).not.toBe(first);
    expect(other).toEqual({ team: 'ads' });
  });

  it('tells apart tag sets that differ only in order, or in where one text ends and the next begins', () => {
    // Prepare
    const pool = new StringPool();
    const sets: Record<string, string>[] = [{ a: 'bc' }, { ab: 'c' }, { x: '1', y: '2' }, { y: '2', x: '1' }];

    // Act
    const interned = sets.map((tags) => pool.internTags(tags));

    // Assess
    expect(new Set(interned).size).toBe(4);
    expect(interned.map((tags) => Object.entries(tags))).toEqual(sets.map((tags) => Object.entries(tags)));
  });

  it('hands back each of two different tag sets whole when their hashes are equal, sharing the one it held first', () => {
    // Prepare: 'v615728' and 'v1296032' are values whose sets hash alike (FNV-1a, 32 bits).
    const pool = new StringPool();
    const first = pool.internTags({ team: 'v615728' });

    // Act
    const colliding = pool.internTags({ team: 'v1296032' });
    const firstAgain = pool.internTags({ team: 'v615728' });

    // Assess
    expect(colliding).toEqual({ team: 'v1296032' });
    expect(firstAgain).toBe(first);
  });

  it('forgets the tag sets it held once cleared: an equal set comes back as a new object', () => {
    // Prepare
    const pool = new StringPool();
    const before = pool.internTags({ team: 'search' });

    // Act
    pool.clear();
    const after = pool.internTags({ team: 'search' });

    // Assess
    expect(after).not.toBe(before);
    expect(after).toEqual(before);
  });

  it('passes undefined through, for a summary without a status', () => {
    // Act
    const interned = new StringPool().intern(undefined);

    // Assess
    expect(interned).toBeUndefined();
  });
});
