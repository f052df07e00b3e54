import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lambda/core/errors';
import { functionSource, prebuiltFunctionDirectory } from '../../lib/function-parts';

/** A package root holding the snapshot function's sources, its prebuilt bundle, both or neither. */
function packageRoot(contents: { sources: boolean; prebuilt: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'function-source-'));
  if (contents.sources) {
    mkdirSync(join(root, 'lambda', 'functions', 'snapshot'), { recursive: true });
    writeFileSync(join(root, 'lambda', 'functions', 'snapshot', 'handler.ts'), 'export const handler = () => undefined;\n');
  }
  if (contents.prebuilt) {
    mkdirSync(prebuiltFunctionDirectory('snapshot', root), { recursive: true });
    writeFileSync(join(prebuiltFunctionDirectory('snapshot', root), 'index.js'), 'exports.handler = () => undefined;\n');
  }
  return root;
}

describe("a function's code", () => {
  const roots: string[] = [];
  const rootWith = (contents: { sources: boolean; prebuilt: boolean }) => {
    const root = packageRoot(contents);
    roots.push(root);
    return root;
  };
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  test('comes from its sources when they are there, even beside a prebuilt bundle (this repository after a build)', () => {
    // Prepare
    const root = rootWith({ sources: true, prebuilt: true });

    // Act
    const source = functionSource('snapshot', root);

    // Assess
    expect(source).toEqual({ kind: 'sources', entry: join(root, 'lambda', 'functions', 'snapshot', 'handler.ts') });
  });

  test('comes from the prebuilt bundle when no sources are there (the installed package)', () => {
    // Prepare
    const root = rootWith({ sources: false, prebuilt: true });

    // Act
    const source = functionSource('snapshot', root);

    // Assess
    expect(source).toEqual({ kind: 'prebuilt', directory: join(root, 'dist', 'functions', 'snapshot') });
  });

  test('is a clear error naming both places when neither is there', () => {
    // Prepare
    const root = rootWith({ sources: false, prebuilt: false });

    // Act
    const choose = () => functionSource('snapshot', root);

    // Assess
    expect(choose).toThrow(ConfigError);
    expect(choose).toThrow(
      /neither sources \(.*handler\.ts\) nor a prebuilt bundle \(.*dist\/functions\/snapshot\/index\.js\); run npm run build/,
    );
  });
});
