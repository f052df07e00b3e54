import { StringCodes } from '../../lambda/core/pipeline/string-codes';

describe('StringCodes', () => {
  it('gives equal strings one code and each distinct string its own', () => {
    // Prepare
    const codes = new StringCodes();

    // Act
    const given = ['Completed', 'Failed', 'Completed', 'Stopped', 'Failed'].map((status) => codes.codeOf(status));

    // Assess
    expect(given).toEqual([1, 2, 1, 3, 2]);
  });

  it('codes no string as 0 and gives each code back as its string', () => {
    // Prepare
    const codes = new StringCodes();
    const given = [null, undefined, '', 'Completed'].map((status) => codes.codeOf(status));

    // Act
    const strings = given.map((code) => codes.stringOf(code));

    // Assess
    expect(given).toEqual([0, 0, 1, 2]);
    expect(strings).toEqual([undefined, undefined, '', 'Completed']);
  });
});
