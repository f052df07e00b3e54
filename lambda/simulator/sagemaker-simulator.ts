import type { DescribeTrainingJobResponse, TrainingJobSummary } from '@aws-sdk/client-sagemaker';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseOperationRates, TokenBucket } from '../collect/token-bucket';
import type { TrainingJobPlan } from './job-generator';
import { SeededRandom } from './random';
import { SimulatedWorld, type SimulatedWorldOptions } from './simulated-world';

/** Operations the simulator serves, named as the SDK names its commands' targets. */
export const SIMULATED_OPERATIONS = [
  'ListTrainingJobs',
  'DescribeTrainingJob',
  'ListTags',
  'Search',
  'GetResources',
  'GetCallerIdentity',
  'AssumeRole',
] as const;
export type SimulatedOperation = (typeof SIMULATED_OPERATIONS)[number];

/** Calls per second per (account, region); an operation without a limit is never throttled. */
export type RateLimits = Partial<Record<SimulatedOperation, number>>;

export interface FaultRates {
  /** Fraction of calls answered 500 InternalFailure. */
  readonly internalError?: number;
  /** Fraction answered 503 ServiceUnavailable. */
  readonly unavailable?: number;
  /** Fraction whose connection is reset before any answer. */
  readonly connectionReset?: number;
  /** Fraction answered only after `slowResponseMs`. */
  readonly slowResponse?: number;
  readonly slowResponseMs?: number;
  /** Fraction throttled regardless of the rate limit: a throttling storm. */
  readonly throttle?: number;
  /** Limit the faults to requests signed for these regions. @default every region */
  readonly onlyRegions?: readonly string[];
}

export interface SageMakerSimulatorOptions extends Partial<SimulatedWorldOptions> {
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  readonly limits?: RateLimits;
  /** Added to every answer, in ms: [min, max]. @default [0, 0] */
  readonly latencyMs?: readonly [number, number];
  readonly faults?: FaultRates;
  /** Access keys answered 403 UnrecognizedClientException, as AWS answers revoked or unknown keys. */
  readonly rejectedAccessKeys?: readonly string[];
}

export interface OperationCounters {
  /** Calls answered with data. */
  accepted: number;
  throttled: number;
  faulted: number;
  /** Calls rejected for their content (unknown job, bad parameter, bad credentials). */
  rejected: number;
}

/** Limits from "ListTrainingJobs=2,DescribeTrainingJob=10" (the CLI's --limits). */
export function parseRateLimits(text: string): RateLimits {
  return parseOperationRates(
    text,
    SIMULATED_OPERATIONS,
    (part) => new RangeError(`limit ${JSON.stringify(part)} is not allowed; allowed: <operation>=<calls per second> with operation one of ${SIMULATED_OPERATIONS.join(', ')}`),
  );
}

/** The limits the collector's acceptance benchmark is specified against. */
export const REFERENCE_LIMITS: RateLimits = { ListTrainingJobs: 2, DescribeTrainingJob: 10, ListTags: 10, Search: 1, GetResources: 5 };

const DEFAULT_ACCOUNT = '123456789012';
const ASSUMED_KEY_PREFIX = 'ASIASIM';

class AwsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface RequestContext {
  readonly accountId: string;
  readonly region: string;
}

/**
 * A local SageMaker: speaks AWS JSON 1.1 (`X-Amz-Target: SageMaker.*` and the Tagging API) and STS's
 * query protocol over HTTP, so the unmodified SDK v3 reaches it through `AWS_ENDPOINT_URL`. The
 * account is taken from the signing access key (keys from its AssumeRole name the role's account),
 * the region from the signature's credential scope.
 */
