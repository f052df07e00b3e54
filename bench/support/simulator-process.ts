/**
 * A SageMaker simulator in a process of its own, for benchmarks: the collector being measured then has
 * a core and an event loop to itself, and its RSS is its own. Started by `startSimulatorProcess`; talks
 * over the IPC channel: the endpoint once listening, then one answer per request.
 */
import { SageMakerSimulator, type SageMakerSimulatorOptions } from '../../simulator/server';
import type { AdvanceOptions } from '../../simulator/world/simulated-world';

export type SimulatorRequest =
  | { readonly id: number; readonly type: 'advance'; readonly ms: number; readonly options: AdvanceOptions }
  | { readonly id: number; readonly type: 'stats' }
  | { readonly id: number; readonly type: 'resetStats' }
  | { readonly id: number; readonly type: 'inventory'; readonly accountId: string; readonly region: string }
  | { readonly id: number; readonly type: 'timeline'; readonly since: number };

/** When an operation's answered calls came, in epoch ms: a run's phases, seen from the service. */
export type Timeline = Record<string, { readonly calls: number; readonly first: number; readonly last: number }>;

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
  const answered = new Map<string, number[]>();
  simulator.onCall((operation) => {
    let times = answered.get(operation);
    if (!times) answered.set(operation, (times = []));
    times.push(Date.now());
  });
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
        reply(request.id, {
          ...report,
          modified,
          changed: report.created + report.deleted + changedExisting,
          jobsAfter,
        } satisfies ChurnReport);
        return;
      }
      case 'stats':
        return reply(request.id, simulator.stats());
      case 'timeline': {
        const timeline: Timeline = {};
        for (const [operation, times] of answered) {
          const recent = times.filter((t) => t >= request.since);
          if (recent.length > 0) timeline[operation] = { calls: recent.length, first: recent[0], last: recent.at(-1)! };
        }
        return reply(request.id, timeline);
      }
      case 'resetStats':
        simulator.resetStats();
        return reply(request.id, null);
      case 'inventory': {
        const plans = world.plans(request.accountId, request.region);
        return reply(request.id, {
          jobs: plans.length,
          tagged: plans.filter((p) => Object.keys(p.tags).length > 0).length,
          arns: plans.map((p) => p.arn),
        });
      }
    }
  });
  process.send!({ endpoint });
}

void main();
