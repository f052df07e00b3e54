import { Command, CommanderError } from '@commander-js/extra-typings';
import { describeError, InventoryError } from '../lambda/core/errors';
import { applyEventsCommand } from './commands/apply-events';
import { checkVariableNames } from '../lambda/core/settings/variable-names';
import { version } from '../package.json';
import { EXIT_CODES, exitCodeLines, type ExitCode } from './command-guide';
import { demoCommand } from './commands/demo';
import { pricesCommand } from './commands/prices';
import { queryCommand } from './commands/query';
import { reportCommand } from './commands/report';
import { simulateCommand } from './commands/simulate';
import { snapshotCommand } from './commands/snapshot';
import { processInterruptions } from './interrupt';
import type { CommandIo } from './options';

export function buildProgram(io: CommandIo): Command {
  const program = new Command('sm-inventory')
    .description('SageMaker training-job inventory: snapshots to partitioned Parquet, queried with Athena or DuckDB.')
    .version(version, '-V, --version', 'print the version of sm-inventory')
    .configureOutput({ writeOut: (text) => io.out.write(text), writeErr: (text) => io.err.write(text) })
    .showHelpAfterError()
    .exitOverride()
    // A typo'd SM_INVENTORY_* variable would leave its setting at the default without a word.
    .hook('preAction', () => checkVariableNames(process.env))
    .addHelpText('after', programHelp());
  for (const command of [
    snapshotCommand(io),
    applyEventsCommand(io),
    pricesCommand(io),
    queryCommand(io),
    reportCommand(io),
    simulateCommand(io),
    demoCommand(io),
  ]) {
    program.addCommand(
      command
        .configureOutput({ writeOut: (text) => io.out.write(text), writeErr: (text) => io.err.write(text) })
        .showHelpAfterError(`(sm-inventory ${command.name()} --help lists the options)`)
        .exitOverride(),
    );
  }
  return program;
}

function programHelp(): string {
  return [
    '',
    'Exit codes:',
    ...exitCodeLines(Object.keys(EXIT_CODES).map(Number) as ExitCode[]),
    '',
    'Examples:',
    '  $ sm-inventory demo',
    '      a simulated account, two days of snapshots, queries and the cost report; no AWS account needed',
    '  $ sm-inventory snapshot --regions us-east-1 --out ./warehouse && sm-inventory query jobs_by_status',
    "      snapshot the caller's account into a local warehouse, then query it with DuckDB",
  ].join('\n');
}

/**
 * Runs the CLI with `args` (without node and the script) and returns its exit code (EXIT_CODES). A
 * failure prints one message, never a stack trace, unless SM_INVENTORY_DEBUG is set; a bug still says it is one.
 */
export async function runCli(args: readonly string[], io: Omit<CommandIo, 'setExitCode'>): Promise<number> {
  let exitCode = 0;
  const program = buildProgram({ ...io, setExitCode: (code) => (exitCode = code) });
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 1;
    }
    if (error instanceof InventoryError) {
      io.err.write(`error: ${describeError(error)}\n`);
    } else if (process.env.SM_INVENTORY_DEBUG) {
      io.err.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
    } else {
      io.err.write(
        `error: ${describeError(error)}\n(this is not an error the inventory expected: please report it; SM_INVENTORY_DEBUG=1 shows the stack trace)\n`,
      );
    }
    return 1;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  process.exitCode = await runCli(argv.slice(2), {
    out: process.stdout,
    err: process.stderr,
    interruptions: processInterruptions(process.stderr),
  });
}

if (require.main === module) void main(process.argv);