export class SageMakerSimulator {
  readonly world: SimulatedWorld;
  private server: Server | undefined;
  private readonly limits: RateLimits;
  private readonly buckets = new Map<string, TokenBucket>();
  private faults: FaultRates;
  private latencyMs: readonly [number, number];
  private readonly random = new SeededRandom(4242);
  private readonly rejectedAccessKeys: Set<string>;
  private readonly counters = new Map<SimulatedOperation, OperationCounters>();
  /** Accepted-call times (ms) per operation, for checking that no client beat the limit. */
  private readonly acceptedAt = new Map<SimulatedOperation, number[]>();
  private readonly sockets = new Set<import('node:net').Socket>();
  private readonly beforeAnswer: ((operation: SimulatedOperation, input: Record<string, unknown>) => void)[] = [];

  constructor(private readonly options: SageMakerSimulatorOptions = {}) {
    this.world = new SimulatedWorld({
      accounts: options.accounts ?? [DEFAULT_ACCOUNT],
      regions: options.regions ?? ['us-east-1'],
      jobsPerRegion: options.jobsPerRegion ?? 100,
      seed: options.seed,
      now: options.now,
      historyDays: options.historyDays,
    });
    this.limits = options.limits ?? {};
    this.faults = options.faults ?? {};
    this.latencyMs = options.latencyMs ?? [0, 0];
    this.rejectedAccessKeys = new Set(options.rejectedAccessKeys ?? []);
    for (const operation of SIMULATED_OPERATIONS) {
      this.counters.set(operation, { accepted: 0, throttled: 0, faulted: 0, rejected: 0 });
      this.acceptedAt.set(operation, []);
    }
  }

