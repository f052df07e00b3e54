/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Browser tests run with `npm run test:browser` (jest.browser.config.js): `npm test` needs no browser.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  testTimeout: 60000,
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
  // Finds (or installs, pinned, into .venv/moto) the Python that runs the moto server for the S3 tests.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
};
