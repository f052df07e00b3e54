import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * The process that made a file or folder (a lock, a scratch folder, a temporary file): its pid, its host
 * and, where the system says (Linux /proc), when it started, so a pid reused by a later process is not
 * taken for the owner.
 */
export interface ProcessOwner {
  readonly pid: number;
  readonly host: string;
  /** The process's start time in clock ticks since boot (Linux); absent where the system does not say. */
  readonly startTicks?: number;
}

/** This process, as an owner. */
export function thisProcess(): ProcessOwner {
  const startTicks = startTicksOf(process.pid);
  return startTicks === undefined ? { pid: process.pid, host: hostname() } : { pid: process.pid, host: hostname(), startTicks };
}

/**
 * True only when the owner is provably gone: it ran on this host, and its pid is no process now, or is a
 * process that started at another time. An owner on another host (a shared folder) is never provably gone.
 */
export function isOwnerGone(owner: Partial<ProcessOwner>): boolean {
  if (owner.host !== hostname() || !Number.isInteger(owner.pid) || owner.pid! <= 0) return false;
  try {
    process.kill(owner.pid!, 0);
  } catch (error) {
    // EPERM: a process of another user has the pid, so it exists.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  const now = owner.startTicks === undefined ? undefined : startTicksOf(owner.pid!);
  return now !== undefined && now !== owner.startTicks;
}

/** Field 22 of /proc/<pid>/stat, after the command name (which may hold spaces and parentheses). */
function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}
