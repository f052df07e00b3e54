import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The S3 (and cross-check SageMaker) tests run against the moto server, a Python program. This finds
 * a Python that has it, or installs it into a project-local virtual environment at a pinned version,
 * so `npm test` needs nothing the README's two commands do not set up.
 */
export const MOTO_REQUIREMENT = 'moto[server]==5.2.1';
const ROOT = join(__dirname, '..', '..');
export const MOTO_VENV = join(ROOT, '.venv', 'moto');
const PROBE = 'import moto.server, flask, flask_cors; print(moto.__version__)';

function run(command: string, args: string[], timeoutMs: number): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs });
  return {
    ok: result.status === 0,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim(),
  };
}

function hasMoto(python: string): boolean {
  return run(python, ['-c', PROBE], 30_000).ok;
}

export class MotoSetupError extends Error {}

export interface MotoPythonOptions {
  /** The interpreter to start from. @default $PYTHON or python3 */
  readonly python?: string;
  /** Where to create the virtual environment if that interpreter lacks moto. @default .venv/moto in the repository */
  readonly venv?: string;
}

/** A Python interpreter that can run `python -m moto.server`, installing moto if need be. */
export function motoPython(options: MotoPythonOptions = {}): string {
  if (process.env.MOTO_PYTHON && !options.python) return process.env.MOTO_PYTHON;
  const system = options.python ?? process.env.PYTHON ?? 'python3';
  const venvDirectory = options.venv ?? MOTO_VENV;
  const VENV_PYTHON = join(venvDirectory, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
  if (existsSync(VENV_PYTHON) && hasMoto(VENV_PYTHON)) return VENV_PYTHON;
  const version = run(system, ['--version'], 10_000);
  if (!version.ok) {
    throw new MotoSetupError(
      `The S3 tests need Python 3 to run the moto server, and "${system} --version" failed (${version.output || 'not found'}). ` +
        'Install Python 3.9 or newer with its venv module (Debian/Ubuntu: apt-get install python3 python3-venv; macOS: brew install python), ' +
        'or set PYTHON to an interpreter, then run npm test again.',
    );
  }
  if (hasMoto(system)) return system;
  const venv = run(system, ['-m', 'venv', venvDirectory], 120_000);
  if (!venv.ok) {
    throw new MotoSetupError(
      `The moto server is not installed for ${system}, and creating ${venvDirectory} to install it failed: ${venv.output}. ` +
        `Install the venv module (Debian/Ubuntu: apt-get install python3-venv), or install "${MOTO_REQUIREMENT}" for ${system} yourself.`,
    );
  }
  const pip = run(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', MOTO_REQUIREMENT], 600_000);
  if (!pip.ok || !hasMoto(VENV_PYTHON)) {
    throw new MotoSetupError(`Installing "${MOTO_REQUIREMENT}" into ${venvDirectory} failed (it needs PyPI): ${pip.output.slice(-2000)}`);
  }
  return VENV_PYTHON;
}
