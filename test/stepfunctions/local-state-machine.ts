import type { Context } from 'aws-lambda';
import type { Asl } from './state-machine-definition';

/** The function as the state machine calls it: an event and a Lambda context. */
export type LambdaHandler = (event: never, context: Context) => Promise<unknown>;

/** One task invocation the execution made, with the answer or the error it got. */
export interface TaskInvocation {
  readonly state: string;
  readonly payload: Record<string, unknown>;
  readonly answer?: unknown;
  readonly error?: string;
}

export interface LocalRunOptions {
  readonly input?: unknown;
  /** The execution's name, which the state machine passes to the function as the lease holder. @default a fresh one */
  readonly executionName?: string;
  /** What `getRemainingTimeInMillis` says at the start of each invocation (the function keeps 30 s of it back). */
  readonly remainingMs: number;
  /**
   * Called before each invocation; an error it returns is what the task fails with instead of calling the
   * function (its `name` is the error Step Functions matches Retry and Catch on), as when Lambda throttles.
   */
  readonly inject?: (state: string, payload: Record<string, unknown>) => Error | undefined;
}

export interface LocalRun {
  /** The execution's output, when it succeeded. */
  readonly output?: unknown;
  /** The error and cause it failed with (a Fail state's, or a task's that nothing caught). */
  readonly failure?: { readonly error: string; readonly cause: string };
  readonly invocations: readonly TaskInvocation[];
}

let executions = 0;

export function lambdaContext(remainingMs: number): Context {
  const startedAt = Date.now();
  return {
    functionName: 'sagemaker-job-inventory',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sagemaker-job-inventory',
    memoryLimitInMB: '1024',
    awsRequestId: `request-${startedAt}`,
    logGroupName: '/aws/lambda/sagemaker-job-inventory',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => remainingMs - (Date.now() - startedAt),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Runs an Amazon States Language definition with aws-local-stepfunctions, binding every Lambda task
 * to `handler` in this process: the task's `Payload` is the event, and the answer comes back the way
 * the `lambda:invoke` integration returns it (`{ Payload, StatusCode }`), so the definition's
 * ResultSelector and OutputPath run as they do in AWS. Retry pauses are skipped.
 */
export async function runLocally(asl: Asl, handler: LambdaHandler, options: LocalRunOptions): Promise<LocalRun> {
  const invocations: TaskInvocation[] = [];
  const tasks = taskStates(asl);
  const bind =
    (state: string) =>
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- task input and answers are untyped JSON
    async (input: any): Promise<any> => {
      const payload = (input as { Payload: Record<string, unknown> }).Payload;
      const injected = options.inject?.(state, payload);
      if (injected) {
        invocations.push({ state, payload, error: injected.name });
        throw injected;
      }
      try {
        const answer = await handler(payload as never, lambdaContext(options.remainingMs));
        invocations.push({ state, payload, answer });
        return { ExecutedVersion: '$LATEST', Payload: answer, StatusCode: 200 };
      } catch (error) {
        invocations.push({ state, payload, error: (error as Error).name });
        throw error;
      }
    };
  // An ES module with a CommonJS build; a dynamic import lets this CommonJS test code load it.
  const { StateMachine } = await import('aws-local-stepfunctions');
  const machine = new StateMachine(asl);
  const name = options.executionName ?? `local-${process.pid}-${++executions}`;
  const input = (options.input ?? {}) as Parameters<typeof machine.run>[0];
  const execution = machine.run(input, {
    overrides: {
      taskResourceLocalHandlers: Object.fromEntries(tasks.map((state) => [state, bind(state)])),
      retryIntervalOverrides: Object.fromEntries(tasks.map((state) => [state, 0])),
    },
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:123456789012:execution:inventory:${name}`,
        Name: name,
        Input: input,
        StartTime: new Date().toISOString(),
      },
    },
  });
  try {
    return { output: await execution.result, invocations };
  } catch (error) {
    const failed = ((error as Error).cause ?? error) as Error;
    return { failure: { error: failed.name, cause: failed.message }, invocations };
  }
}

/** Every Task state's name, nested Map processors included. */
function taskStates(asl: Asl): string[] {
  return Object.entries(asl.States as Record<string, Asl>).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [name] : []),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor) : []),
  ]);
}
