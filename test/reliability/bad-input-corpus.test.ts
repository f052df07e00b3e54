import type { Context } from 'aws-lambda';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetStep } from '../../lambda/core/pipeline/target-run';
import { AwsError } from '../../simulator/protocol';
import { createHash } from 'node:crypto';
import { accountRegionObject, snapshotObjectPath } from '../../lambda/core/publish/layout';
import type { WarehouseStore } from '../../lambda/core/publish/store';
import { TRAINING_JOB_SCHEMA } from '../../lambda/core/schema/table-schema';
import { SageMakerSimulator, type BadAnswerKind, type SimulatedOperation } from '../../simulator/server';
import { runCliInProcess } from '../support/cli-in-process';
import { startSimulator, TEST_CREDENTIALS, type RunningSimulator } from '../support/local-simulator';
import { publishedRows, runTargetOnce } from '../support/target-run';

interface CorpusCase {
  readonly id: string;
  readonly kind: 'cli' | 'lambda-env' | 'lambda-event' | 'event' | 'api';
  /** EventBridge events for `apply-events`, one per line; `lines` gives the lines' text as it is. */
  readonly events?: Record<string, unknown>[];
  readonly lines?: string[];
  readonly args?: string[];
  readonly env?: Record<string, string>;
  readonly event?: Record<string, unknown>;
  readonly describe?: { set?: Record<string, unknown>; unset?: string[] };
  readonly summary?: { unset?: string[] };
  readonly pages?: 'duplicate-job-on-next-page' | 'same-token-twice' | 'token-loops-back' | 'endless-new-tokens' | 'shrinks';
  readonly tagging?: 'denied';
  /** The simulator's bad answer (simulator/bad-answers.ts); `victimOnly` limits a Describe kind to the case's job. */
  readonly answers?: { kind: BadAnswerKind; operation: SimulatedOperation; victimOnly?: boolean };
  /** Every Describe answers as for a deleted job. */
  readonly describeAll?: 'not-found';
  /** Jobs in the account. @default 6, or 250 with `pages` */
  readonly jobs?: number;
  readonly expect: {
    exit?: number;
    stderr?: string;
    stdout?: string;
    throws?: string;
    outcome?: 'set-aside' | 'written' | 'all-written-once' | 'warned' | 'target-failed';
    reason?: string;
    column?: string;
    value?: unknown;
    length?: number;
    unknownField?: string;
    warning?: string;
    error?: string;
  };
}

const CORPUS = JSON.parse(readFileSync(join(__dirname, 'bad-input-corpus.json'), 'utf8')) as { cases: CorpusCase[] };
const ACCOUNT = SageMakerSimulator.defaultAccountId;
const REGION = 'us-east-1';
/** A stack trace line: what a user must never be shown. */
const STACK_FRAME = /\n\s+at \S/;

/** Expands `{ "$repeat": "x", "times": n }`, which keeps 10 MiB values out of the fixture file. */
function expand(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const spec = value as { $repeat?: string; times?: number };
    if (typeof spec.$repeat === 'string') return spec.$repeat.repeat(spec.times ?? 1);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v)]));
  }
  return value;
}

function lambdaContext(): Context {
  return { functionName: 'inventory', awsRequestId: 'corpus', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
}

function loadHandler(env: Record<string, string>): typeof import('../../lambda/functions/snapshot/handler') {
  Object.assign(process.env, env);
  let loaded: typeof import('../../lambda/functions/snapshot/handler') | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module per case is its cold start
    loaded = require('../../lambda/functions/snapshot/handler');
  });
  return loaded!;
}