  static readonly defaultAccountId = DEFAULT_ACCOUNT;

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      // A bug here (or in a test's hook) answers 500 like AWS would, instead of crashing the process.
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.sendJsonError(res, new AwsError(500, 'InternalFailure', `simulator error: ${(error as Error).message}`));
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 5000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.endpoint;
  }

  get endpoint(): string {
    if (!this.server) throw new Error('simulator not started');
    const address = this.server.address() as AddressInfo;
    return `http://${address.address}:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setFaults(faults: FaultRates): void {
    this.faults = faults;
  }

  setLatency(latencyMs: readonly [number, number]): void {
    this.latencyMs = latencyMs;
  }

  /** Runs before each answered call, e.g. to delete a job mid-run in a test. */
  onCall(hook: (operation: SimulatedOperation, input: Record<string, unknown>) => void): void {
    this.beforeAnswer.push(hook);
  }

  stats(): Record<SimulatedOperation, OperationCounters> {
    return Object.fromEntries([...this.counters].map(([op, c]) => [op, { ...c }])) as Record<SimulatedOperation, OperationCounters>;
  }

  /** The most calls accepted for `operation` within any sliding window of `windowMs`. */
  peakAccepted(operation: SimulatedOperation, windowMs = 1000): number {
    const times = this.acceptedAt.get(operation)!;
    let peak = 0;
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end] - times[start] >= windowMs) start++;
      peak = Math.max(peak, end - start + 1);
    }
    return peak;
  }

  resetStats(): void {
    for (const operation of SIMULATED_OPERATIONS) {
      this.counters.set(operation, { accepted: 0, throttled: 0, faulted: 0, rejected: 0 });
      this.acceptedAt.set(operation, []);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');

    if (req.url?.startsWith('/_simulator/')) return this.handleControl(req, res, body);

    const target = String(req.headers['x-amz-target'] ?? '');
    const isJson = target !== '';
    let operation: SimulatedOperation | undefined;
    let input: Record<string, unknown>;
    if (isJson) {
      operation = target.split('.').pop() as SimulatedOperation;
      try {
        input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      } catch {
        return this.sendJsonError(res, new AwsError(400, 'SerializationException', 'Request body is not valid JSON'));
      }
    } else {
      const form = new URLSearchParams(body);
      operation = (form.get('Action') ?? '') as SimulatedOperation;
      input = Object.fromEntries(form);
    }
    if (!(SIMULATED_OPERATIONS as readonly string[]).includes(operation)) {
      const error = new AwsError(400, 'UnknownOperationException', `The simulator does not implement ${target || operation || 'this request'}`);
      return isJson ? this.sendJsonError(res, error) : this.sendXmlError(res, error);
    }
    const counters = this.counters.get(operation)!;

    const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ''));
    const accessKeyId = credential?.[1] ?? '';
    const region = credential?.[2] ?? 'us-east-1';
    try {
      if (!credential || this.rejectedAccessKeys.has(accessKeyId)) {
        throw new AwsError(403, isJson ? 'UnrecognizedClientException' : 'InvalidClientTokenId', 'The security token included in the request is invalid.');
      }
      const context: RequestContext = { accountId: accountForKey(accessKeyId), region };

      await this.delay(this.randomBetween(this.latencyMs));
      const fault = !this.faults.onlyRegions || this.faults.onlyRegions.includes(region) ? this.drawFault() : undefined;
      if (fault === 'reset') {
        counters.faulted++;
        req.socket.destroy();
        return;
      }
      if (fault === 'slow') await this.delay(this.faults.slowResponseMs ?? 2000);
      if (fault === 'internal') throw new AwsError(500, 'InternalFailure', 'We encountered an internal error. Please try again.');
      if (fault === 'unavailable') throw new AwsError(503, 'ServiceUnavailable', 'Service is unavailable. Please try again.');
      if (fault === 'throttle' || !this.takeToken(context, operation)) {
        counters.throttled++;
        throw throttlingError(operation);
      }

      for (const hook of this.beforeAnswer) hook(operation, input);
      const output = this.answer(operation, input, context);
      counters.accepted++;
      this.acceptedAt.get(operation)!.push(performance.now());
      if (isJson) {
        this.send(res, 200, 'application/x-amz-json-1.1', JSON.stringify(output, (_key, value) => value));
      } else {
        this.send(res, 200, 'text/xml', output as unknown as string);
      }
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      if (error.status >= 500) counters.faulted++;
      else if (error.code !== throttlingError(operation).code) counters.rejected++;
      if (isJson) this.sendJsonError(res, error);
      else this.sendXmlError(res, error);
    }
  }

  private handleControl(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (req.url === '/_simulator/stats') return this.send(res, 200, 'application/json', JSON.stringify({ now: this.world.now(), operations: this.stats() }));
    if (req.url === '/_simulator/advance' && req.method === 'POST') {
      const { days } = JSON.parse(body || '{}') as { days?: number };
      const report = this.world.advance((days ?? 1) * 86_400_000);
      return this.send(res, 200, 'application/json', JSON.stringify({ now: this.world.now(), ...report }));
    }
    this.send(res, 404, 'application/json', JSON.stringify({ message: `unknown control path ${req.url}` }));
  }

  private drawFault(): 'reset' | 'slow' | 'internal' | 'unavailable' | 'throttle' | undefined {
    const f = this.faults;
    const roll = this.random.next();
    let edge = 0;
    for (const [kind, rate] of [
      ['reset', f.connectionReset],
      ['internal', f.internalError],
      ['unavailable', f.unavailable],
      ['throttle', f.throttle],
      ['slow', f.slowResponse],
    ] as const) {
      edge += rate ?? 0;
      if (roll < edge) return kind;
    }
    return undefined;
  }

  private takeToken(context: RequestContext, operation: SimulatedOperation): boolean {
    const rate = this.limits[operation];
    if (!rate) return true;
    const key = `${context.accountId}/${context.region}/${operation}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rate, Math.max(1, rate));
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }

  private answer(operation: SimulatedOperation, input: Record<string, unknown>, context: RequestContext): unknown {
    switch (operation) {
      case 'ListTrainingJobs':
        return this.listTrainingJobs(input, context);
      case 'DescribeTrainingJob':
        return this.describeTrainingJob(input, context);
      case 'ListTags':
        return this.listTags(input, context);
      case 'Search':
        return this.search(input, context);
      case 'GetResources':
        return this.getResources(input, context);
      case 'GetCallerIdentity':
        return stsXml(
          'GetCallerIdentity',
          `<Arn>arn:aws:iam::${context.accountId}:user/simulated</Arn><UserId>AIDASIMULATED${context.accountId}</UserId><Account>${context.accountId}</Account>`,
        );
      case 'AssumeRole':
        return this.assumeRole(input);
    }
  }

  private listTrainingJobs(input: Record<string, unknown>, { accountId, region }: RequestContext): unknown {
    const maxResults = pageSize(input.MaxResults, 10, 100);
    const sortBy = String(input.SortBy ?? 'CreationTime');
    const descending = (input.SortOrder ?? 'Descending') === 'Descending';
    if (!['Name', 'CreationTime', 'Status'].includes(sortBy)) throw validation(`SortBy ${sortBy} is not one of Name, CreationTime, Status`);
    const jobs = this.world
      .plans(accountId, region)
      .map((plan) => this.world.describe(plan))
      .filter((job) => matchesListFilters(job, input));
    const sortKey = (job: DescribeTrainingJobResponse): string =>
      sortBy === 'Name' ? job.TrainingJobName! : sortBy === 'Status' ? `${job.TrainingJobStatus}` : String(job.CreationTime!.getTime()).padStart(15, '0');
    const { page, nextToken } = keysetPage(
      jobs.map((job) => ({ key: `${sortKey(job)}\u0000${job.TrainingJobArn}`, job })),
      input.NextToken,
      maxResults,
      descending,
    );
    return {
      TrainingJobSummaries: page.map(({ job }) =>
        toWire<TrainingJobSummary>({
          TrainingJobName: job.TrainingJobName,
          TrainingJobArn: job.TrainingJobArn,
          CreationTime: job.CreationTime,
          TrainingEndTime: job.TrainingEndTime,
          LastModifiedTime: job.LastModifiedTime,
          TrainingJobStatus: job.TrainingJobStatus,
          SecondaryStatus: job.SecondaryStatus,
          WarmPoolStatus: job.WarmPoolStatus,
        }),
      ),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  private describeTrainingJob(input: Record<string, unknown>, { accountId, region }: RequestContext): unknown {
    const plan = this.world.findByName(accountId, region, String(input.TrainingJobName ?? ''));
    if (!plan) throw new AwsError(400, 'ResourceNotFound', 'Requested resource not found.');
    return toWire(this.world.describe(plan));
  }

  private listTags(input: Record<string, unknown>, { accountId, region }: RequestContext): unknown {
    const plan = this.world.findByArn(accountId, region, String(input.ResourceArn ?? ''));
    if (!plan) throw validation(`Resource ${String(input.ResourceArn)} does not exist.`);
    const tags = Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value }));
    const maxResults = pageSize(input.MaxResults, 50, 100);
    const start = Number(decodeToken(input.NextToken) ?? 0);
    const page = tags.slice(start, start + maxResults);
    return { Tags: page, ...(start + maxResults < tags.length ? { NextToken: encodeToken(String(start + maxResults)) } : {}) };
  }

  private search(input: Record<string, unknown>, { accountId, region }: RequestContext): unknown {
    if (input.Resource !== 'TrainingJob') throw validation(`The simulator searches Resource=TrainingJob only; received ${String(input.Resource)}`);
    const maxResults = pageSize(input.MaxResults, 10, 100);
    const filters = ((input.SearchExpression as { Filters?: SearchFilter[] } | undefined)?.Filters ?? []) as SearchFilter[];
    const sortBy = String(input.SortBy ?? 'CreationTime');
    const descending = (input.SortOrder ?? 'Descending') === 'Descending';
    const entries = this.world
      .plans(accountId, region)
      .map((plan) => ({ plan, job: this.world.describe(plan) }))
      .filter(({ job }) => filters.every((filter) => matchesSearchFilter(job, filter)));
    const keyOf = ({ job }: { job: DescribeTrainingJobResponse }): string => {
      const value = (job as unknown as Record<string, unknown>)[sortBy];
      const sortable = value instanceof Date ? String(value.getTime()).padStart(15, '0') : String(value ?? '');
      return `${sortable}\u0000${job.TrainingJobArn}`;
    };
    const { page, nextToken } = keysetPage(
      entries.map((entry) => ({ key: keyOf(entry), ...entry })),
      input.NextToken,
      maxResults,
      descending,
    );
    return {
      Results: page.map(({ plan, job }) => ({ TrainingJob: toWire(searchRecord(job, plan)) })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  }

  private getResources(input: Record<string, unknown>, { accountId, region }: RequestContext): unknown {
    const types = (input.ResourceTypeFilters as string[] | undefined) ?? [];
    if (types.length > 0 && !types.includes('sagemaker:training-job')) {
      return { ResourceTagMappingList: [], PaginationToken: '' };
    }
    const perPage = pageSize(input.ResourcesPerPage, 50, 100);
    // The Tagging API returns only resources that have at least one tag.
    const tagged = this.world.plans(accountId, region).filter((plan) => Object.keys(plan.tags).length > 0);
    const start = Number(decodeToken(input.PaginationToken) ?? 0);
    const page = tagged.slice(start, start + perPage);
    return {
      ResourceTagMappingList: page.map((plan) => ({ ResourceARN: plan.arn, Tags: Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value })) })),
      PaginationToken: start + perPage < tagged.length ? encodeToken(String(start + perPage)) : '',
    };
  }

  private assumeRole(input: Record<string, unknown>): string {
    const roleArn = String(input.RoleArn ?? '');
    const match = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
    if (!match) throw new AwsError(400, 'ValidationError', `RoleArn ${roleArn} is not a valid role ARN`);
    const [, account, roleName] = match;
    const session = String(input.RoleSessionName ?? 'session');
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    return stsXml(
      'AssumeRole',
      `<Credentials><AccessKeyId>${ASSUMED_KEY_PREFIX}${account}</AccessKeyId><SecretAccessKey>simulated-secret</SecretAccessKey>` +
        `<SessionToken>simulated-session-token</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROASIMULATED:${session}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${session}</Arn></AssumedRoleUser>`,
    );
  }

  private randomBetween([min, max]: readonly [number, number]): number {
    return max <= min ? min : min + this.random.next() * (max - min);
  }

  private async delay(ms: number): Promise<void> {
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private send(res: ServerResponse, status: number, contentType: string, body: string): void {
    res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private sendJsonError(res: ServerResponse, error: AwsError): void {
    res.setHeader('x-amzn-errortype', error.code);
    this.send(res, error.status, 'application/x-amz-json-1.1', JSON.stringify({ __type: error.code, message: error.message }));
  }

  private sendXmlError(res: ServerResponse, error: AwsError): void {
    this.send(
      res,
      error.status,
      'text/xml',
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  }
}

interface SearchFilter {
  Name: string;
  Operator?: string;
  Value?: string;
}

function accountForKey(accessKeyId: string): string {
  return accessKeyId.startsWith(ASSUMED_KEY_PREFIX) ? accessKeyId.slice(ASSUMED_KEY_PREFIX.length) : DEFAULT_ACCOUNT;
}

function throttlingError(operation: SimulatedOperation): AwsError {
  // Each API family names throttling its own way; the SDK recognises all three as throttling.
  if (operation === 'GetResources') return new AwsError(400, 'ThrottledException', 'Rate exceeded');
  if (operation === 'GetCallerIdentity' || operation === 'AssumeRole') return new AwsError(400, 'Throttling', 'Rate exceeded');
  return new AwsError(400, 'ThrottlingException', 'Rate exceeded');
}

function validation(message: string): AwsError {
  return new AwsError(400, 'ValidationException', message);
}

function pageSize(value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1 || size > max) throw validation(`page size ${String(value)} must be between 1 and ${max}`);
  return size;
}

/**
 * One page of items sorted by `key`, continuing after the key the token names. Keyset paging (not
 * offsets) keeps a page boundary stable when jobs are deleted between calls, as AWS's tokens do.
 */
function keysetPage<T extends { key: string }>(items: T[], token: unknown, size: number, descending: boolean): { page: T[]; nextToken?: string } {
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) * (descending ? -1 : 1));
  const after = decodeToken(token);
  const start = after === undefined ? 0 : items.findIndex((item) => (descending ? item.key < after : item.key > after));
  const page = start < 0 ? [] : items.slice(start, start + size);
  const more = start >= 0 && start + size < items.length;
  return { page, nextToken: more ? encodeToken(page[page.length - 1].key) : undefined };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ k: key }), 'utf8').toString('base64');
}

