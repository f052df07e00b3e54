import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseOperationRates, TokenBucket } from '../lambda/core/collect/token-bucket';
import { isSimulatedOperation, OPERATIONS, SIMULATED_OPERATIONS, type SimulatedOperation } from './operations';
import { BadAnswerer, type BadAnswers } from './bad-answers';
import type { CallContext } from './operations/operation';
import { accountForKey, DEFAULT_ACCOUNT } from './operations/sts';
import { answerOf, AwsError, parseRequest, protocolOf, sendAnswer, sendError, sendJson, type Protocol } from './protocol';
import { SeededRandom } from './world/random';
import { SimulatedWorld, type SimulatedWorldOptions } from './world/simulated-world';
import type { StateChangeEvent } from './world/state-change-events';

export { BAD_ANSWER_KINDS, type BadAnswerKind, type BadAnswers } from './bad-answers';
export { SIMULATED_OPERATIONS, type SimulatedOperation } from './operations';

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
  /** Fraction answered with the headers at once and then the body one byte every `trickleIntervalMs`. */
  readonly trickle?: number;
  /** @default 500 */
  readonly trickleIntervalMs?: number;
  /** Limit the faults to requests signed for these regions. @default every region */
  readonly onlyRegions?: readonly string[];
  /** Limit the faults to these operations. @default every operation */
  readonly onlyOperations?: readonly SimulatedOperation[];
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
  /**
   * Receives the EventBridge state-change events of each `/_simulator/advance` (the world records them
   * from the start when this is set). @default events are not recorded
   */
  readonly onStateChangeEvents?: (events: readonly StateChangeEvent[]) => void;
}

export interface OperationCounters {
  /** Calls answered with data. */
  accepted: number;
  throttled: number;
  faulted: number;
  /** Calls rejected for their content (unknown job, bad parameter, bad credentials). */
  rejected: number;
  /** Trickled answers the client stopped reading before their last byte (trickle fault). */
  cutOff: number;
}

/** Limits from "ListTrainingJobs=2,DescribeTrainingJob=10" (the CLI's --limits). */
export function parseRateLimits(text: string): RateLimits {
  return parseOperationRates(
    text,
    SIMULATED_OPERATIONS,
    (part) =>
      new RangeError(
        `limit ${JSON.stringify(part)} is not allowed; allowed: <operation>=<calls per second> with operation one of ${SIMULATED_OPERATIONS.join(', ')}`,
      ),
  );
}

/** The limits the collector's acceptance benchmark is specified against. */
export const REFERENCE_LIMITS: RateLimits = { ListTrainingJobs: 2, DescribeTrainingJob: 10, ListTags: 10, GetResources: 5 };

type Fault = 'reset' | 'slow' | 'internal' | 'unavailable' | 'throttle' | 'trickle';

/**
 * A local SageMaker over HTTP: the operations in `operations/`, spoken in their real wire protocols
 * (`protocol.ts`), so the unmodified SDK v3 reaches it through `AWS_ENDPOINT_URL`. This class adds
 * what a real endpoint does around an answer: per-(account, region) rate limits, latency, injected
 * faults, and counters a test can read.
 */
export class SageMakerSimulator {
  static readonly defaultAccountId = DEFAULT_ACCOUNT;

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
  private readonly sockets = new Set<Socket>();
  private readonly beforeAnswer: ((operation: SimulatedOperation, input: Record<string, unknown>) => void)[] = [];
  private badAnswerer: BadAnswerer | undefined;
  private readonly answerRewrites: ((operation: SimulatedOperation, input: Record<string, unknown>, output: unknown) => unknown)[] = [];

