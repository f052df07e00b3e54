import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { describeJobAt, jobEndTime, TIME, TrainingJobGenerator, type TrainingJobPlan } from './job-generator';
import { SimulatedPriceList } from './price-list';
import { hashText } from './random';
import { deliveredTwice, stateChangeEvent, stateChangeTimes, type StateChangeEvent } from './state-change-events';
import { costAndUsageReportLines, type CurLine } from './cost-and-usage-report';

export interface SimulatedWorldOptions {
  /** (account, region) pairs to populate; others exist but hold no jobs. */
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  /** Jobs created in each (account, region) before "now". */
  readonly jobsPerRegion: number;
  /** @default 1 */
  readonly seed?: number;
  /** The simulated clock's starting time (ms since epoch). @default 2026-11-01T12:00:00Z */
  readonly now?: number;
  /** History the initial jobs are spread over. @default 180 days */
  readonly historyDays?: number;
  /** Accounts of the simulated organization that are SUSPENDED: listed by Organizations, holding no jobs. @default two */
  readonly suspendedAccounts?: readonly string[];
}

/** An account of the simulated organization. */
export interface OrganizationMember {
  readonly accountId: string;
  readonly state: 'ACTIVE' | 'SUSPENDED';
}

const DEFAULT_SUSPENDED_ACCOUNTS = ['999900000001', '999900000002'];

export interface AdvanceOptions {
  /** New jobs per (account, region) per simulated day. @default 2% of the initial population, at least 5 */
  readonly newJobsPerDay?: number;
  /** Fraction of existing jobs whose tags change per simulated day. @default 0.02 */
  readonly tagChangeRate?: number;
  /** Fraction of ended jobs deleted per simulated day. @default 0.005 */
  readonly deleteRate?: number;
}

export interface AdvanceReport {
  readonly created: number;
  readonly retagged: number;
  readonly deleted: number;
}

class RegionJobs {
  readonly byArn = new Map<string, TrainingJobPlan>();
  readonly byName = new Map<string, TrainingJobPlan>();
  /** Deleted jobs: gone from the API, still in the bill. */
  readonly deleted: TrainingJobPlan[] = [];
  constructor(readonly generator: TrainingJobGenerator) {}

  add(plan: TrainingJobPlan): void {
    this.byArn.set(plan.arn, plan);
    this.byName.set(plan.name, plan);
  }

  remove(plan: TrainingJobPlan): void {
    this.byArn.delete(plan.arn);
    this.byName.delete(plan.name);
    this.deleted.push(plan);
  }
}

const DEFAULT_SIMULATED_NOW = Date.UTC(2026, 10, 1, 12, 0, 0);

/**
 * The simulated SageMaker estate: jobs per (account, region) and a clock. Job state is computed from
 * each job's plan at the current clock, so `advance` moves every job forward consistently.
 */
export class SimulatedWorld {
  private clock: number;
  /** Bumped on every change (clock, jobs, tags), so an answer derived from all jobs can be cached until the next. */
  private changes = 0;
  /** What GetProducts answers: SageMaker's price list in every priced region. */
  readonly prices: SimulatedPriceList;
  private readonly regions = new Map<string, RegionJobs>();
  private readonly initialJobsPerRegion: number;
  private readonly describeCache = new WeakMap<TrainingJobPlan, { clock: number; tags: object; job: DescribeTrainingJobResponse }>();
  private readonly populatedAccounts: readonly string[];
  private readonly suspendedAccounts: readonly string[];
  /** State-change events since the last `takeStateChangeEvents`, while recording. */
  private events: StateChangeEvent[] | undefined;

