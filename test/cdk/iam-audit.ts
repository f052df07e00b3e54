import { buildSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** The IAM service prefix of each SDK package the functions import. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  'client-athena': 'athena',
  'client-organizations': 'organizations',
  'client-pricing': 'pricing',
  'client-resource-groups-tagging-api': 'tag',
  'client-s3': 's3',
  'client-sagemaker': 'sagemaker',
  'client-sts': 'sts',
  'lib-storage': 's3',
  'credential-providers': 'sts',
};

/** SDK calls whose IAM action is not their own name (`service:Operation`). */
const IAM_ACTIONS_OF_CALL: Record<string, readonly string[]> = {
  's3:HeadObject': ['s3:GetObject'],
  's3:DeleteObjects': ['s3:DeleteObject'],
  // lib-storage's Upload: PutObject, or CreateMultipartUpload/UploadPart/CompleteMultipartUpload (all s3:PutObject), aborted on failure.
  's3:Upload': ['s3:PutObject', 's3:AbortMultipartUpload'],
  'sts:fromTemporaryCredentials': ['sts:AssumeRole'],
  // Every principal may ask who it is; IAM has no permission for it.
  'sts:GetCallerIdentity': [],
};

/** What a call needs besides its own action, and why. */
export const NEEDED_ALONG: Record<string, { readonly actions: readonly string[]; readonly reason: string }> = {
  's3:PutObject': {
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    reason: 'objects are written with SSE-KMS under the inventory key; a multipart upload decrypts the data key for each part',
  },
  's3:GetObject': {
    actions: ['kms:Decrypt', 's3:ListBucket'],
    reason:
      'reading an SSE-KMS object decrypts its data key; S3 answers a missing key with 404 (not 403) only to a caller who may list the bucket',
  },
  'athena:StartQueryExecution': {
    actions: [
      'glue:GetDatabase',
      'glue:GetTable',
      'glue:GetTables',
      'glue:CreateTable',
      'glue:UpdateTable',
      'glue:DeleteTable',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:PutObject',
      's3:AbortMultipartUpload',
      's3:ListMultipartUploadParts',
      'kms:GenerateDataKey',
      'kms:Decrypt',
    ],
    reason:
      "Athena runs a statement with its caller's permissions: it reads the catalog, creates, replaces or drops views, and writes results to the workgroup's encrypted output location",
  },
};

export const LAMBDA_RUNTIME_ACTIONS = {
  actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  reason: "the Lambda runtime writes the function's logs with its role",
};
export const TRACING_ACTIONS = {
  actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  reason: "active tracing sends the function's segments to X-Ray with its role",
};

/** The local source files a function's bundle is made of (esbuild's own resolution, packages left out). */
export function bundleSources(entry: string): string[] {
  const result = buildSync({
    entryPoints: [join(ROOT, entry)],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    packages: 'external',
    outfile: 'bundle.js',
    logLevel: 'silent',
  });
  return Object.keys(result.metafile!.inputs).filter((file) => file.endsWith('.ts'));
}

/**
 * The AWS calls in these sources, as `service:Operation`: `new XCommand(`, `paginateX(`, lib-storage's
 * `new Upload(` and `fromTemporaryCredentials(`, each imported from an AWS SDK package.
 */
export function awsCallsIn(files: readonly string[]): Set<string> {
  const calls = new Set<string>();
  for (const file of files) {
    const source = readFileSync(join(ROOT, file), 'utf8');
    for (const [, names, pkg] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/([a-z0-9-]+)'/g)) {
      const service = SERVICE_OF_PACKAGE[pkg];
      if (!service) continue;
      for (const raw of names.split(',')) {
        const name = raw.trim();
        if (!name || name.startsWith('type ')) continue;
        const used = (pattern: string) => new RegExp(pattern).test(source);
        if (name.endsWith('Command') && used(`new ${name}\\(`)) calls.add(`${service}:${name.slice(0, -'Command'.length)}`);
        else if (name.startsWith('paginate') && used(`${name}\\(`)) calls.add(`${service}:${name.slice('paginate'.length)}`);
        else if (
          (name === 'Upload' && used('new Upload\\(')) ||
          (name === 'fromTemporaryCredentials' && used('fromTemporaryCredentials\\('))
        )
          calls.add(`${service}:${name}`);
      }
    }
  }
  return calls;
}

/** The IAM actions these calls are authorized by. */
export function iamActionsOf(calls: Iterable<string>): Set<string> {
  return new Set([...calls].flatMap((call) => IAM_ACTIONS_OF_CALL[call] ?? [call]));
}

/** The actions these calls need, with those each needs along. */
export function actionsNeededBy(actions: Iterable<string>): Set<string> {
  const needed = new Set(actions);
  for (const action of [...needed]) for (const along of NEEDED_ALONG[action]?.actions ?? []) needed.add(along);
  return needed;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface IdentityStatement {
  /** The role's logical id, or the name of a role outside the stack. */
  readonly role: string;
  readonly actions: readonly string[];
  readonly statement: Json;
}

/** Every Allow statement of every identity policy in a template (roles' inline policies, AWS::IAM::Policy, managed policies), by role. */
export function identityStatements(template: Json): IdentityStatement[] {
  const found: IdentityStatement[] = [];
  const add = (roles: unknown[], document: Json) => {
    for (const statement of document.Statement as Json[]) {
      if (statement.Effect !== 'Allow') continue;
      const actions = [statement.Action].flat() as string[];
      for (const role of roles) found.push({ role: typeof role === 'string' ? role : (role as Json).Ref, actions, statement });
    }
  };
  for (const [id, resource] of Object.entries(template.Resources as Record<string, Json>)) {
    if (resource.Type === 'AWS::IAM::Role')
      for (const policy of resource.Properties.Policies ?? []) add([{ Ref: id }], policy.PolicyDocument);
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
      add(resource.Properties.Roles ?? [], resource.Properties.PolicyDocument);
  }
  return found;
}
