import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Deployables and what they may import. The snapshot function and the views custom resource are
 * bundled from lambda/functions/*; they and the runtime library in lambda/core must never pull in the
 * CLI, the simulator or DuckDB (a native module the Lambda bundle cannot carry). lib/ (the CDK app)
 * reads lambda/core for shared names, never the CLI or the simulator.
 */
const DEPLOYED = ['./lambda/functions', './lambda/core', './lib'];
const NOT_DEPLOYED = [
  { from: './cli', message: 'The CLI is not deployed; deployed code must not import it.' },
  { from: './simulator', message: 'The simulator is a test and demo tool; deployed code must not import it.' },
];

/**
 * What ships in a function reads one function at a time: none runs over about a screen. A function that
 * must be longer (a straight-line table, say) is listed here with its file and the reason; there are none
 * at present.
 * @type {{ files: string[]; reason: string }[]}
 */
const LONG_FUNCTION_EXCEPTIONS = [];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'dist/**', 'docs/api/**', 'cdk.out/**', 'coverage/**', 'warehouse/**', '.dbg/**', '.bench/**', '.venv/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['lambda/**/*.ts', 'lib/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { node: { extensions: ['.ts', '.js', '.json'] } } },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: DEPLOYED.flatMap((target) => NOT_DEPLOYED.map((zone) => ({ target, ...zone }))) }],
    },
  },
  {
    files: ['lambda/functions/**/*.ts', 'lambda/core/**/*.ts', 'lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@duckdb/node-api', message: 'DuckDB is the local query engine of the CLI; deployed code must not import it.' }],
        },
      ],
    },
  },
  {
    files: ['lambda/**/*.ts'],
    rules: { 'max-lines-per-function': ['warn', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  ...LONG_FUNCTION_EXCEPTIONS.map(({ files }) => ({ files, rules: { 'max-lines-per-function': 'off' } })),
);
