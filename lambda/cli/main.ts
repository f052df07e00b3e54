import { Command } from '@commander-js/extra-typings';
import { describeError, InventoryError } from '../core/errors';
import { demoCommand } from './commands/demo';
import { pricesCommand } from './commands/prices';
import { queryCommand } from './commands/query';
import { reportCommand } from './commands/report';
import { simulateCommand } from './commands/simulate';
import { snapshotCommand } from './commands/snapshot';
import type { CommandIo } from './options';

export function buildProgram(io: CommandIo = { out: process.stdout, err: process.stderr }): Command {
  const program = new Command('sm-inventory')
    .description('SageMaker training-job inventory: snapshots to partitioned Parquet, queried with Athena or DuckDB.')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [snapshotCommand(io), pricesCommand(io), queryCommand(io), reportCommand(io), simulateCommand(io), demoCommand(io)]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return;
    if (code?.startsWith('commander.')) {
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`error: ${error instanceof InventoryError ? describeError(error) : (error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