  constructor(options: SimulatedWorldOptions) {
    this.clock = options.now ?? DEFAULT_SIMULATED_NOW;
    this.initialJobsPerRegion = options.jobsPerRegion;
    this.populatedAccounts = [...options.accounts];
    this.suspendedAccounts = options.suspendedAccounts ?? DEFAULT_SUSPENDED_ACCOUNTS;
    const historyMs = (options.historyDays ?? 180) * TIME.DAY;
    // Prices in force since the first of the month the history starts in.
    this.prices = new SimulatedPriceList(`${new Date(this.clock - historyMs).toISOString().slice(0, 7)}-01T00:00:00Z`);
    let seed = options.seed ?? 1;
    for (const accountId of options.accounts) {
      for (const region of options.regions) {
        const jobs = this.jobsIn(accountId, region, seed++);
        // Spread creations over the history, denser towards now (teams ramp up), newest last.
        const times = Array.from(
          { length: options.jobsPerRegion },
          () => this.clock - Math.floor(historyMs * Math.pow(jobs.generator.rng.next(), 1.5)),
        );
        times.sort((a, b) => a - b);
        for (const createdAt of times) jobs.add(jobs.generator.plan(createdAt));
      }
    }
  }

  now(): number {
    return this.clock;
  }

  /** Changes with every change to the world; equal versions mean every job reads the same. */
  version(): number {
    return this.changes;
  }

  /** The organization the accounts belong to: `management` first, then the populated accounts (ACTIVE), then the suspended ones. */
  organizationMembers(management: string): OrganizationMember[] {
    const active = [...new Set([management, ...this.populatedAccounts])].filter((id) => !this.suspendedAccounts.includes(id));
    return [
      ...active.map((accountId) => ({ accountId, state: 'ACTIVE' as const })),
      ...this.suspendedAccounts.map((accountId) => ({ accountId, state: 'SUSPENDED' as const })),
    ];
  }

  private jobsIn(accountId: string, region: string, seed?: number): RegionJobs {
    const key = `${accountId}/${region}`;
    let jobs = this.regions.get(key);
    if (!jobs) {
      jobs = new RegionJobs(new TrainingJobGenerator({ accountId, region, seed: seed ?? hashText(key) }));
      this.regions.set(key, jobs);
    }
    return jobs;
  }

  /** Plans visible now in one (account, region), oldest first. */
  plans(accountId: string, region: string): TrainingJobPlan[] {
    const jobs = this.regions.get(`${accountId}/${region}`);
    if (!jobs) return [];
    return [...jobs.byArn.values()].filter((plan) => plan.createdAt <= this.clock);
  }

  /** Every job created by now in every (account, region), deleted ones included: what the bill charges for. */
  everyPlanEver(): TrainingJobPlan[] {
    return [...this.regions.values()].flatMap((jobs) =>
      [...jobs.deleted, ...jobs.byArn.values()].filter((plan) => plan.createdAt <= this.clock),
    );
  }

  /** The CUR 2.0 line items of everything billed up to now (see cost-and-usage-report.ts). */
  costAndUsageReport(): CurLine[] {
    return costAndUsageReportLines({ plans: this.everyPlanEver(), prices: this.prices, now: this.clock });
  }

  findByName(accountId: string, region: string, name: string): TrainingJobPlan | undefined {
    const plan = this.regions.get(`${accountId}/${region}`)?.byName.get(name);
    return plan && plan.createdAt <= this.clock ? plan : undefined;
  }

  findByArn(accountId: string, region: string, arn: string): TrainingJobPlan | undefined {
    const plan = this.regions.get(`${accountId}/${region}`)?.byArn.get(arn);
    return plan && plan.createdAt <= this.clock ? plan : undefined;
  }

  /** The job's Describe response at the current clock; cached per clock tick since listing pages ask often. */
  describe(plan: TrainingJobPlan): DescribeTrainingJobResponse {
    const cached = this.describeCache.get(plan);
    if (cached && cached.clock === this.clock && cached.tags === plan.tags) return cached.job;
    const job = describeJobAt(plan, this.clock)!;
    this.describeCache.set(plan, { clock: this.clock, tags: plan.tags, job });
    return job;
  }

