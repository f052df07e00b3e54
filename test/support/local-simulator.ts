import { createSourceClients, type SourceClients } from '../../lambda/core/aws/clients';
import { SageMakerSimulator, type SageMakerSimulatorOptions } from '../../simulator/server';

/** Static test credentials: the simulator maps any non-rejected key to its default account. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIASIMULATEDTESTKEY', secretAccessKey: 'simulated-secret-not-real' };

export interface RunningSimulator {
  readonly simulator: SageMakerSimulator;
  readonly endpoint: string;
  clients(region: string, overrides?: { maxAttempts?: number; credentials?: typeof TEST_CREDENTIALS }): SourceClients;
  stop(): Promise<void>;
}

export async function startSimulator(options: SageMakerSimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = new SageMakerSimulator(options);
  const endpoint = await simulator.start();
  const made: SourceClients[] = [];
  return {
    simulator,
    endpoint,
    clients(region, overrides = {}) {
      const clients = createSourceClients({
        region,
        endpoint,
        credentials: overrides.credentials ?? TEST_CREDENTIALS,
        maxAttempts: overrides.maxAttempts,
        attemptTimeoutMs: 5000,
      });
      made.push(clients);
      return clients;
    },
    async stop() {
      for (const clients of made) for (const client of Object.values(clients)) client.destroy();
      await simulator.stop();
    },
  };
}

export async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
