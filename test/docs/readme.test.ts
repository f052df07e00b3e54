import { readFileSync } from 'node:fs';
import { README, renderReadme } from '../../scripts/readme';

describe('README.md', () => {
  it('has its generated sections (columns, configuration, SQL, dialect) up to date with their sources', () => {
    const current = readFileSync(README, 'utf8');
    expect(renderReadme(current)).toBe(current);
  });

  it('shows the two commands a newcomer needs', () => {
    const text = readFileSync(README, 'utf8');
    expect(text).toContain('npm ci && npm start');
    expect(text).toContain('npm test');
  });
});