  /** Deletes one job now (DeleteTrainingJob): later calls no longer see it. */
  deleteJob(accountId: string, region: string, name: string): boolean {
    const jobs = this.regions.get(`${accountId}/${region}`);
    const plan = jobs?.byName.get(name);
    if (!jobs || !plan) return false;
    jobs.remove(plan);
    this.changes++;
    return true;
  }

  /**
   * Creates a job named `name` now, as CreateTrainingJob does: after DeleteTrainingJob a name (and so its
   * ARN) may be used again by a new job, with a new creation time.
   */
  createJobNamed(accountId: string, region: string, name: string): TrainingJobPlan {
    const jobs = this.jobsIn(accountId, region);
    if (jobs.byName.has(name)) throw new RangeError(`a job named ${name} exists in ${accountId}/${region}; delete it first`);
    const drawn = jobs.generator.plan(this.clock - TIME.MINUTE);
    const arn = `arn:aws:sagemaker:${region}:${accountId}:training-job/${name.toLowerCase()}`;
    const plan: TrainingJobPlan = { ...drawn, name, arn, static: { ...drawn.static, TrainingJobName: name, TrainingJobArn: arn } };
    jobs.add(plan);
    this.changes++;
    return plan;
  }

  /**
   * From now on, every state change `advance` moves a job through becomes an EventBridge event, as
   * SageMaker sends them (an occasional one twice); `takeStateChangeEvents` hands them over.
   */
  recordStateChangeEvents(): void {
    this.events ??= [];
  }

  /** The events recorded since the last call, in time order, and forgets them. */
  takeStateChangeEvents(): StateChangeEvent[] {
    const taken = this.events ?? [];
    if (this.events) this.events = [];
    return taken;
  }

  /** Records the state changes of `plan` in (from, to]. */
  private recordChanges(plan: TrainingJobPlan, from: number, to: number): void {
    if (!this.events || jobEndTime(plan) <= from) return;
    for (const at of stateChangeTimes(plan)) {
      if (at <= from || at > to) continue;
      const event = stateChangeEvent(plan, at);
      this.events.push(event);
      if (deliveredTwice(event)) this.events.push(event);
    }
  }

  /** Moves the clock forward: running jobs progress, new jobs start, some tags change, some old jobs are deleted. */
  advance(ms: number, options: AdvanceOptions = {}): AdvanceReport {
    if (!Number.isFinite(ms) || ms <= 0) throw new RangeError(`advance needs a positive number of milliseconds; received ${ms}`);
    const days = ms / TIME.DAY;
    const from = this.clock;
    this.clock += ms;
    this.changes++;
    let created = 0;
    let retagged = 0;
    let deleted = 0;
    for (const jobs of this.regions.values()) {
      const random = jobs.generator.rng;
      const perDay = options.newJobsPerDay ?? Math.max(5, Math.round(this.initialJobsPerRegion * 0.02));
      const newJobs = Math.round(perDay * days);
      const times = Array.from({ length: newJobs }, () => from + Math.floor(random.next() * ms)).sort((a, b) => a - b);
      for (const createdAt of times) {
        jobs.add(jobs.generator.plan(createdAt));
        created++;
      }
      for (const plan of [...jobs.byArn.values()]) {
        this.recordChanges(plan, from, this.clock);
        if (plan.createdAt > from) continue;
        if (random.chance((options.tagChangeRate ?? 0.02) * days)) {
          plan.tags = {
            ...plan.tags,
            team: random.pick(['search', 'ads', 'fraud', 'recsys', 'vision']),
            'reviewed-on': new Date(this.clock).toISOString().slice(0, 10),
          };
          retagged++;
        }
        if (describeJobAt(plan, this.clock)?.TrainingEndTime && random.chance((options.deleteRate ?? 0.005) * days)) {
          jobs.remove(plan);
          deleted++;
        }
      }
    }
    this.events?.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    return { created, retagged, deleted };
  }
}
