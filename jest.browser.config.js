/**
 * The tests that need a real browser: headless Chromium from the system (Debian's `chromium` package,
 * or CHROMIUM_PATH), driven by playwright-core, which never downloads one. Kept out of `npm test`,
 * which needs only Node and python3; `.ci/run` installs Chromium and runs `npm run test:browser` too.
 */
const { maxWorkers, testTimeout, projects } = require('./jest.config');
const integration = projects.find((project) => project.displayName === 'integration');

/** @type {import('jest').Config} */
module.exports = {
  ...integration,
  displayName: undefined,
  maxWorkers,
  testTimeout,
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // No S3 in these tests: no moto server to set up.
  globalSetup: undefined,
};