describe('the bad-input corpus (test/reliability/bad-input-corpus.json)', () => {
  let running: RunningSimulator;
  let busy: Server;
  const placeholders: Record<string, string> = {};
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    running = await startSimulator({ jobsPerRegion: 5 });
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    placeholders.$BUSY_PORT = String((busy.address() as { port: number }).port);
    const foreign = mkdtempSync(join(tmpdir(), 'foreign-'));
    writeFileSync(join(foreign, 'notes.txt'), "not the demo's");
    placeholders.$FOREIGN_FOLDER = foreign;
  });
  afterAll(async () => {
    process.env = savedEnv;
    await running.stop();
    await new Promise((resolve) => busy.close(resolve));
  });

  const baseEnv = () => ({
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: '',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL: running.endpoint,
    SM_INVENTORY_OUTPUT: mkdtempSync(join(tmpdir(), 'corpus-')),
    SM_INVENTORY_TIME_BUDGET: '20',
  });

  it('has at least 40 cases, each with a unique id and an expected outcome', () => {
    // Act
    const ids = CORPUS.cases.map((c) => c.id);

    // Assess
    expect(ids.length).toBeGreaterThanOrEqual(40);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of CORPUS.cases) expect(Object.keys(entry.expect).length).toBeGreaterThan(0);
  });

  it.each(CORPUS.cases.filter((c) => c.kind === 'cli').map((c) => [c.id, c] as const))(
    '%s: exits with a clear message, never a stack trace',
    async (_id, entry) => {
      // Prepare
      const args = entry.args!.map((arg) => placeholders[arg] ?? arg);

      // Act
      const started = Date.now();
      const { code, stderr } = await runCliInProcess(args, { ...baseEnv(), ...entry.env });

      // Assess
      expect({ code, stderr }).toEqual({ code: entry.expect.exit, stderr: expect.stringMatching(new RegExp(entry.expect.stderr!)) });
      expect(stderr).not.toMatch(STACK_FRAME);
      expect(Date.now() - started).toBeLessThan(20_000);
    },
  );

  it.each(CORPUS.cases.filter((c) => c.kind === 'lambda-env').map((c) => [c.id, c] as const))(
    '%s: the function refuses to start, naming the setting',
    (_id, entry) => {
      // Prepare
      const env = { ...baseEnv(), ...entry.env };

      // Act
      const attempt = () => loadHandler(env);

      // Assess
      expect(attempt).toThrow(new RegExp(entry.expect.throws!));
      process.env = { ...savedEnv };
    },
  );

  it.each(CORPUS.cases.filter((c) => c.kind === 'lambda-event').map((c) => [c.id, c] as const))(
    '%s: the invocation fails before any API call, naming the value',
    async (_id, entry) => {
      // Prepare
      const { handler } = loadHandler({ ...baseEnv(), SM_INVENTORY_FIRST_SNAPSHOT_DATE: '2024-01-01' });
      running.simulator.resetStats();

      // Act
      const attempt = handler(entry.event as never, lambdaContext());

      // Assess
      await expect(attempt).rejects.toThrow(new RegExp(entry.expect.throws!));
      expect(Object.values(running.simulator.stats()).reduce((sum, op) => sum + op.accepted, 0)).toBe(0);
      process.env = { ...savedEnv };
    },
  );

  it.each(CORPUS.cases.filter((c) => c.kind === 'event').map((c) => [c.id, c] as const))(
    '%s: apply-events names the event and its reason, and shows no secret it holds',
    async (_id, entry) => {
      // Prepare
      const file = join(mkdtempSync(join(tmpdir(), 'events-')), 'events.jsonl');
      writeFileSync(file, `${(entry.lines ?? entry.events!.map((event) => JSON.stringify(event))).join('\n')}\n`);

      // Act
      const { code, stdout, stderr } = await runCliInProcess(['apply-events', file], baseEnv());

      // Assess
      expect({ code, stdout }).toEqual({ code: entry.expect.exit, stdout: expect.stringMatching(new RegExp(entry.expect.stdout!)) });
      expect(`${stdout}${stderr}`).not.toMatch(/SECRETSECRET|\n\s+at \S/);
    },
  );

  describe('API data', () => {
    let api: RunningSimulator;
    afterEach(async () => api?.stop());

    /**
     * A fresh account for the case: 6 jobs (or 250, for paging cases), with the case's faults in what
     * the API returns once `faulty()` is called (a case that fails its target first publishes a clean day).
     */
    async function accountFor(entry: CorpusCase): Promise<{ victim: { name: string; arn: string }; faulty: () => void }> {
      api = await startSimulator({ jobsPerRegion: entry.jobs ?? (entry.pages ? 250 : 6), seed: 41 });
      const victim = api.simulator.world.plans(ACCOUNT, REGION)[2];
      const tokens: string[] = [];
      let on = false;
      api.simulator.rewriteAnswers((operation, input, output) => {
        if (!on) return output;
        if (operation === 'DescribeTrainingJob' && input.TrainingJobName === victim.name && entry.describe) {
          const job: Record<string, unknown> = { ...(output as object), ...(expand(entry.describe.set ?? {}) as object) };
          for (const field of entry.describe.unset ?? []) delete job[field];
          return job;
        }
        if (operation !== 'ListTrainingJobs') return output;
        const page = output as { TrainingJobSummaries: Record<string, unknown>[]; NextToken?: string };
        if (entry.summary) {
          page.TrainingJobSummaries = page.TrainingJobSummaries.map((s) => {
            if (s.TrainingJobName !== victim.name) return s;
            const copy = { ...s };
            for (const field of entry.summary!.unset ?? []) delete copy[field];
            return copy;
          });
        }
        const pageIndex = input.NextToken === undefined ? 0 : tokens.indexOf(String(input.NextToken)) + 1;
        if (page.NextToken) tokens.push(page.NextToken);
        if (entry.pages === 'duplicate-job-on-next-page' && pageIndex === 1)
          page.TrainingJobSummaries = [
            ...page.TrainingJobSummaries,
            ...api.simulator.world
              .plans(ACCOUNT, REGION)
              .slice(0, 1)
              .map((p) => ({
                TrainingJobName: p.name,
                TrainingJobArn: p.arn,
                CreationTime: new Date(p.createdAt),
                TrainingJobStatus: 'Completed',
              })),
          ];
        if (entry.pages === 'same-token-twice' && pageIndex === 1) page.NextToken = String(input.NextToken);
        if (entry.pages === 'shrinks') page.TrainingJobSummaries = page.TrainingJobSummaries.slice(0, 2);
        if (entry.pages === 'token-loops-back' && pageIndex === 2) page.NextToken = tokens[0];
        if (entry.pages === 'endless-new-tokens' && pageIndex >= 1) {
          // A token the simulator still reads as "after the same job", so the same page comes back, under a new name each time.
          const after = (JSON.parse(Buffer.from(String(input.NextToken), 'base64').toString('utf8')) as { k: string }).k;
          page.NextToken = Buffer.from(JSON.stringify({ k: after, n: tokens.length })).toString('base64');
          tokens.push(page.NextToken);
        }
        return page;
      });
      api.simulator.onCall((operation) => {
        if (on && entry.tagging === 'denied' && operation === 'GetResources')
          throw new AwsError(400, 'AccessDeniedException', 'User is not authorized to perform: tag:GetResources');
        if (on && entry.describeAll === 'not-found' && operation === 'DescribeTrainingJob')
          throw new AwsError(400, 'ResourceNotFound', 'Requested resource not found.');
      });
      const faulty = () => {
        on = true;
        const answers = entry.answers;
        if (answers) api.simulator.answerBadly({ ...answers, jobs: answers.victimOnly ? [victim.name] : undefined });
      };
      return { victim, faulty };
    }

    /** SHA-256 of the published object of one date, or undefined when there is none. */
    async function objectHash(store: WarehouseStore, snapshotDate: string): Promise<string | undefined> {
      const bytes = await store.get(snapshotObjectPath(accountRegionObject(TRAINING_JOB_SCHEMA, snapshotDate, REGION, ACCOUNT)));
      return bytes && createHash('sha256').update(bytes).digest('hex');
    }

    it.each(CORPUS.cases.filter((c) => c.kind === 'api').map((c) => [c.id, c] as const))(
      '%s: has its defined outcome',
      async (_id, entry) => {
        // Prepare: a case that fails its target has a clean snapshot the day before, which must stay as it was
        const { victim, faulty } = await accountFor(entry);
        const warnings: string[] = [];
        const failsTarget = entry.expect.outcome === 'target-failed';
        const dayBefore = failsTarget
          ? await runTargetOnce({ clients: api.clients(REGION), accountId: ACCOUNT, region: REGION, snapshotDate: '2026-10-31' })
          : undefined;
        const hashBefore = dayBefore && (await objectHash(dayBefore.store, '2026-10-31'));
        faulty();

        // Act
        const { step, store } = await runTargetOnce({
          clients: api.clients(REGION),
          accountId: ACCOUNT,
          region: REGION,
          store: dayBefore?.store,
          full: failsTarget,
          budgetMs: 20_000,
          events: { warning: (message) => warnings.push(message) },
        });

        // Assess
        const total = api.simulator.world.plans(ACCOUNT, REGION).length;
        const result = (step as Extract<TargetStep, { status: 'published' | 'failed' }>).result;
        expect(result?.error ?? '').not.toMatch(STACK_FRAME);
        switch (entry.expect.outcome) {
          case 'set-aside':
            expect(step.status).toBe('published');
            expect(result).toMatchObject({ status: 'incomplete', jobsWritten: total - 1 });
            expect(result.setAside).toEqual([expect.objectContaining({ reason: expect.stringMatching(new RegExp(entry.expect.reason!)) })]);
            break;
          case 'written': {
            expect(result).toMatchObject({ status: 'succeeded', jobsWritten: total });
            const row = (await publishedRows(store, ACCOUNT, REGION)).find((r) => r.training_job_name === victim.name)!;
            if (entry.expect.column && entry.expect.value !== undefined) {
              const cell = row[entry.expect.column];
              expect(cell instanceof Map ? Object.fromEntries(cell) : cell).toEqual(entry.expect.value);
            }
            if (entry.expect.length !== undefined) expect(String(row[entry.expect.column!]).length).toBe(entry.expect.length);
            if (entry.expect.unknownField) expect(result.unknownFields).toHaveProperty([entry.expect.unknownField]);
            break;
          }
          case 'all-written-once': {
            expect(result).toMatchObject({ status: 'succeeded', jobsWritten: total });
            const keys = (await publishedRows(store, ACCOUNT, REGION)).map((r) => r._key);
            expect(new Set(keys).size).toBe(total);
            break;
          }
          case 'warned':
            expect(step.status).toBe('published');
            expect(warnings).toContain(entry.expect.warning);
            break;
          case 'target-failed':
            expect(step.status).toBe('failed');
            expect(result.error).toMatch(new RegExp(entry.expect.error!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
            expect(dayBefore!.step.status).toBe('published');
            expect(await objectHash(store, '2026-11-01')).toBeUndefined();
            expect(await objectHash(store, '2026-10-31')).toBe(hashBefore);
            break;
          default:
            throw new Error(`case ${entry.id} has no API outcome`);
        }
      },
    );
  });
});
