import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalWarehouse, type LocalWarehouseOptions } from '../../cli/warehouse/local-warehouse';
import { createPricingClient } from '../../lambda/core/aws/clients';
import { readConfig, type ConfigInput } from '../../lambda/core/pipeline/config';
import { runSnapshot, type SnapshotReport } from '../../lambda/core/pipeline/snapshot';
import type { ChangeBatchReport } from '../../lambda/core/events/apply-changes';
import { runChangeBatch } from '../../lambda/core/events/change-batch';
import { runPriceSnapshot } from '../../lambda/core/pricing/price-snapshot';
import { LocalStore } from '../../lambda/core/publish/local-store';
import type { SageMakerSimulatorOptions } from '../../simulator/server';
import type { CurLine } from '../../simulator/world/cost-and-usage-report';
import { writeCostAndUsageReport } from '../../simulator/world/cur-export-writer';
import type { SimulatedWorld } from '../../simulator/world/simulated-world';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from './local-simulator';

/** Limits far above what a test's few hundred jobs need: the simulator answers as fast as it can. */
const FAST_LIMITS = 'ListTrainingJobs=500,DescribeTrainingJob=2000,ListTags=2000,GetResources=500';

/**
 * A local warehouse written by the real pipeline from the simulator over HTTP (as `npm start` writes one), for
 * the suites that query it with DuckDB. The pipeline reaches the simulator through AWS_ENDPOINT_URL, as it
 * reaches any endpoint, from start() until stop().
 */
export class SimulatedWarehouse {
  /** The warehouse folder. */
  readonly out = mkdtempSync(join(tmpdir(), 'warehouse-'));
  private opened: LocalWarehouse | undefined;

  private constructor(
    readonly running: RunningSimulator,
    private readonly regions: readonly string[],
    private readonly previousEndpoint: string | undefined,
  ) {}

  /** Where costAndUsageReport() writes the bill of the warehouse at `out`: beside it. */
  static billBeside(out: string): string {
    return `${out}-cur`;
  }

  /** Starts a simulator holding jobs in `options.regions` (default us-east-1). */
  static async start(options: SageMakerSimulatorOptions = {}): Promise<SimulatedWarehouse> {
    const running = await startSimulator(options);
    const previousEndpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = running.endpoint;
    return new SimulatedWarehouse(running, options.regions ?? ['us-east-1'], previousEndpoint);
  }

  get world(): SimulatedWorld {
    return this.running.simulator.world;
  }

  /**
   * Snapshots the regions (default: all the simulator's) for `date`, with any further settings; a failed
   * (account, region) fails the setup.
   */
  async snapshot(date: string, regions: readonly string[] = this.regions, settings: ConfigInput = {}): Promise<SnapshotReport> {
    const config = this.config(regions, settings);
    const report = await runSnapshot(config, { credentials: TEST_CREDENTIALS, snapshotDate: date });
    if (report.failed.length > 0) throw new Error(`the snapshot of ${date} failed: ${JSON.stringify(report.failed)}`);
    return report;
  }

  /** Applies one batch of EventBridge events to the warehouse (or to `out`), as `sm-inventory apply-events` does. */
  async applyEvents(events: readonly unknown[], out: string = this.out, settings: ConfigInput = {}): Promise<ChangeBatchReport> {
    return runChangeBatch(this.config(this.regions, { SM_INVENTORY_OUTPUT: out, ...settings }), events, { credentials: TEST_CREDENTIALS });
  }

  private config(regions: readonly string[], settings: ConfigInput) {
    return readConfig({
      SM_INVENTORY_REGIONS: regions.join(','),
      SM_INVENTORY_OUTPUT: this.out,
      SM_INVENTORY_LIMITS: FAST_LIMITS,
      SM_INVENTORY_CONCURRENCY: '16',
      ...settings,
    });
  }

  /** Writes a price snapshot for `date` from the simulator's Price List API. */
  async prices(date: string, regions: readonly string[] = this.regions): Promise<void> {
    const pricing = createPricingClient({ endpoint: this.running.endpoint, credentials: TEST_CREDENTIALS });
    try {
      await runPriceSnapshot({ pricing, store: new LocalStore(this.out), regions: [...regions], snapshotDate: date });
    } finally {
      pricing.destroy();
    }
  }

  /** Writes the simulator's CUR 2.0 export of everything billed so far (as `npm start` does) and returns its folder. */
  async costAndUsageReport(lines: readonly CurLine[] = this.world.costAndUsageReport()): Promise<string> {
    const folder = SimulatedWarehouse.billBeside(this.out);
    await writeCostAndUsageReport(lines, folder);
    return folder;
  }

  /** The warehouse in DuckDB, with the shipped views (and the billed-cost ones over `curExport`, when given). */
  async open(options: LocalWarehouseOptions = {}): Promise<LocalWarehouse> {
    this.opened = await LocalWarehouse.open(this.out, options);
    return this.opened;
  }

  /** Closes the warehouse, stops the simulator and restores AWS_ENDPOINT_URL; the folder stays. */
  async stop(): Promise<void> {
    this.opened?.close();
    if (this.previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = this.previousEndpoint;
    await this.running.stop();
  }
}
