import { readFileSync } from 'node:fs';
import { GENERATED_DOCUMENTS, README, renderDocument } from '../../scripts/readme';

describe('the generated documentation', () => {
  it.each(GENERATED_DOCUMENTS.map((d) => [d.path.split('/').pop()!, d] as const))(
    '%s has its generated sections up to date with their sources',
    (name, document) => {
      // Prepare
      const current = readFileSync(document.path, 'utf8');

      // Act
      const rendered = renderDocument(current, document.sections(), name);

      // Assess
      expect(rendered).toBe(current);
    },
  );

  it('shows the two commands a newcomer needs in README.md', () => {
    // Act
    const text = readFileSync(README, 'utf8');

    // Assess
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm test');
  });
});
