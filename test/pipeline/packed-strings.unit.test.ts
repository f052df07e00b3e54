import { PackedStrings } from '../../lambda/core/pipeline/packed-strings';

describe('PackedStrings', () => {
  it('numbers each string once, in the order first added, and gives each back', () => {
    // Prepare
    const strings = new PackedStrings();

    // Act
    const numbers = ['b', 'a', 'b', 'c'].map((value) => strings.add(value));

    // Assess
    expect(numbers).toEqual([0, 1, 0, 2]);
    expect([strings.at(0), strings.at(1), strings.at(2), strings.size]).toEqual(['b', 'a', 'c', 3]);
    expect([strings.indexOf('c'), strings.indexOf('d')]).toEqual([2, undefined]);
  });

  it('keeps the empty string, text beyond ASCII and lone surrogates apart from one another, each as it was', () => {
    // Prepare
    const values = ['', 'é', 'e\u0301', '😀', '\ud800', '\udc00', '\ud800x', '\ufffd', 'x'];
    const strings = new PackedStrings();

    // Act
    for (const value of values) strings.add(value);

    // Assess
    expect(values.map((value) => strings.indexOf(value))).toEqual(values.map((_, index) => index));
    expect(values.map((_, index) => strings.at(index))).toEqual(values);
    expect(strings.indexOf('\udbff')).toBeUndefined();
  });

  it('holds many more strings than its first capacity, and strings longer than a page of bytes', () => {
    // Prepare
    const values = [
      ...Array.from({ length: 20_000 }, (_, index) => `arn:aws:sagemaker:eu-west-1:1:training-job/job-${index}`),
      'y'.repeat(600_000),
    ];
    const strings = new PackedStrings(4);

    // Act
    for (const value of values) strings.add(value);

    // Assess
    expect(strings.size).toBe(values.length);
    expect(values.every((value, index) => strings.indexOf(value) === index && strings.at(index) === value)).toBe(true);
  });
});
