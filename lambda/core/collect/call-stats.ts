/** Per-operation counts for one collection run. */
export interface OperationStats {
  /** HTTP attempts sent, retries included. */
  calls: number;
  /** Attempts the service answered with a throttling error. */
  throttles: number;
  /** Attempts that failed for another reason (5xx, reset, timeout, client error). */
  errors: number;
  /** Attempts beyond the first for a logical call. */
  retries: number;
}

export interface CollectStats {
  readonly accountId: string;
  readonly region: string;
  readonly operations: Readonly<Record<string, OperationStats>>;
  readonly jobsListed: number;
  readonly jobsDescribed: number;
  /** Listed, then gone before Describe reached them (DeleteTrainingJob mid-run). */
  readonly jobsVanished: number;
  readonly tagStrategy: TagStrategy;
  /** Pagination stopped because the service repeated a token (a known SDK/CLI hazard). */
  readonly repeatedTokens: number;
  readonly wallMs: number;
}

export type TagStrategy = 'bulk' | 'per-job';

export class CallStatsRecorder {
  private readonly operations = new Map<string, OperationStats>();

  operation(name: string): OperationStats {
    let stats = this.operations.get(name);
    if (!stats) {
      stats = { calls: 0, throttles: 0, errors: 0, retries: 0 };
      this.operations.set(name, stats);
    }
    return stats;
  }

  snapshot(): Record<string, OperationStats> {
    return Object.fromEntries([...this.operations].map(([name, stats]) => [name, { ...stats }]));
  }

  totalThrottles(): number {
    return [...this.operations.values()].reduce((sum, s) => sum + s.throttles, 0);
  }
}
