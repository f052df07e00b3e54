import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATED_DOCUMENTS, PROSE_WIDTH, README, renderAllSections, renderGeneratedDocument } from '../../scripts/readme';
import { DOCUMENTS, documentName } from '../support/documentation';

/** The lines outside code blocks, with their line numbers. */
function linesOutsideCode(text: string): { number: number; line: string }[] {
  let inCode = false;
  return text.split('\n').flatMap((line, i) => {
    const fence = line.trimStart().startsWith('```');
    if (fence) inCode = !inCode;
    return inCode || fence ? [] : [{ number: i + 1, line }];
  });
}

/** The lines a reader reads as prose: outside code blocks, tables and HTML comments. */
const proseLines = (text: string) => linesOutsideCode(text).filter(({ line }) => !line.startsWith('|') && !line.startsWith('<!--'));

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = (path: string) => [...readFileSync(path, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => anchor(m[1]));

/** Relative links of a document ([text](target) outside code), with the file and anchor they point at. */
function relativeLinks(path: string): { target: string; file: string; fragment?: string }[] {
  return linesOutsideCode(readFileSync(path, 'utf8'))
    .flatMap(({ line }) => [...line.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]))
    .filter((target) => !/^[a-z]+:/.test(target))
    .map((target) => {
      const [file, fragment] = target.split('#');
      return { target, file: file ? join(dirname(path), file) : path, fragment };
    });
}

describe('the generated documentation', () => {
  it.each(GENERATED_DOCUMENTS.map((d) => [documentName(d.path), d] as const))(
    '%s has its generated sections up to date with their sources',
    (_name, document) => {
      // Prepare
      const current = readFileSync(document.path, 'utf8');

      // Act
      const rendered = renderGeneratedDocument(document, current);

      // Assess
      expect(rendered).toBe(current);
    },
  );

  it('gives every generated section one home', () => {
    // Act
    const homes = GENERATED_DOCUMENTS.flatMap((d) => d.sections).sort();

    // Assess
    expect(homes).toEqual(Object.keys(renderAllSections()).sort());
  });
});

describe('the README', () => {
  const text = readFileSync(README, 'utf8');

  it('shows the two commands a newcomer needs', () => {
    // Assess
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm test');
  });

  it('stays short enough to read in five minutes, at most 200 lines', () => {
    // Act
    const lines = text.trimEnd().split('\n').length;

    // Assess
    expect(lines).toBeLessThanOrEqual(200);
  });

  it('links every document in docs/', () => {
    // Act
    const linked = relativeLinks(README).map((link) => link.file);

    // Assess
    expect(DOCUMENTS.filter((path) => path !== README && !linked.includes(path)).map(documentName)).toEqual([]);
  });
});

describe.each(DOCUMENTS.map((path) => [documentName(path), path] as const))('%s', (_name, path) => {
  const text = readFileSync(path, 'utf8');

  it(`wraps its prose at ${PROSE_WIDTH} characters`, () => {
    // Act
    const long = proseLines(text).filter(({ line }) => [...line].length > PROSE_WIDTH);

    // Assess
    expect(long.map(({ number, line }) => `${number}: ${line.slice(0, 60)}…`)).toEqual([]);
  });

  it('names no path of the machine it was written on', () => {
    // Act
    const paths = text.match(/(^|[\s(`'"=])\/(work|tmp|root|home|Users)\/\S*/gm) ?? [];

    // Assess
    expect(paths).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    // Act
    const broken = relativeLinks(path).filter(
      ({ file, fragment }) => !existsSync(file) || (fragment !== undefined && file.endsWith('.md') && !anchorsOf(file).includes(fragment)),
    );

    // Assess
    expect(broken.map(({ target }) => target)).toEqual([]);
  });
});
