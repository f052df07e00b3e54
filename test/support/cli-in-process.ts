import { Writable } from 'node:stream';
import { runCli } from '../../cli/main';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `sm-inventory args` in this process with `env` laid over the environment (an empty value
 * unsets), then puts the environment back: faster than a child process, and the simulator's hooks
 * in this process still see every call.
 */
export async function runCliInProcess(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const saved = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === '') delete process.env[key];
    else process.env[key] = value;
  }
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write: (chunk, _encoding, done) => ((stdout += String(chunk)), done()) });
  const err = new Writable({ write: (chunk, _encoding, done) => ((stderr += String(chunk)), done()) });
  try {
    const code = await runCli(args, { out, err });
    return { code, stdout, stderr };
  } finally {
    process.env = saved;
  }
}

/** stderr without the progress lines a snapshot prints every few seconds when stderr is not a terminal (`[5 s] …`). */
export function withoutProgressLines(stderr: string): string {
  return stderr.replace(/^\[\d+ (?:s|min \d{2} s)\] .*\n/gm, '');
}
