import { lintAs } from '../support/eslint';

/** A function of `statements` lines of code, with `comments` comment lines and as many blank lines among them. */
function functionOf(statements: number, comments = 0): string {
  const body = Array.from({ length: statements }, (_, i) => `  total += ${i};`);
  for (let i = 0; i < comments; i++) body.splice(i * 2, 0, '  // why the next line is there', '');
  return ['export function long(): number {', '  let total = 0;', ...body, '  return total;', '}', ''].join('\n');
}

describe('the length of functions that ship in a Lambda', () => {
  jest.setTimeout(60_000);

  it('warns of a function over 80 lines in lambda/', async () => {
    // Act
    const messages = await lintAs('lambda/core/pipeline/extra.ts', functionOf(80));

    // Assess
    expect(messages).toEqual([expect.stringMatching(/^max-lines-per-function: .*'long' has too many lines \(84\)/)]);
  });

  it('counts neither blank lines nor comments', async () => {
    // Act
    const messages = await lintAs('lambda/functions/snapshot/extra.ts', functionOf(70, 30));

    // Assess
    expect(messages).toEqual([]);
  });

  it('leaves the length of functions outside lambda/ to their authors', async () => {
    // Act
    const messages = await lintAs('cli/extra.ts', functionOf(80));

    // Assess
    expect(messages).toEqual([]);
  });
});
