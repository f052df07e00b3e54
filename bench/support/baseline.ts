import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

export interface BaselineComparison {
  /** A checkout with its node_modules, or a git revision of this repository. */
  readonly baseline: string;
  readonly rows: number;
  readonly rounds: number;
  readonly compression: string;
  /** This bench script; the baseline runs the file at the same path in its checkout. */
  readonly script: string;
}

/**
 * Runs the bench at `script` here and in the baseline checkout, one process each, alternately (ABBA
 * order, so a load that rises or falls during the run weighs on both alike), and prints every round,
 * each side's median rows/s and their ratio. On a shared machine the absolute figures move with the
 * load; the ratio of runs made in the same minutes is the figure to compare.
 */
export function compareWithBaseline(options: BaselineComparison): void {
  const here = repositoryRoot(dirname(options.script));
  const scriptPath = relative(here, options.script);
  const checkout = baselineCheckout(here, options.baseline);
  try {
    const figures: Record<'here' | 'baseline', Run[]> = { here: [], baseline: [] };
    console.log(`node ${process.version}, ${options.rows} rows, ${options.rounds} rounds; load average at start ${loadText()}`);
    for (let round = 1; round <= options.rounds; round++) {
      const order: ('here' | 'baseline')[] = round % 2 === 1 ? ['here', 'baseline'] : ['baseline', 'here'];
      const line: string[] = [];
      for (const side of order) {
        const run = benchRun(side === 'here' ? here : checkout.directory, scriptPath, options);
        figures[side].push(run);
        line.push(`${side} ${run.rowsPerSecond} rows/s (${run.rowsPerCpuSecond} per CPU second)`);
      }
      console.log(`round ${round}: ${line.join(', ')}  (load ${loadText()})`);
    }
    for (const figure of ['rowsPerSecond', 'rowsPerCpuSecond'] as const) {
      const hereMedian = median(figures.here.map((run) => run[figure]));
      const baselineMedian = median(figures.baseline.map((run) => run[figure]));
      const unit = figure === 'rowsPerSecond' ? 'rows/s' : 'rows per CPU second (start-up less)';
      console.log(
        `median ${unit}: here ${hereMedian}, baseline (${options.baseline}) ${baselineMedian}, ratio ${(hereMedian / baselineMedian).toFixed(2)}`,
      );
    }
  } finally {
    checkout.remove();
  }
}

function repositoryRoot(directory: string): string {
  return execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: directory, encoding: 'utf8' }).trim();
}

/** The baseline as a directory: the one given, or a temporary worktree at the revision with its dependencies installed. */
function baselineCheckout(here: string, baseline: string): { directory: string; remove: () => void } {
  if (existsSync(baseline)) {
    if (!existsSync(join(baseline, 'node_modules'))) throw new Error(`${baseline} has no node_modules; run npm ci there first`);
    return { directory: baseline, remove: () => undefined };
  }
  const directory = join(mkdtempSync(join(tmpdir(), 'bench-baseline-')), 'checkout');
  console.log(`checking out ${baseline} into ${directory} and installing its dependencies`);
  execFileSync('git', ['worktree', 'add', '--detach', directory, baseline], { cwd: here, stdio: 'inherit' });
  const remove = () => {
    execFileSync('git', ['worktree', 'remove', '--force', directory], { cwd: here, stdio: 'inherit' });
    rmSync(dirname(directory), { recursive: true, force: true });
  };
  try {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: directory, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch (error) {
    remove();
    throw error;
  }
  return { directory, remove };
}

interface Run {
  /** What the bench printed: rows over the wall time of mapping, encoding and writing. */
  readonly rowsPerSecond: number;
  /**
   * Rows over the CPU time (user + system) the rows took: the process's CPU time less that of a run of
   * no rows (start-up, compiling the sources, the pool of jobs), which differ between checkouts. CPU
   * time is what the load of other processes on the machine moves least.
   */
  readonly rowsPerCpuSecond: number;
}

/** One run of the bench in `directory` (its own tsx, its own code), and one of no rows for its fixed CPU time. */
function benchRun(directory: string, script: string, options: BaselineComparison): Run {
  const fixed = processRun(directory, script, 0, options.compression);
  const run = processRun(directory, script, options.rows, options.compression);
  const rate = /(\d+) rows\/s/.exec(run.output);
  if (!rate) throw new Error(`the bench in ${directory} printed no rows/s figure: ${run.output}`);
  return { rowsPerSecond: Number(rate[1]), rowsPerCpuSecond: Math.round(options.rows / (run.cpuSeconds - fixed.cpuSeconds)) };
}

/** The bench in a shell whose `times` then reports the child's CPU time. */
function processRun(directory: string, script: string, rows: number, compression: string): { output: string; cpuSeconds: number } {
  const command = [process.execPath, '--import', 'tsx', script, '--rows', String(rows), '--compression', compression];
  const output = execFileSync('/bin/sh', ['-c', `${command.map(shellQuoted).join(' ')} && times`], {
    cwd: directory,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // `times` prints the shell's user and system time, then its children's: `0m5.120000s 0m0.310000s`.
  const children = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/m.exec(output.slice(output.lastIndexOf('\n', output.length - 2) + 1));
  if (!children) throw new Error(`the shell in ${directory} printed no CPU time: ${output}`);
  return { output, cpuSeconds: Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]) };
}

function shellQuoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : Math.round((sorted[middle - 1] + sorted[middle]) / 2);
}

function loadText(): string {
  return loadavg()
    .map((load) => load.toFixed(1))
    .join(' ');
}
