import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPricingClient } from '../../lambda/core/aws/clients';
import { PriceListError } from '../../lambda/core/errors';
import { parsePriceListItem } from '../../lambda/core/pricing/price-list-parser';
import { selectTrainingPrices } from '../../lambda/core/pricing/price-selection';
import { runPriceSnapshot } from '../../lambda/core/pricing/price-snapshot';
import { LocalStore } from '../../lambda/core/publish/local-store';
import type { PricingClient } from '@aws-sdk/client-pricing';
import { INSTANCE_TYPES } from '../../simulator/world/job-generator';
import { priceProduct } from '../../simulator/world/price-list';
import { runCli } from '../support/cli';
import { queryRows, withDuckDb } from '../support/duckdb';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';

const REGIONS = ['us-east-1', 'eu-west-1'];
const DATE = '2026-11-02';

describe('a price snapshot read from the Price List API (the simulator, over HTTP)', () => {
  let running: RunningSimulator;
  let pricing: PricingClient;

  beforeAll(async () => {
    running = await startSimulator({ regions: ['us-east-1'], jobsPerRegion: 1 });
    pricing = createPricingClient({ endpoint: running.endpoint, credentials: TEST_CREDENTIALS });
  });
  afterAll(async () => {
    pricing?.destroy();
    await running?.stop();
  });

  /** Adds a product to the simulated price list for one test. */
  async function withProduct<T>(product: ReturnType<typeof priceProduct>, work: () => Promise<T>): Promise<T> {
    running.simulator.world.prices.add(product);
    try {
      return await work();
    } finally {
      running.simulator.world.prices.remove(product.product.sku);
    }
  }

  describe('over two regions', () => {
    const out = mkdtempSync(join(tmpdir(), 'prices-'));
    let report: Awaited<ReturnType<typeof runPriceSnapshot>>;
    let rows: Record<string, unknown>[];

    beforeAll(async () => {
      report = await runPriceSnapshot({
        pricing,
        store: new LocalStore(out),
        regions: REGIONS,
        snapshotDate: DATE,
        retrievedAt: Date.UTC(2026, 10, 2, 6),
      });
      rows = await withDuckDb((db) =>
        queryRows(
          db,
          `SELECT region, instance_type, usd_per_hour, usage_type, snapshot_date FROM read_parquet('${out}/sagemaker_instance_price/*/*.parquet', hive_partitioning = true)`,
        ),
      );
    });

    it('keeps one on-demand training price per instance type and region', () => {
      // Prepare
      const world = running.simulator.world;
      const expected = REGIONS.flatMap((region) =>
        INSTANCE_TYPES.map(([type]) => `${region}|${type}|${world.prices.trainingRate(region, type)}|${DATE}`),
      );

      // Assess
      expect(rows.map((r) => `${r.region}|${r.instance_type}|${r.usd_per_hour}|${r.snapshot_date}`).sort()).toEqual(expected.sort());
    });

    it('skips Hosting, HyperPod, training-plan and Outposts rows, keeping training usage types only', () => {
      // Assess
      expect(rows.every((r) => /^(USE1|EU)-Train:ml\./.test(String(r.usage_type)))).toBe(true);
      // The filtered answer still held the training-plan fees and the Outposts rows the selection had to drop.
      expect(report.productsRead).toBeGreaterThan(rows.length);
    });

    it('reports where it wrote the snapshot', () => {
      // Assess
      expect(report.location).toBe(join(out, 'sagemaker_instance_price', `snapshot_date=${DATE}`, 'prices.parquet'));
    });
  });

  it('checks every row itself, so Hosting and HyperPod rows are skipped even when no server-side filter removed them', () => {
    // Prepare: the whole unfiltered price list, every component of every region.
    const world = running.simulator.world;
    const products = world.prices.products().map((document, i) => parsePriceListItem(JSON.stringify(document), `#${i}`));

    // Act
    const { prices } = selectTrainingPrices(products, 'eu-west-1');

    // Assess
    expect(new Set(products.map((p) => p.attributes.component))).toEqual(new Set(['Training', 'Hosting', 'Cluster']));
    expect(prices.map((p) => [p.instanceType, p.usdPerHour])).toEqual(
      INSTANCE_TYPES.map(([type]) => [type, world.prices.trainingRate('eu-west-1', type)]).sort(([a], [b]) =>
        String(a).localeCompare(String(b)),
      ),
    );
  });

  it.each([
    [
      'a second training row for one instance type',
      () =>
        priceProduct({
          region: 'eu-west-1',
          instanceType: 'ml.m5.xlarge',
          kind: 'Training',
          usd: 0.31,
          effectiveDate: '2026-10-01T00:00:00Z',
          sku: 'DUPLICATEM5XL01',
        }),
      /eu-west-1 ml\.m5\.xlarge has two on-demand training prices: SKU \w+ .* and SKU DUPLICATEM5XL01 /,
    ],
    [
      'an hourly price in another currency',
      () =>
        priceProduct({
          region: 'us-east-1',
          instanceType: 'ml.m5.xlarge',
          kind: 'Training',
          usd: 0,
          pricePerUnit: { CNY: '6.6200000000' },
          effectiveDate: '2026-10-01T00:00:00Z',
          sku: 'CNYPRICEDM5XL01',
        }),
      /PriceList product CNYPRICEDM5XL01 \(ml\.m5\.xlarge\) prices rate CNYPRICEDM5XL01\.JRTCKXETXF\.6YS6EN2CT7 in CNY; allowed: USD/,
    ],
    [
      'a price in a unit that is neither hours nor a training-plan fee',
      () =>
        priceProduct({
          region: 'eu-west-1',
          instanceType: 'ml.c5.2xlarge',
          kind: 'Training',
          usd: 0.12,
          unit: 'GB-Mo',
          effectiveDate: '2026-10-01T00:00:00Z',
          sku: 'STORAGEUNITC52X',
        }),
      /PriceList product STORAGEUNITC52X \(ml\.c5\.2xlarge\) has an on-demand price in unit "GB-Mo" .*; allowed: Hrs \(instance-hours\), or Quantity \(training-plan upfront fee, skipped\)/,
    ],
  ])('sets aside only the instance type of %s, naming its SKUs, and publishes every other price', async (_case, product, reason) => {
    // Prepare
    const odd = product();
    const { regionCode: region, instanceName: instanceType } = odd.product.attributes;
    const out = mkdtempSync(join(tmpdir(), 'prices-odd-'));

    // Act
    const report = await withProduct(odd, () =>
      runPriceSnapshot({ pricing, store: new LocalStore(out), regions: REGIONS, snapshotDate: DATE }),
    );

    // Assess
    const world = running.simulator.world;
    const expected = REGIONS.flatMap((r) => INSTANCE_TYPES.map(([type]) => `${r}|${type}`)).filter(
      (key) => key !== `${region}|${instanceType}`,
    );
    expect(report.prices.map((p) => `${p.region}|${p.instanceType}`).sort()).toEqual(expected.sort());
    expect(report.setAside).toEqual([
      {
        region,
        instanceType,
        skus: [odd.product.sku, world.prices.trainingSku(region, instanceType)!].sort(),
        reason: expect.stringMatching(reason),
      },
    ]);
  });

  it('reads only training usage types of the Training instance family, whatever else a row says', () => {
    // Prepare: rows that pass every other check but price notebooks or another usage.
    const products = [
      { platoinstancetype: 'Notebook', usagetype: 'EU-Train:ml.m5.xlarge', sku: 'NOTEBOOKM5XL001' },
      { platoinstancetype: 'Training', usagetype: 'EU-Train-Storage:gp3', sku: 'STORAGEM5XL0001' },
    ].map(({ platoinstancetype, usagetype, sku }, i) => {
      const document = priceProduct({
        region: 'eu-west-1',
        instanceType: 'ml.m5.xlarge',
        kind: 'Training',
        usd: 9,
        effectiveDate: '2026-10-01T00:00:00Z',
        sku,
      });
      Object.assign(document.product.attributes, { platoinstancetype, usagetype });
      return parsePriceListItem(JSON.stringify(document), `#${i}`);
    });
    const listed = running.simulator.world.prices.products().map((document, i) => parsePriceListItem(JSON.stringify(document), `#${i}`));

    // Act
    const selection = selectTrainingPrices([...listed, ...products], 'eu-west-1');

    // Assess
    expect(selection.setAside).toEqual([]);
    expect(selection.prices.find((p) => p.instanceType === 'ml.m5.xlarge')?.usdPerHour).toBe(
      running.simulator.world.prices.trainingRate('eu-west-1', 'ml.m5.xlarge'),
    );
  });

  it('fails a region whose every training row was set aside, naming it, and publishes nothing', async () => {
    // Prepare: every instance type of eu-west-1 priced twice.
    const out = mkdtempSync(join(tmpdir(), 'prices-none-'));
    const doubles = INSTANCE_TYPES.map(([instanceType], i) =>
      priceProduct({
        region: 'eu-west-1',
        instanceType,
        kind: 'Training',
        usd: 1,
        effectiveDate: '2026-10-01T00:00:00Z',
        sku: `DOUBLEROW${String(i).padStart(6, '0')}`,
      }),
    );
    for (const document of doubles) running.simulator.world.prices.add(document);

    // Act
    const attempt = runPriceSnapshot({ pricing, store: new LocalStore(out), regions: REGIONS, snapshotDate: DATE });

    // Assess
    try {
      await expect(attempt).rejects.toThrow(
        `the Price List API returned no on-demand training price for region eu-west-1 (${running.simulator.world.prices.products().filter((d) => d.product.attributes.regionCode === 'eu-west-1' && d.product.attributes.component === 'Training' && d.product.attributes.platoinstancetype === 'Training').length} products read, ${INSTANCE_TYPES.length} instance types set aside)`,
      );
      expect(readdirSync(out)).toEqual([]);
    } finally {
      for (const document of doubles) running.simulator.world.prices.remove(document.product.sku);
    }
  });

  it('rejects a region with no training prices at all, naming it', async () => {
    // Act
    const attempt = runPriceSnapshot({
      pricing,
      store: new LocalStore(mkdtempSync(join(tmpdir(), 'prices-'))),
      regions: ['us-east-1', 'mars-north-1'],
      snapshotDate: DATE,
    });

    // Assess
    await expect(attempt).rejects.toThrow(
      new PriceListError(
        'the Price List API returned no on-demand training price for region mars-north-1 (0 products read); allowed: a region where SageMaker training is offered',
      ),
    );
  });

  describe('sm-inventory prices', () => {
    const out = mkdtempSync(join(tmpdir(), 'prices-cli-'));
    let good: Awaited<ReturnType<typeof runCli>['done']>;
    let bad: Awaited<ReturnType<typeof runCli>['done']>;

    beforeAll(async () => {
      const env = { AWS_ENDPOINT_URL_PRICING: running.endpoint };
      good = await runCli(['prices', '--regions', REGIONS.join(','), '--out', out, '--date', DATE], env).done;
      bad = await withProduct(
        priceProduct({
          region: 'us-east-1',
          instanceType: 'ml.p3.2xlarge',
          kind: 'Training',
          usd: 9,
          effectiveDate: '2026-10-01T00:00:00Z',
          sku: 'SECONDP32XLROW1',
        }),
        () => runCli(['prices', '--regions', 'us-east-1', '--out', out, '--date', '2026-11-09'], env).done,
      );
    });

    it('writes the snapshot and says what it priced', () => {
      // Assess
      expect([good.code, good.stderr]).toEqual([0, expect.not.stringContaining('error')]);
      expect(good.stdout).toContain(
        `prices ${DATE} → ${out}/sagemaker_instance_price/snapshot_date=${DATE}/prices.parquet: 24 instance types priced (us-east-1 12, eu-west-1 12)`,
      );
    });

    it('warns of an instance type with two rows, naming its SKUs, and writes the other prices', () => {
      // Assess
      expect(bad.code).toBe(0);
      expect(bad.stderr).toMatch(
        /warning: us-east-1 ml\.p3\.2xlarge set aside \(SKUs .*SECONDP32XLROW1.*\); its jobs show no_price: us-east-1 ml\.p3\.2xlarge has two on-demand training prices/,
      );
      expect(bad.stdout).toContain('prices 2026-11-09 → ');
      expect(bad.stdout).toContain(`${INSTANCE_TYPES.length - 1} instance types priced (us-east-1 ${INSTANCE_TYPES.length - 1})`);
    });
  });
});
