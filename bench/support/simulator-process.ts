/**
 * A SageMaker simulator in a process of its own, for benchmarks: the collector being measured then has
 * a core and an event loop to itself, and its RSS is its own. Started by `startSimulatorProcess`; talks
 * over the IPC channel: the endpoint once listening, then one answer per request.
 */
import { SageMakerSimulator, type SageMakerSimulatorOptions } from '../../lambda/simulator/server';
import type { AdvanceOptions } from '../../lambda/simulator/world/simulated-world';

export type SimulatorRequest =
  | { readonly id: number; readonly type: 'advance'; readonly ms: number; readonly options: AdvanceOptions }
  | { readonly id: number; readonly type: 'stats' }
  | { readonly id: number; readonly type: 'resetStats' }
  | { readonly id: number; readonly type: 'inventory'; readonly accountId: string; readonly region: string };

/** What moving the clock changed, job by job: what a daily snapshot has to catch up with. */
export interface ChurnReport {
  readonly created: number;
  readonly deleted: number;
  readonly retagged: number;
  /** Jobs that existed before and whose LastModifiedTime or status moved. */
  readonly modified: number;
  /** Jobs whose row differs or that appeared or disappeared: created + deleted + (modified or retagged, each job once). */
  readonly changed: number;
  readonly jobsAfter: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2]) as SageMakerSimulatorOptions;
  const simulator = new SageMakerSimulator(options);
  const endpoint = await simulator.start();
  const world = simulator.world;
  const reply = (id: number, value: unknown) => process.send!({ id, value });
  process.on('message', (request: SimulatorRequest) => {
    switch (request.type) {
      case 'advance': {
        const before = new Map<string, { modified?: number; status?: string; tags: object }>();
        for (const accountId of options.accounts ?? [SageMakerSimulator.defaultAccountId]) {
          for (const region of options.regions ?? ['us-east-1']) {
            for (const plan of world.plans(accountId, region)) {
              const job = world.describe(plan);
              before.set(plan.arn, { modified: job.LastModifiedTime?.getTime(), status: job.TrainingJobStatus, tags: plan.tags });
            }
          }
        }
        const report = world.advance(request.ms, request.options);
        let modified = 0;
        let changedExisting = 0;
        let jobsAfter = 0;
        for (const accountId of options.accounts ?? [SageMakerSimulator.defaultAccountId]) {
          for (const region of options.regions ?? ['us-east-1']) {
            for (const plan of world.plans(accountId, region)) {
              jobsAfter++;
              const was = before.get(plan.arn);
              if (!was) continue;
              const job = world.describe(plan);
              const moved = job.LastModifiedTime?.getTime() !== was.modified || job.TrainingJobStatus !== was.status;
              if (moved) modified++;
              if (moved || plan.tags !== was.tags) changedExisting++;
            }
          }
        }
        reply(request.id, { ...report, modified, changed: report.created + report.deleted + changedExisting, jobsAfter } satisfies ChurnReport);
        return;
      }
      case 'stats':
        return reply(request.id, simulator.stats());
      case 'resetStats':
        simulator.resetStats();
        return reply(request.id, null);
      case 'inventory': {
        const plans = world.plans(request.accountId, request.region);
        return reply(request.id, { jobs: plans.length, tagged: plans.filter((p) => Object.keys(p.tags).length > 0).length, arns: plans.map((p) => p.arn) });
      }
    }
  });
  process.send!({ endpoint });
}

void main();
