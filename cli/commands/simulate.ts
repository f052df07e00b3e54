import { appendFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import { ConfigError } from '../../lambda/core/errors';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../../lambda/core/names';
import { parseRateLimits, SageMakerSimulator } from '../../simulator/server';
import { withGuide } from '../command-guide';
import { commaListOf, fraction, millisecondRange, wholeNumberIn, type CommandIo } from '../options';

/** Generating a job takes memory; past this many per (account, region) a laptop runs out. */
const MAX_SIMULATED_JOBS = 250_000;

function rateLimits(value: string) {
  try {
    return parseRateLimits(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

/** One JSON event per line, as an EventBridge archive replay gives them. */
export function appendEventLines(path: string, events: readonly object[]): void {
  if (events.length > 0) appendFileSync(path, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
}

export function simulateCommand(io: CommandIo) {
  const command = new Command('simulate')
    .description('Run the local SageMaker simulator (AWS JSON protocol) until interrupted.')
    .option('--port <port>', 'port to listen on (0: any free port)', wholeNumberIn(0, 65_535), 4599)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--jobs <n>', `jobs per account and region, 0-${MAX_SIMULATED_JOBS}`, wholeNumberIn(0, MAX_SIMULATED_JOBS), 1000)
    .option('--seed <n>', 'random seed', wholeNumberIn(0, 4_294_967_295), 1)
    .option('--regions <list>', 'regions holding jobs', commaListOf(REGION_PATTERN, 'AWS Region codes such as us-east-1'), ['us-east-1'])
    .option(
      '--accounts <list>',
      'accounts holding jobs (reach others with AssumeRole)',
      commaListOf(ACCOUNT_ID_PATTERN, '12-digit account ids'),
      [SageMakerSimulator.defaultAccountId],
    )
    .addOption(
      new Option('--limits <op=rate[,op=rate]>', 'per-operation calls per second, e.g. ListTrainingJobs=2,DescribeTrainingJob=10')
        .argParser(rateLimits)
        .default({}, 'none: calls are never throttled for rate'),
    )
    .addOption(
      new Option('--latency <min-max>', 'added latency in ms, e.g. 20-80')
        .argParser(millisecondRange)
        .default([0, 0] as [number, number], '0'),
    )
    .option('--fault-rate <fraction>', 'fraction of calls answered 500/503 or reset', fraction, 0)
    .option('--throttle-rate <fraction>', 'fraction of calls throttled regardless of limits', fraction, 0)
    .option(
      '--events-file <path>',
      'append the EventBridge state-change events of each advance to this file, one JSON event per line (for apply-events)',
    )
    .action(async (flags) => {
      const simulator = new SageMakerSimulator({
        port: flags.port,
        host: flags.host,
        jobsPerRegion: flags.jobs,
        seed: flags.seed,
        regions: flags.regions,
        accounts: flags.accounts,
        limits: flags.limits,
        latencyMs: flags.latency,
        faults: {
          internalError: flags.faultRate / 3,
          unavailable: flags.faultRate / 3,
          connectionReset: flags.faultRate / 3,
          throttle: flags.throttleRate,
        },
        onStateChangeEvents: flags.eventsFile ? (events) => appendEventLines(flags.eventsFile!, events) : undefined,
      });
      let endpoint: string;
      try {
        endpoint = await simulator.start();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE')
          throw new ConfigError(`port ${flags.port} on ${flags.host} is in use; allowed: a free port, or 0 for any free one`, {
            cause: error,
          });
        if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
          throw new ConfigError(
            `--host ${JSON.stringify(flags.host)} is not an address of this machine; allowed: 127.0.0.1, 0.0.0.0 or another local address`,
            { cause: error },
          );
        throw error;
      }
      io.out.write(
        `SageMaker simulator listening on ${endpoint}\n` +
          `  export AWS_ENDPOINT_URL_SAGEMAKER=${endpoint} AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API=${endpoint} AWS_ENDPOINT_URL_STS=${endpoint} AWS_ENDPOINT_URL_PRICING=${endpoint}\n` +
          `  stats: curl ${endpoint}/_simulator/stats   advance a day: curl -X POST -d '{"days":1}' ${endpoint}/_simulator/advance\n` +
          (flags.eventsFile ? `  each advance appends its state-change events to ${flags.eventsFile}\n` : ''),
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await simulator.stop();
    });
  return withGuide(command, {
    exitCodes: [0, 1],
    examples: [
      { command: 'sm-inventory simulate --port 4599 --jobs 2000', does: '2,000 jobs in us-east-1 of account 123456789012, until Ctrl-C' },
      {
        command: 'sm-inventory simulate --regions us-east-1,eu-west-1 --latency 20-80 --throttle-rate 0.05',
        does: 'two regions, with real-world latency and 5 % of calls throttled',
      },
    ],
  });
}
