// One declaration file for the package's types (dist/index.d.ts), from tsc's per-module declarations in
// dist/types: only what the library's exports reach, so it imports nothing but aws-cdk-lib and constructs
// (the packed-app test type-checks a consumer against it without skipLibCheck).
import { dts } from 'rollup-plugin-dts';

export default {
  input: 'dist/types/lib/index.d.ts',
  output: { file: 'dist/index.d.ts', format: 'es' },
  plugins: [dts()],
  external: [/^aws-cdk-lib(\/|$)/, /^constructs$/, /package\.json$/],
};
