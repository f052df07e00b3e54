import { closestVariable, editDistance } from '../../lambda/core/settings/variable-names';

describe('SM_INVENTORY_* variable names', () => {
  it('counts insertions, deletions and substitutions as one edit each', () => {
    // Act
    const distances = [editDistance('kitten', 'sitting'), editDistance('', 'abc'), editDistance('same', 'same')];

    // Assess
    expect(distances).toEqual([3, 3, 0]);
  });

  it.each([
    ['SM_INVENTORY_CONCURENCY', 'SM_INVENTORY_CONCURRENCY'],
    ['SM_INVENTORY_REGION', 'SM_INVENTORY_REGIONS'],
    ['SM_INVENTORY_TIMEBUDGET', 'SM_INVENTORY_TIME_BUDGET'],
    ['SM_INVENTORY_DEBGU', 'SM_INVENTORY_DEBUG'],
  ])('takes %s for %s', (typo, meant) => {
    // Act
    const closest = closestVariable(typo);

    // Assess
    expect(closest).toBe(meant);
  });
});