function decodeToken(token: unknown): string | undefined {
  if (token === undefined || token === null || token === '') return undefined;
  try {
    return (JSON.parse(Buffer.from(String(token), 'base64').toString('utf8')) as { k: string }).k;
  } catch {
    throw validation('The NextToken is invalid.');
  }
}

function epochSeconds(value: unknown): number | undefined {
  return typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : undefined;
}

function matchesListFilters(job: DescribeTrainingJobResponse, input: Record<string, unknown>): boolean {
  const created = job.CreationTime!.getTime();
  const modified = job.LastModifiedTime?.getTime() ?? created;
  const bounds: [number | undefined, number, 'after' | 'before'][] = [
    [epochSeconds(input.CreationTimeAfter), created, 'after'],
    [epochSeconds(input.CreationTimeBefore), created, 'before'],
    [epochSeconds(input.LastModifiedTimeAfter), modified, 'after'],
    [epochSeconds(input.LastModifiedTimeBefore), modified, 'before'],
  ];
  for (const [bound, value, side] of bounds) {
    if (bound !== undefined && (side === 'after' ? !(value > bound) : !(value < bound))) return false;
  }
  if (input.StatusEquals && job.TrainingJobStatus !== input.StatusEquals) return false;
  if (input.NameContains && !job.TrainingJobName!.includes(String(input.NameContains))) return false;
  return true;
}