  constructor(private readonly options: SageMakerSimulatorOptions = {}) {
    this.world = new SimulatedWorld({
      accounts: options.accounts ?? [DEFAULT_ACCOUNT],
      regions: options.regions ?? ['us-east-1'],
      jobsPerRegion: options.jobsPerRegion ?? 100,
      seed: options.seed,
      now: options.now,
      historyDays: options.historyDays,
      suspendedAccounts: options.suspendedAccounts,
    });
    if (options.onStateChangeEvents) this.world.recordStateChangeEvents();
    this.limits = options.limits ?? {};
    this.faults = options.faults ?? {};
    this.latencyMs = options.latencyMs ?? [0, 0];
    this.rejectedAccessKeys = new Set(options.rejectedAccessKeys ?? []);
    this.resetStats();
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      // A bug here (or in a test's hook) answers 500 like AWS would, instead of crashing the process.
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          sendError(res, protocolOf(req.headers), new AwsError(500, 'InternalFailure', `simulator error: ${(error as Error).message}`));
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

  /**
   * Runs before each answered call, e.g. to delete a job mid-run in a test. A hook that throws an
   * AwsError (protocol.ts) makes the call fail with it, as the service would.
   */
  onCall(hook: (operation: SimulatedOperation, input: Record<string, unknown>) => void): void {
    this.beforeAnswer.push(hook);
  }

  /** Rewrites answers before they are sent: bad data, fields newer than the SDK, anything a real service might return. */
  rewriteAnswers(hook: (operation: SimulatedOperation, input: Record<string, unknown>, output: unknown) => unknown): void {
    this.answerRewrites.push(hook);
  }

  /** Answers well-formed but not to be believed (bad-answers.ts), from now on; undefined answers well again. */
  answerBadly(bad: BadAnswers | undefined): void {
    this.badAnswerer = bad && new BadAnswerer(bad);
  }

  /** A job of the caller's account and region other than the one asked for. */
  private otherJob(context: CallContext, input: Record<string, unknown>): Record<string, unknown> {
    const other = this.world.plans(context.accountId, context.region).find((plan) => plan.name !== input.TrainingJobName);
    if (!other) throw new AwsError(500, 'InternalFailure', 'simulator: no other job to answer with');
    return { ...this.world.describe(other) };
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
      this.counters.set(operation, { accepted: 0, throttled: 0, faulted: 0, rejected: 0, cutOff: 0 });
      this.acceptedAt.set(operation, []);
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.url?.startsWith('/_simulator/')) return this.handleControl(req, res, body);

    let protocol: Protocol = protocolOf(req.headers);
    let operation: SimulatedOperation | undefined;
    try {
      const request = parseRequest(req.headers, body);
      protocol = request.protocol;
      if (!isSimulatedOperation(request.operation)) {
        throw new AwsError(400, 'UnknownOperationException', `The simulator does not implement ${request.operation || 'this request'}`);
      }
      operation = request.operation;
      const definition = OPERATIONS[operation];
      if (!request.signed || this.rejectedAccessKeys.has(request.accessKeyId)) {
        throw new AwsError(
          403,
          protocol === 'json' ? 'UnrecognizedClientException' : 'InvalidClientTokenId',
          'The security token included in the request is invalid.',
        );
      }
      const context = { world: this.world, accountId: accountForKey(request.accessKeyId), region: request.region };

      await delay(this.randomBetween(this.latencyMs));
      const faulty =
        (!this.faults.onlyRegions || this.faults.onlyRegions.includes(context.region)) &&
        (!this.faults.onlyOperations || this.faults.onlyOperations.includes(operation));
      const fault = faulty ? this.drawFault() : undefined;
      if (fault === 'reset') {
        this.counters.get(operation)!.faulted++;
        req.socket.destroy();
        return;
      }
      if (fault === 'slow') await delay(this.faults.slowResponseMs ?? 2000);
      if (fault === 'internal') throw new AwsError(500, 'InternalFailure', 'We encountered an internal error. Please try again.');
      if (fault === 'unavailable') throw new AwsError(503, 'ServiceUnavailable', 'Service is unavailable. Please try again.');
      if (fault === 'throttle' || !this.takeToken(context.accountId, context.region, operation)) {
        this.counters.get(operation)!.throttled++;
        throw definition.throttlingError();
      }

      for (const hook of this.beforeAnswer) hook(operation, request.input);
      const bad = this.badAnswerer;
      let output = definition.answer(bad ? bad.request(operation, request.input) : request.input, context);
      for (const rewrite of this.answerRewrites) output = rewrite(operation, request.input, output);
      if (bad) output = bad.answer(operation, request.input, output, () => this.otherJob(context, request.input));
      this.counters.get(operation)!.accepted++;
      this.acceptedAt.get(operation)!.push(performance.now());
      if (fault === 'trickle') return await this.trickle(res, protocol, output, operation);
      sendAnswer(res, protocol, output);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const counters = operation ? this.counters.get(operation)! : undefined;
      if (counters && error.status >= 500) counters.faulted++;
      else if (counters && error.code !== OPERATIONS[operation!].throttlingError().code) counters.rejected++;
      sendError(res, protocol, error);
    }
  }

  private handleControl(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (req.url === '/_simulator/stats') return sendJson(res, 200, { now: this.world.now(), operations: this.stats() });
    if (req.url === '/_simulator/advance' && req.method === 'POST') {
      const { days } = JSON.parse(body || '{}') as { days?: number };
      const report = this.world.advance((days ?? 1) * 86_400_000);
      const events = this.world.takeStateChangeEvents();
      this.options.onStateChangeEvents?.(events);
      return sendJson(res, 200, { now: this.world.now(), ...report, stateChangeEvents: events.length });
    }
    sendJson(res, 404, { message: `unknown control path ${req.url}` });
  }

  private drawFault(): Fault | undefined {
    const f = this.faults;
    const roll = this.random.next();
    let edge = 0;
    for (const [kind, rate] of [
      ['reset', f.connectionReset],
      ['internal', f.internalError],
      ['unavailable', f.unavailable],
      ['throttle', f.throttle],
      ['slow', f.slowResponse],
      ['trickle', f.trickle],
    ] as const) {
      edge += rate ?? 0;
      if (roll < edge) return kind;
    }
    return undefined;
  }

  /** The answer's headers now (its full length announced), then its body a byte at a time, until it is all sent or the client hangs up. */
  private async trickle(res: ServerResponse, protocol: Protocol, output: unknown, operation: SimulatedOperation): Promise<void> {
    const { status, headers, body } = answerOf(protocol, output);
    res.writeHead(status, { ...headers, 'content-length': body.length });
    res.flushHeaders();
    for (let sent = 0; sent < body.length; sent++) {
      await delay(this.faults.trickleIntervalMs ?? 500);
      if (res.destroyed || res.socket?.destroyed !== false) {
        this.counters.get(operation)!.cutOff++;
        return;
      }
      res.write(body.subarray(sent, sent + 1));
    }
    res.end();
  }

  private takeToken(accountId: string, region: string, operation: SimulatedOperation): boolean {
    const rate = this.limits[operation];
    if (!rate) return true;
    const key = `${accountId}/${region}/${operation}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rate, Math.max(1, rate));
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake();
  }

  private randomBetween([min, max]: readonly [number, number]): number {
    return max <= min ? min : min + this.random.next() * (max - min);
  }
}

async function delay(ms: number): Promise<void> {
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
