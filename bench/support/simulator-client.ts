import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { OperationCounters, SageMakerSimulatorOptions, SimulatedOperation } from '../../simulator/server';
import type { AdvanceOptions } from '../../simulator/world/simulated-world';
import type { ChurnReport, Timeline } from './simulator-process';

export type { ChurnReport } from './simulator-process';

/** A simulator running in its own process (bench/support/simulator-process.ts). */
export interface SimulatorProcess {
  readonly endpoint: string;
  advance(ms: number, options: AdvanceOptions): Promise<ChurnReport>;
  stats(): Promise<Record<SimulatedOperation, OperationCounters>>;
  resetStats(): Promise<void>;
  inventory(accountId: string, region: string): Promise<{ jobs: number; tagged: number; arns: string[] }>;
  /** Per operation, the first and last call it answered from `since` (epoch ms) on. */
  timeline(since: number): Promise<Timeline>;
  stop(): Promise<void>;
}

export async function startSimulatorProcess(options: SageMakerSimulatorOptions): Promise<SimulatorProcess> {
  const child: ChildProcess = fork(join(__dirname, 'simulator-process.ts'), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const pending = new Map<number, (value: unknown) => void>();
  let next = 0;
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the simulator process exited with ${code} before listening`)));
    child.on('message', (message: { endpoint?: string; id?: number; value?: unknown }) => {
      if (message.endpoint) resolve(message.endpoint);
      else if (message.id !== undefined) pending.get(message.id)?.(message.value);
    });
  });
  child.removeAllListeners('exit');
  const ask = <T>(request: Record<string, unknown>): Promise<T> =>
    new Promise((resolve) => {
      const id = next++;
      pending.set(id, (value) => {
        pending.delete(id);
        resolve(value as T);
      });
      child.send({ ...request, id });
    });
  return {
    endpoint,
    advance: (ms, advanceOptions) => ask({ type: 'advance', ms, options: advanceOptions }),
    stats: () => ask({ type: 'stats' }),
    resetStats: () => ask({ type: 'resetStats' }),
    inventory: (accountId, region) => ask({ type: 'inventory', accountId, region }),
    timeline: (since) => ask({ type: 'timeline', since }),
    stop: async () => {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
