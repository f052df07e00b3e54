import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { parseRateLimits, SageMakerSimulator } from '../../simulator/server';
import { commaList, fraction, wholeNumber, type CommandIo } from '../options';

function rateLimits(value: string) {
  try {
    return parseRateLimits(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

export function simulateCommand(io: CommandIo) {
  return new Command('simulate')
    .description('Run the local SageMaker simulator (AWS JSON protocol) until interrupted.')
    .option('--port <port>', 'port to listen on (0: any free port)', wholeNumber, '4599')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--jobs <n>', 'jobs per account and region', wholeNumber, '1000')
    .option('--seed <n>', 'random seed', wholeNumber, '1')
    .option('--regions <list>', 'regions holding jobs', commaList, ['us-east-1'])
    .option('--accounts <list>', 'accounts holding jobs (reach others with AssumeRole)', commaList, [SageMakerSimulator.defaultAccountId])
    .option('--limits <op=rate[,op=rate]>', 'per-operation calls per second, e.g. ListTrainingJobs=2,DescribeTrainingJob=10', rateLimits, {})
    .option('--latency <min-max>', 'added latency in ms, e.g. 20-80', '0-0')
    .option('--fault-rate <fraction>', 'fraction of calls answered 500/503 or reset', fraction, 0)
    .option('--throttle-rate <fraction>', 'fraction of calls throttled regardless of limits', fraction, 0)
    .action(async (flags) => {
      const [min, max] = flags.latency.split('-').map(Number);
      const simulator = new SageMakerSimulator({
        port: Number(flags.port),
        host: flags.host,
        jobsPerRegion: Number(flags.jobs),
        seed: Number(flags.seed),
        regions: flags.regions,
        accounts: flags.accounts,
        limits: flags.limits,
        latencyMs: [min || 0, max || min || 0],
        faults: { internalError: flags.faultRate / 3, unavailable: flags.faultRate / 3, connectionReset: flags.faultRate / 3, throttle: flags.throttleRate },
      });
      const endpoint = await simulator.start();
      io.out.write(
        `SageMaker simulator listening on ${endpoint}\n` +
          `  export AWS_ENDPOINT_URL_SAGEMAKER=${endpoint} AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API=${endpoint} AWS_ENDPOINT_URL_STS=${endpoint} AWS_ENDPOINT_URL_PRICING=${endpoint}\n` +
          `  stats: curl ${endpoint}/_simulator/stats   advance a day: curl -X POST -d '{"days":1}' ${endpoint}/_simulator/advance\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await simulator.stop();
    });
}
