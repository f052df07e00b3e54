import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where a synthesized template is taken to be deployed: the concrete values its CloudFormation tokens resolve to. */
export interface Deployment {
  readonly template: Json;
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  /** Values of the template's parameters. */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** A request a principal makes, as IAM evaluates it: the action, the resource ARN and the condition keys it carries. */
export interface IamRequest {
  /** The role the request is signed with, as an ARN. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** Owner of a resource whose ARN names no account (S3 buckets, `*`). @default the principal's account */
  readonly resourceAccount?: string;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

const PARTITION = 'aws';

/** The physical name (`Ref`) and ARN (`Fn::GetAtt Arn`) of each resource type the inventory's policies name. */
const PHYSICAL: Record<string, (id: string, p: Json, d: Deployment) => { ref: string; arn?: string }> = {
  'AWS::S3::Bucket': (id, p) => {
    const name = p.BucketName ?? `bucket-${id.toLowerCase()}`;
    return { ref: name, arn: `arn:${PARTITION}:s3:::${name}` };
  },
  'AWS::KMS::Key': (id, _p, d) => ({
    ref: `key-${id.toLowerCase()}`,
    arn: `arn:${PARTITION}:kms:${d.region}:${d.account}:key/key-${id.toLowerCase()}`,
  }),
  'AWS::IAM::Role': (id, p, d) => {
    const name = p.RoleName ?? id;
    return { ref: name, arn: `arn:${PARTITION}:iam::${d.account}:role${p.Path ?? '/'}${name}` };
  },
  'AWS::Logs::LogGroup': (id, p, d) => {
    const name = p.LogGroupName ?? id;
    return { ref: name, arn: `arn:${PARTITION}:logs:${d.region}:${d.account}:log-group:${name}:*` };
  },
  'AWS::Lambda::Function': (id, p, d) => {
    const name = p.FunctionName ?? id;
    return { ref: name, arn: `arn:${PARTITION}:lambda:${d.region}:${d.account}:function:${name}` };
  },
  'AWS::StepFunctions::StateMachine': (id, p, d) => {
    const arn = `arn:${PARTITION}:states:${d.region}:${d.account}:stateMachine:${p.StateMachineName ?? id}`;
    return { ref: arn, arn };
  },
  'AWS::SQS::Queue': (id, p, d) => {
    const name = p.QueueName ?? id;
    return {
      ref: `https://sqs.${d.region}.amazonaws.com/${d.account}/${name}`,
      arn: `arn:${PARTITION}:sqs:${d.region}:${d.account}:${name}`,
    };
  },
  'AWS::Events::Rule': (id, p, d) => {
    const name = p.Name ?? id;
    return { ref: name, arn: `arn:${PARTITION}:events:${d.region}:${d.account}:rule/${name}` };
  },
  'AWS::SNS::Topic': (id, p, d) => {
    const arn = `arn:${PARTITION}:sns:${d.region}:${d.account}:${p.TopicName ?? id}`;
    return { ref: arn, arn };
  },
  'AWS::Glue::Database': (_id, p) => ({ ref: p.DatabaseInput.Name }),
  'AWS::Athena::WorkGroup': (_id, p) => ({ ref: p.Name }),
};

function physical(d: Deployment, id: string): { ref: string; arn?: string } {
  const resource = d.template.Resources[id];
  if (!resource) throw new Error(`no resource ${id} in ${d.stackName}`);
  const describe = PHYSICAL[resource.Type];
  if (!describe) throw new Error(`${id}: no test value for a ${resource.Type}; add one to PHYSICAL`);
  return describe(id, resource.Properties ?? {}, d);
}

/** What `Ref AWS::NoValue` resolves to: removed from the list that holds it. */
const NO_VALUE = '<AWS::NoValue>';

function ref(d: Deployment, name: string): string {
  const pseudo: Record<string, string> = {
    'AWS::Partition': PARTITION,
    'AWS::AccountId': d.account,
    'AWS::Region': d.region,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': d.stackName,
  };
  if (name in pseudo) return pseudo[name];
  if (name === 'AWS::NoValue') return NO_VALUE;
  if (d.template.Parameters?.[name]) {
    const value = d.parameters?.[name];
    if (value === undefined) throw new Error(`parameter ${name} of ${d.stackName} has no test value`);
    return value;
  }
  return physical(d, name).ref;
}

function getAtt(d: Deployment, id: string, attribute: string): string {
  if (attribute !== 'Arn') throw new Error(`${id}.${attribute}: only Arn attributes have test values`);
  const { arn } = physical(d, id);
  if (!arn) throw new Error(`${id}: a ${d.template.Resources[id].Type} has no Arn test value`);
  return arn;
}

/** `value` with every CloudFormation intrinsic (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split, Fn::If and its conditions) replaced by its test value. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON of any shape
export function resolveTokens(value: unknown, d: Deployment): any {
  // Ref AWS::NoValue drops its element, as CloudFormation does.
  if (Array.isArray(value)) return value.map((v) => resolveTokens(v, d)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Json;
  const [key] = Object.keys(object);
  const argument = object[key];
  if (Object.keys(object).length === 1 && (key === 'Ref' || key.startsWith('Fn::'))) {
    switch (key) {
      case 'Ref':
        return ref(d, argument);
      case 'Fn::GetAtt': {
        const [id, attribute] = typeof argument === 'string' ? argument.split('.') : argument;
        return getAtt(d, id, attribute);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = argument;
        return resolveTokens(resolveTokens(d.template.Conditions[condition], d) === true ? whenTrue : whenFalse, d);
      }
      case 'Fn::Equals':
        return resolveTokens(argument[0], d) === resolveTokens(argument[1], d);
      case 'Fn::Not':
        return resolveTokens(argument[0], d) !== true;
      case 'Fn::Join':
        return (resolveTokens(argument[1], d) as string[]).join(argument[0]);
      case 'Fn::Select':
        return resolveTokens(argument[1], d)[Number(resolveTokens(argument[0], d))];
      case 'Fn::Split':
        return String(resolveTokens(argument[1], d)).split(argument[0]);
      case 'Fn::Sub': {
        const [text, variables] = typeof argument === 'string' ? [argument, {}] : argument;
        return (text as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in variables) return resolveTokens(variables[name], d);
          const [id, attribute] = name.split('.');
          return attribute ? getAtt(d, id, attribute) : ref(d, id);
        });
      }
      default:
        throw new Error(`${key} has no test value`);
    }
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolveTokens(v, d)]));
}

function resourcesOfType(d: Deployment, type: string): [string, Json][] {
  return Object.entries(d.template.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);
}

/** The ARN of the role with this logical id. */
export function roleArn(d: Deployment, logicalId: string): string {
  return getAtt(d, logicalId, 'Arn');
}

/**
 * The identity policies attached to a role, by its ARN: its inline policies and every AWS::IAM::Policy or
 * managed policy of the template naming it (by `Ref`, or by name for a role imported from outside the stack).
 */
export function identityPolicies(d: Deployment, principalArn: string): { name: string; policy: Json }[] {
  const found: { name: string; policy: Json }[] = [];
  for (const [id, role] of resourcesOfType(d, 'AWS::IAM::Role')) {
    if (roleArn(d, id) !== principalArn) continue;
    if (role.Properties.ManagedPolicyArns) throw new Error(`${id} has managed policies whose statements the template does not hold`);
    for (const policy of role.Properties.Policies ?? [])
      found.push({ name: `${id}/${policy.PolicyName}`, policy: resolveTokens(policy.PolicyDocument, d) });
  }
  // A role imported by name is this account's role of that name.
  const roleName = accountOf(principalArn) === d.account ? principalArn.replace(/^arn:[^:]+:iam::\d{12}:role\/(.*\/)?/, '') : undefined;
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, policy] of resourcesOfType(d, type)) {
      const roles = resolveTokens(policy.Properties.Roles ?? [], d) as string[];
      if (roleName && roles.includes(roleName)) found.push({ name: id, policy: resolveTokens(policy.Properties.PolicyDocument, d) });
    }
  }
  return found;
}

