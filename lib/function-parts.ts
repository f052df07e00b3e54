import { ArnFormat, Duration, Names, RemovalPolicy, Size, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../lambda/core/errors';

/**
 * The repository, or the installed package: this file is lib/function-parts.ts in the one and part of
 * dist/index.js (the library bundle) in the other, one folder below the root either way.
 */
const PROJECT_ROOT = join(__dirname, '..');

/**
 * How each function is bundled, whether by NodejsFunction at synth time or ahead of time by
 * `npm run build` (scripts/bundle.ts): the SDK inside the bundle (what is tested is what is deployed),
 * error names kept through minifying (the state machine retries TransientStepError by name), source maps on.
 */
export const FUNCTION_BUNDLING = { format: 'cjs', target: 'node22', minify: true, keepNames: true, sourceMap: true } as const;

/** parquet-wasm's Node build reads its .wasm from beside its own file, i.e. beside the bundle. */
export const PARQUET_WASM_FILE = 'parquet_wasm_bg.wasm';

/** The folder `npm run build` bundles the function `entry` into: dist/functions/<entry>/ (index.js, its map, the .wasm). */
export function prebuiltFunctionDirectory(entry: string, root: string = PROJECT_ROOT): string {
  return join(root, 'dist', 'functions', entry);
}

/** Where a function's code comes from; see {@link functionSource}. */
export type FunctionSource =
  { readonly kind: 'sources'; readonly entry: string } | { readonly kind: 'prebuilt'; readonly directory: string };

/**
 * A function's code, chosen by what is on disk: its TypeScript sources when they are there (this
 * repository: `cdk synth` and the tests bundle them with esbuild), otherwise the bundle `npm run build`
 * made (the installed package, which ships no sources: a consumer needs neither esbuild nor Docker).
 */
export function functionSource(entry: string, root: string = PROJECT_ROOT): FunctionSource {
  const sources = join(root, 'lambda', 'functions', entry, 'handler.ts');
  if (existsSync(sources)) return { kind: 'sources', entry: sources };
  const directory = prebuiltFunctionDirectory(entry, root);
  if (existsSync(join(directory, 'index.js'))) return { kind: 'prebuilt', directory };
  throw new ConfigError(
    `function ${JSON.stringify(entry)} has neither sources (${sources}) nor a prebuilt bundle (${join(directory, 'index.js')}); run npm run build, or reinstall the package`,
  );
}

/**
 * What CloudWatch Logs does with a log group's key: encrypt and decrypt events, re-encrypt them on a
 * key change, and check the key when it is associated. Named one by one: no wildcard actions.
 */
const LOGS_KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

export interface EncryptedLogGroupProps {
  readonly encryptionKey: kms.IKey;
  readonly retention: logs.RetentionDays;
  /**
   * Where the name starts. Step Functions needs `/aws/vendedlogs/`, or its log delivery adds a
   * resource-policy entry per log group.
   * @default '/sagemaker-job-inventory'
   */
  readonly namePrefix?: string;
  /**
   * What happens to the log group when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A log group encrypted with the inventory's key. Its name is fixed at synth time so the key's policy
 * can name it: CloudWatch Logs may use a key this stack creates for these log groups and no others. An
 * imported key must already allow it (the construct's `encryptionKey` prop says how).
 */
export function encryptedLogGroup(scope: Construct, id: string, props: EncryptedLogGroupProps): logs.LogGroup {
  const stack = Stack.of(scope);
  const logGroupName = `${props.namePrefix ?? '/sagemaker-job-inventory'}/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}-${id}`;
  const logGroup = new logs.LogGroup(scope, id, {
    logGroupName,
    encryptionKey: props.encryptionKey,
    retention: props.retention,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  if (props.encryptionKey instanceof kms.Key) {
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: LOGS_KEY_ACTIONS,
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: logGroupName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
  }
  return logGroup;
}

export interface BundledFunctionProps {
  /** The folder under lambda/functions/ whose handler.ts is the entry. */
  readonly entry: string;
  readonly description: string;
  readonly role: iam.Role;
  readonly logGroup: logs.ILogGroup;
  readonly memorySize: number;
  /** @default 512 MiB, Lambda's default */
  readonly ephemeralStorageSize?: Size;
  readonly timeout: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly environment: Record<string, string>;
  /** Active X-Ray tracing. */
  readonly tracing: boolean;
  /** Writes Parquet: parquet-wasm's .wasm is shipped beside the bundle. */
  readonly writesParquet: boolean;
  /** Who invokes the function and where its failures surface: why it has no Lambda dead-letter queue. */
  readonly failuresSurface: string;
}

/** The most a semi-space of V8's young generation grows to (MiB). */
const SEMI_SPACE_MIB = 2;

/**
 * Source maps for readable stack traces, a V8 heap limit of half the function's memory, and a young
 * generation of small semi-spaces. V8 sizes its heap limit from the memory it sees and lets garbage pile
 * up the more, the higher that limit; tied to the function's memory, garbage is collected long before
 * the function runs out, and the other half is left to WebAssembly, buffers and the runtime. The
 * functions' garbage is short-lived (API pages, rows on their way into column buffers), so semi-spaces
 * of {@link SEMI_SPACE_MIB} MiB collect it as fast as the larger ones V8 picks by default, in about 30 MiB
 * less resident memory (bench/daily-rss.ts and bench/write-throughput.ts, docs/benchmarks.md).
 */
export function nodeOptions(memorySize: number | undefined): string {
  const options = ['--enable-source-maps', `--max-semi-space-size=${SEMI_SPACE_MIB}`];
  if (memorySize !== undefined && !Token.isUnresolved(memorySize)) options.push(`--max-old-space-size=${Math.floor(memorySize / 2)}`);
  return options.join(' ');
}

/**
 * One of the inventory's functions, bundled the way all of them are ({@link FUNCTION_BUNDLING}) from
 * its sources or prebuilt ({@link functionSource}), with JSON logs into the given log group.
 */
export function bundledFunction(scope: Construct, id: string, props: BundledFunctionProps): lambda.Function {
  const options = {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    ephemeralStorageSize: props.ephemeralStorageSize,
    timeout: props.timeout,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    role: props.role,
    logGroup: props.logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
    description: props.description,
    environment: { NODE_OPTIONS: nodeOptions(props.memorySize), ...props.environment },
  };
  const source = functionSource(props.entry);
  const fn =
    source.kind === 'prebuilt'
      ? new lambda.Function(scope, id, { ...options, handler: 'index.handler', code: lambda.Code.fromAsset(source.directory) })
      : new nodejs.NodejsFunction(scope, id, {
          ...options,
          entry: source.entry,
          handler: 'handler',
          projectRoot: PROJECT_ROOT,
          depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
          bundling: {
            externalModules: [],
            format: nodejs.OutputFormat.CJS,
            target: FUNCTION_BUNDLING.target,
            minify: FUNCTION_BUNDLING.minify,
            keepNames: FUNCTION_BUNDLING.keepNames,
            sourceMap: FUNCTION_BUNDLING.sourceMap,
            commandHooks: props.writesParquet
              ? {
                  beforeBundling: () => [],
                  beforeInstall: () => [],
                  afterBundling: (inputDir: string, outputDir: string) => [
                    `cp "${inputDir}/node_modules/parquet-wasm/node/${PARQUET_WASM_FILE}" "${outputDir}/${PARQUET_WASM_FILE}"`,
                  ],
                }
              : undefined,
          },
        });
  const runtimeReason =
    'Pinned to nodejs22.x, the runtime the bundle is built and tested for; moving to a newer runtime is a deliberate, tested change.';
  Validations.of(fn).acknowledge(
    { id: 'AwsSolutions-L1', reason: runtimeReason },
    { id: 'Serverless-LambdaLatestVersion', reason: runtimeReason },
    { id: 'Serverless-LambdaDLQ', reason: props.failuresSurface },
  );
  if (props.tracing) {
    // Lambda adds xray:PutTraceSegments and xray:PutTelemetryRecords to the role's default policy.
    Validations.of(props.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'AWS X-Ray accepts only "*" as the resource of PutTraceSegments and PutTelemetryRecords.',
    });
  } else {
    Validations.of(fn).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason:
        "X-Ray tracing is the construct's tracing prop, off by default: the function logs JSON with the request id and emits its metrics; turn it on to trace.",
    });
  }
  return fn;
}

/**
 * Where EventBridge Scheduler puts an invocation it could not deliver after its retries: KMS-encrypted,
 * TLS-only, kept 14 days, alarmed on by its owner.
 */
export function scheduleDeadLetterQueue(scope: Construct, id: string, encryptionKey: kms.IKey, scheduleName: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: encryptionKey,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledgeDeadLetterQueue(queue, `the ${scheduleName} schedule`);
  return queue;
}

/** cdk-nag asks every queue for a dead-letter queue of its own; a dead-letter queue (of `owner`) has nowhere further to redrive. */
export function acknowledgeDeadLetterQueue(queue: sqs.IQueue, owner: string): void {
  const reason = `This queue is itself the dead-letter queue of ${owner}; it has nowhere further to redrive.`;
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason }, { id: 'Serverless-SQSRedrivePolicy', reason });
}

/** The role EventBridge Scheduler assumes for one schedule, from this account only; it may send to the KMS-encrypted dead-letter queue. */
export function schedulerRole(scope: Construct, id: string, encryptionKey: kms.IKey, description: string): iam.Role {
  const role = new iam.Role(scope, id, {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description,
  });
  encryptionKey.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
  return role;
}

/** What a function's role needs beside its own work: the key for its objects (named `sid`), and its own log group. */
export function keyAndLogStatements(sid: string, encryptionKey: kms.IKey, logGroup: logs.ILogGroup): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [encryptionKey.keyArn] }),
    new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  ];
}
