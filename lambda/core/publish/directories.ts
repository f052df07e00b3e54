import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * `mkdir -p` that always ends. Node's recursive mkdir loops forever on a path such as /proc/x, where
 * the parent exists but nothing can be created in it (it keeps retrying the ENOENT); this creates one
 * level at a time from the nearest existing folder, so such a path fails with ENOENT at once.
 */
export async function ensureDirectory(path: string): Promise<void> {
  const missing: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    try {
      if ((await stat(current)).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: ${current} is not a folder`), { code: 'ENOTDIR' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(current) === current) throw error;
      missing.unshift(current);
    }
  }
  for (const folder of missing) {
    try {
      await mkdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