/**
 * The resource policy that governs a request's resource in this template: bucket policy, key policy, queue policy, role
 * trust policy, or the statements of an event bus policy (each AWS::Events::EventBusPolicy adds one to its bus's policy).
 */
export function resourcePolicy(d: Deployment, resource: string): Json | undefined {
  const s3 = /^arn:[^:]+:s3:::([^/]+)/.exec(resource);
  if (s3) {
    const policy = resourcesOfType(d, 'AWS::S3::BucketPolicy').find(([, p]) => resolveTokens(p.Properties.Bucket, d) === s3[1]);
    return policy && resolveTokens(policy[1].Properties.PolicyDocument, d);
  }
  if (/^arn:[^:]+:kms:/.test(resource)) {
    const key = resourcesOfType(d, 'AWS::KMS::Key').find(([id]) => getAtt(d, id, 'Arn') === resource);
    return key && resolveTokens(key[1].Properties.KeyPolicy, d);
  }
  if (/^arn:[^:]+:sqs:/.test(resource)) {
    const policy = resourcesOfType(d, 'AWS::SQS::QueuePolicy').find(([, p]) =>
      (p.Properties.Queues as unknown[]).some((queue) => resolveTokens(queue, d).endsWith(`/${resource.split(':').pop()}`)),
    );
    return policy && resolveTokens(policy[1].Properties.PolicyDocument, d);
  }
  if (/^arn:[^:]+:events:[^:]+:\d{12}:event-bus\//.test(resource)) {
    const busArn = (name: string) => `arn:${PARTITION}:events:${d.region}:${d.account}:event-bus/${name}`;
    const statements = resourcesOfType(d, 'AWS::Events::EventBusPolicy')
      .filter(([, p]) => busArn(resolveTokens(p.Properties.EventBusName ?? 'default', d)) === resource)
      .map(([, p]) => resolveTokens(p.Properties.Statement, d));
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }
  if (/^arn:[^:]+:iam::\d{12}:role\//.test(resource)) {
    const role = resourcesOfType(d, 'AWS::IAM::Role').find(([id]) => roleArn(d, id) === resource);
    return role && resolveTokens(role[1].Properties.AssumeRolePolicyDocument, d);
  }
  return undefined;
}

function accountOf(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

/**
 * IAM's decision on a request: the principal's identity policies from `caller`, the resource's policy from
 * `owner` (the same deployment unless the resource lives in another stack), every condition key as given.
 */
export async function decide(request: IamRequest, caller: Deployment, owner: Deployment = caller): Promise<Decision> {
  const principalAccount = accountOf(request.principal)!;
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: {
        resource: request.resource,
        accountId: accountOf(request.resource) ?? request.resourceAccount ?? principalAccount,
      },
      contextVariables: { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': principalAccount, ...request.context },
    },
    identityPolicies: identityPolicies(caller, request.principal),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy(owner, request.resource),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}
