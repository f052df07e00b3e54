/**
 * The unit project's rule, enforced in each unit suite (jest.config.js): no server listens and no child process
 * starts. Core modules are shared by every suite a jest worker runs, so what is replaced here is put back after
 * the suite, before the worker runs an integration suite.
 */
import childProcess from 'node:child_process';
import { Server } from 'node:net';
import { refuseInUnitSuite } from './refuse';

type Patch = readonly [target: object, key: string, what: string];

const PATCHES: readonly Patch[] = [
  [Server.prototype, 'listen', 'start a server'],
  ...(['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const).map((name): Patch => [
    childProcess,
    name,
    `start a child process (child_process.${name})`,
  ]),
];

const originals = PATCHES.map(([target, key]) => (target as Record<string, unknown>)[key]);
for (const [target, key, what] of PATCHES) {
  (target as Record<string, unknown>)[key] = () => refuseInUnitSuite(what);
}

afterAll(() => {
  PATCHES.forEach(([target, key], i) => ((target as Record<string, unknown>)[key] = originals[i]));
});
