import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MotoSetupError, motoPython } from '../support/moto-python';

/** A stand-in interpreter: answers --version like Python, fails everything else (no moto, no venv module). */
function pythonWithoutMotoOrVenv(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fake-python-')), 'python3');
  writeFileSync(
    path,
    '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python 3.11.7"; exit 0; fi\necho "No module named $2" >&2\nexit 1\n',
  );
  chmodSync(path, 0o755);
  return path;
}

describe('finding the Python that runs the moto server for npm test', () => {
  it('says what to install when there is no Python at all', () => {
    // Prepare
    const missing = join(tmpdir(), 'no-such-dir', 'python3');

    // Act
    const attempt = () => motoPython({ python: missing, venv: mkdtempSync(join(tmpdir(), 'venv-')) });

    // Assess
    expect(attempt).toThrow(MotoSetupError);
    expect(attempt).toThrow(
      /"\S+no-such-dir\/python3 --version" failed .*Install Python 3\.9 or newer with its venv module \(Debian\/Ubuntu: apt-get install python3 python3-venv/,
    );
  });

  it('says what to install when Python lacks moto and cannot create the project-local environment', () => {
    // Prepare
    const venv = join(mkdtempSync(join(tmpdir(), 'venv-')), 'moto');

    // Act
    const attempt = () => motoPython({ python: pythonWithoutMotoOrVenv(), venv });

    // Assess
    expect(attempt).toThrow(
      /The moto server is not installed for \S+python3, and creating \S+\/moto to install it failed: No module named venv\. Install the venv module/,
    );
    expect(existsSync(join(venv, 'bin', 'python'))).toBe(false);
  });

  it('uses the interpreter as it is when it already has moto', () => {
    // Prepare
    const venv = join(mkdtempSync(join(tmpdir(), 'venv-')), 'moto');

    // Act
    const python = motoPython({ python: process.env.MOTO_PYTHON ?? 'python3', venv });

    // Assess
    expect(python).toBe(process.env.MOTO_PYTHON ?? 'python3');
    expect(existsSync(venv)).toBe(false);
  });
});