function matchesSearchFilter(job: DescribeTrainingJobResponse, filter: SearchFilter): boolean {
  const raw = (job as unknown as Record<string, unknown>)[filter.Name];
  const operator = filter.Operator ?? 'Equals';
  const value = filter.Value ?? '';
  if (raw instanceof Date || ['CreationTime', 'LastModifiedTime', 'TrainingStartTime', 'TrainingEndTime'].includes(filter.Name)) {
    const left = raw instanceof Date ? raw.getTime() : Number.NaN;
    const right = Number.isNaN(Number(value)) ? Date.parse(value) : Number(value) * 1000;
    return compare(left, right, operator);
  }
  const left = String(raw ?? '');
  if (operator === 'Contains') return left.includes(value);
  return compare(left, value, operator);
}

function compare<T extends number | string>(left: T, right: T, operator: string): boolean {
  switch (operator) {
    case 'Equals':
      return left === right;
    case 'NotEquals':
      return left !== right;
    case 'GreaterThan':
      return left > right;
    case 'GreaterThanOrEqualTo':
      return left >= right;
    case 'LessThan':
      return left < right;
    case 'LessThanOrEqualTo':
      return left <= right;
    default:
      throw validation(`Operator ${operator} is not supported by the simulator`);
  }
}

/** Search's TrainingJob record: Describe's fields minus the five it lacks, plus Tags. */
function searchRecord(job: DescribeTrainingJobResponse, plan: TrainingJobPlan): Record<string, unknown> {
  const record: Record<string, unknown> = { ...job, Tags: Object.entries(plan.tags).map(([Key, Value]) => ({ Key, Value })) };
  for (const missing of ['InfraCheckConfig', 'ProfilerRuleConfigurations', 'ProfilerRuleEvaluationStatuses', 'ProfilingStatus', 'RemoteDebugConfig']) {
    delete record[missing];
  }
  return record;
}

/** AWS JSON 1.1 sends timestamps as epoch seconds (fractions for milliseconds) and omits absent members. */
function toWire<T>(value: T): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined && key !== '$metadata') out[key] = toWire(member);
    return out;
  }
  return value;
}

function stsXml(action: string, result: string): string {
  return (
    `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
