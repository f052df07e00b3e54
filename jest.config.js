/**
 * Two projects, one rule (docs/development.md): a unit suite, `*.unit.test.ts`, runs only the code under test in
 * the jest worker. It starts no server and no child process and opens no DuckDB (test/support/unit-rule refuses
 * them), and it synthesizes no CDK stack. Every other suite is an integration suite: the simulator and moto
 * over real HTTP, the CLI as a process, DuckDB, the CDK stacks.
 *
 *   npm run test:unit          jest --selectProjects unit
 *   npm run test:integration   jest --selectProjects integration
 *   npm test                   both
 */
const shared = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  setupFiles: ['<rootDir>/test/support/jest-setup.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  testTimeout: 60000,
  coverageProvider: 'v8',
  // One temporary root for the whole run (every suite's TMPDIR is under it), removed at the end: npm test leaves no folder behind.
  globalSetup: '<rootDir>/test/support/global-tmp-root.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  collectCoverageFrom: ['lambda/**/*.ts', 'lib/**/*.ts', 'cli/**/*.ts', 'simulator/**/*.ts'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['**/*.unit.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/unit-rule/refuse-servers.ts'],
      moduleNameMapper: { '^@duckdb/node-api$': '<rootDir>/test/support/unit-rule/duckdb.ts' },
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['**/*.test.ts'],
      // Browser tests run with `npm run test:browser` (jest.browser.config.js): `npm test` needs no browser.
      testPathIgnorePatterns: ['/node_modules/', '\\.unit\\.test\\.ts$', '<rootDir>/test/browser/'],
      // Finds (or installs, pinned, into .venv/moto) the Python that runs the moto server for the S3 tests.
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
  ],
};
