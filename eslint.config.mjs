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

/**
 * What `cdk synth` may load of the runtime: the settings table, the table schemas, the shared names and
 * errors, the shipped SQL (read as data) and the state-change event's source and detail-type (the rules match
 * them). Anything else of lambda/ would drag the collector, Arrow, Parquet and the SDK into every synth
 * (test/lint/synth-module-graph.test.ts checks the whole graph).
 */
const LIB_MAY_READ = ['./settings', './schema', './names.ts', './errors.ts', './query/sql-catalog.ts', './events/state-change-event.ts'];
const LIB_ZONES = [
  {
    target: './lib',
    from: './lambda/core',
    except: LIB_MAY_READ,
    message: 'lib/ (the CDK app) may import only the settings, schema, names, errors, SQL catalog and state-change event of lambda/core.',
  },
  { target: './lib', from: './lambda/functions', message: 'lib/ refers to the functions by path (bundling); it must not import them.' },
];
const DUCKDB = { name: '@duckdb/node-api', message: 'DuckDB is the local query engine of the CLI; deployed code must not import it.' };
const RUNTIME_ONLY = ['apache-arrow', 'parquet-wasm'].map((name) => ({
  name,
  message: `${name} is runtime code of the functions; lib/ (cdk synth) must not load it.`,
}));

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
      'import-x/no-restricted-paths': [
        'error',
        { zones: [...DEPLOYED.flatMap((target) => NOT_DEPLOYED.map((zone) => ({ target, ...zone }))), ...LIB_ZONES] },
      ],
    },
  },
  {
    files: ['lambda/functions/**/*.ts', 'lambda/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [DUCKDB] }] },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [DUCKDB, ...RUNTIME_ONLY],
          patterns: [{ group: ['apache-arrow/*', 'parquet-wasm/*'], message: 'Runtime code of the functions; lib/ must not load it.' }],
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
