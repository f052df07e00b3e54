import { execFile } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Lints `code` as if it were the file at `path` (relative to the repository), with the project's own
 * config, by the eslint CLI as `npm run lint` runs it (jest's module sandbox cannot load the ESM config).
 */
export async function lintAs(path: string, code: string): Promise<string[]> {
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', join(ROOT, path), '--format', 'json'],
      { cwd: ROOT },
      // eslint exits 1 when it finds problems; its JSON report is on stdout either way.
      (error, out) => (out ? resolve(out) : reject(error)),
    );
    child.stdin!.end(code);
  });
  const [result] = JSON.parse(stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}
